"""The first schema: profiles, assessments, their measurements and (opt-in) photos.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("store_photos", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("taken_at", sa.Date, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("report_json", sa.Text, nullable=False),
        sa.Column("thumbnail_jpeg", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_assessments_profile_taken", "assessments", ["profile_id", "taken_at"])
    op.create_table(
        "measurements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("measurement", sa.String(80), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("uncertainty", sa.Float, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.UniqueConstraint("assessment_id", "measurement"),
    )
    op.create_index("ix_measurements_name_assessment", "measurements", ["measurement", "assessment_id"])
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in ("photos", "measurements", "assessments", "profiles"):
        op.drop_table(table)
