"""Pain and exercise-session logs beside the assessments.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pain_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("logged_on", sa.Date, nullable=False),
        sa.Column("regions", sa.String(200), nullable=False),
        sa.Column("intensity_0_10", sa.Integer, nullable=False),
    )
    op.create_index("ix_pain_entries_profile_id", "pain_entries", ["profile_id"])
    op.create_table(
        "exercise_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("exercise_id", sa.String(80), nullable=False),
    )
    op.create_index("ix_exercise_sessions_profile_id", "exercise_sessions", ["profile_id"])


def downgrade() -> None:
    op.drop_table("exercise_sessions")
    op.drop_table("pain_entries")
