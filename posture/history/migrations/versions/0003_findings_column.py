"""The present findings of each assessment in their own column, so listing a profile's assessments
doesn't parse every stored report; filled from the reports already saved.

Revision ID: 0003
Revises: 0002
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("findings_json", sa.Text, nullable=True))
    assessments = sa.table("assessments", sa.column("id", sa.Integer), sa.column("report_json", sa.Text),
                           sa.column("findings_json", sa.Text))
    connection = op.get_bind()
    for row_id, report in connection.execute(sa.select(assessments.c.id, assessments.c.report_json)).all():
        findings = [
            f["label"] for f in json.loads(report).get("assessment", {}).get("findings", [])
            if f.get("status") == "present" and f.get("kind", "finding") == "finding"
        ]
        connection.execute(
            assessments.update().where(assessments.c.id == row_id).values(findings_json=json.dumps(findings))
        )


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("findings_json")
