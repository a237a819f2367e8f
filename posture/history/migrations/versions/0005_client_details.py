"""Client details stored once per profile: body height (for lengths in cm) and date of birth, both
optional; existing profiles get neither.

Revision ID: 0005
Revises: thumbnails_per_view
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "thumbnails_per_view"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("height_cm", sa.Float, nullable=True))
        batch.add_column(sa.Column("birth_date", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("birth_date")
        batch.drop_column("height_cm")
