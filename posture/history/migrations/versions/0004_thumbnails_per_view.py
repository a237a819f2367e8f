"""One annotated thumbnail per view of an assessment (front, side, back) in their own table, instead
of the one thumbnail of its first photo: the Progress page compares every view. The thumbnail kept
so far moves over under the view of the report's first analysed photo (the one it was drawn from).

Revision ID: thumbnails_per_view
Revises: 0003
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "thumbnails_per_view"
down_revision = "0003"
branch_labels = None
depends_on = None

ASSESSMENTS = sa.table("assessments", sa.column("id", sa.Integer), sa.column("report_json", sa.Text),
                       sa.column("thumbnail_jpeg", sa.LargeBinary))
THUMBNAILS = sa.table("view_thumbnails", sa.column("assessment_id", sa.Integer), sa.column("view", sa.String),
                      sa.column("jpeg", sa.LargeBinary))


def upgrade() -> None:
    op.create_table(
        "view_thumbnails",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("view", sa.String(20), nullable=False),
        sa.Column("jpeg", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("assessment_id", "view"),
    )
    connection = op.get_bind()
    kept = connection.execute(sa.select(ASSESSMENTS.c.id, ASSESSMENTS.c.report_json, ASSESSMENTS.c.thumbnail_jpeg)
                              .where(ASSESSMENTS.c.thumbnail_jpeg.is_not(None))).all()
    for assessment_id, report, jpeg in kept:
        view = _first_analysed_view(json.loads(report))
        if view is not None:
            connection.execute(THUMBNAILS.insert().values(assessment_id=assessment_id, view=view, jpeg=jpeg))
    # Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): a batch copy of the table would drop the old
    # one, and with foreign keys on, SQLite would cascade that to every measurement.
    op.execute("ALTER TABLE assessments DROP COLUMN thumbnail_jpeg")


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("thumbnail_jpeg", sa.LargeBinary, nullable=True))
    connection = op.get_bind()
    first = sa.select(THUMBNAILS.c.assessment_id, sa.func.min(THUMBNAILS.c.view).label("view")) \
        .group_by(THUMBNAILS.c.assessment_id).subquery()
    rows = connection.execute(sa.select(THUMBNAILS.c.assessment_id, THUMBNAILS.c.jpeg).join(
        first, sa.and_(first.c.assessment_id == THUMBNAILS.c.assessment_id, first.c.view == THUMBNAILS.c.view))).all()
    for assessment_id, jpeg in rows:
        connection.execute(ASSESSMENTS.update().where(ASSESSMENTS.c.id == assessment_id).values(thumbnail_jpeg=jpeg))
    op.drop_table("view_thumbnails")


def _first_analysed_view(report: dict) -> str | None:
    return next((p.get("view") for p in report.get("photos", []) if not p.get("error") and p.get("view")), None)
