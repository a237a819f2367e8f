"""Assessment history: profiles, saved assessments, pain and exercise logs, trends over weeks.

SQLAlchemy so one code path serves the embedded SQLite file and a clinic's PostgreSQL server;
Alembic migrations from the first schema on.
"""
