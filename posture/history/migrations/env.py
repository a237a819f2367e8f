"""Alembic environment: runs on the connection `posture.history.db` hands it (no alembic.ini)."""

from alembic import context

from posture.history.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
