"""Opening the history database: where it is, checking it is ours, migrating it, SQLite settings.

Default: one SQLite file in the user's data directory; `--db PATH|URL` or POSTURE_DB change it (a
PostgreSQL URL for a clinic's shared server). A file that is not SQLite, or a SQLite database of
another program, is refused with a clear message and left untouched.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
_MIGRATING = threading.Lock()
OUR_TABLES = {"profiles", "assessments", "measurements", "photos", "pain_entries", "exercise_sessions",
              "view_thumbnails"}


class HistoryError(Exception):
    """The database can't be used; the message says why and what to do."""


def default_location() -> str:
    if os.environ.get("POSTURE_DB"):
        return os.environ["POSTURE_DB"]
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return str(data_home / "posture" / "history.sqlite")


def database_url(location: str | None) -> str:
    """A URL as given, or a file path turned into a SQLite URL."""
    location = location or default_location()
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).expanduser().resolve()}"


def open_database(location: str | None = None, migrate: bool = True) -> sessionmaker[Session]:
    """A session factory on the history database, created or upgraded to the latest schema."""
    url = database_url(location)
    if url.startswith("sqlite:///"):
        _check_sqlite_file(Path(url.removeprefix("sqlite:///")))
    try:
        engine = _engine(url)
        with engine.connect() as connection:
            _check_ours(connection)
            if migrate:
                _upgrade(connection, "head")
                connection.commit()
    except (OperationalError, DatabaseError) as error:
        raise HistoryError(f"cannot open the history database {_safe(url)}: {error.orig}") from None
    return sessionmaker(engine, expire_on_commit=False)


def upgrade_to(location: str, revision: str) -> None:
    """Migrate to a given revision (tests build the first schema with it)."""
    engine = _engine(database_url(location))
    with engine.connect() as connection:
        _upgrade(connection, revision)
        connection.commit()
    engine.dispose()


def schema_revision(session: Session) -> str | None:
    return MigrationContext.configure(session.connection()).get_current_revision()


@cache
def latest_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_settings(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer; a killed writer leaves the last commit intact.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise HistoryError(f"{path} is a folder; give the history database's file name.")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise HistoryError(
            f"{path} is not a posture history database (not an SQLite file; it may be damaged or another "
            "kind of file). It was left untouched; choose another file with --db or POSTURE_DB."
        )
    # Read-only first: switching a foreign file to WAL would already change it.
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as raw:
            tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise HistoryError(f"cannot open the history database {path}: {error}. It was left untouched.") from None
    _refuse_foreign(tables)


def _check_ours(connection) -> None:
    _refuse_foreign(set(inspect(connection).get_table_names()))


def _refuse_foreign(tables: set[str]) -> None:
    foreign = tables - OUR_TABLES - {"alembic_version"}
    if foreign or (tables and "alembic_version" not in tables):
        raise HistoryError(
            "this database belongs to another program (tables: "
            f"{', '.join(sorted(tables)[:5])}); it was left untouched. Choose another file with --db."
        )


def _upgrade(connection, revision: str) -> None:
    """Alembic's command API keeps per-run state in module globals: one migration at a time per
    process; an up-to-date database skips it."""
    current = MigrationContext.configure(connection).get_current_revision()
    if revision == "head" and current == latest_revision():
        return
    with _MIGRATING:
        command.upgrade(_alembic_config(connection), revision)


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _safe(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
