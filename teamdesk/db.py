"""Opening an installation's SQLite file: pragmas, migrations, transactions.

WAL with ``synchronous=FULL``: a power cut right after a volunteer saves must not lose the help.
The connection runs in autocommit mode; every write goes through ``transaction()``, which takes
the write lock up front (``BEGIN IMMEDIATE``) and nests with savepoints.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from teamdesk import schema
from teamdesk.errors import Failed, SchemaTooNew


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = OFF")  # rows may arrive by sync before their parents
    conn.execute("PRAGMA cache_size = -65536")  # 64 MB: about 1.6x on bulk merges
    return conn


def schema_state(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """(applied migrations this TeamDesk knows, applied ones it does not)."""
    db = Database(conn)
    applied = [m.name for m in schema.migrations.applied(db)]
    return [n for n in applied if n in schema.KNOWN], [n for n in applied if n not in schema.KNOWN]


def open_db(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (and on first use create) the database, upgrading an older schema in one transaction.

    A file migrated by a newer TeamDesk is refused before anything is written to it.
    """
    try:
        conn = connect(path, readonly=readonly)
        _, unknown = schema_state(conn)
    except sqlite3.DatabaseError as exc:
        raise Failed("error.db_unreadable", path=str(path), detail=str(exc)) from exc
    if unknown:
        conn.close()
        raise SchemaTooNew("error.schema_too_new", path=str(path), steps=", ".join(unknown))
    if not readonly:
        db = Database(conn)
        if schema.migrations.pending(db):
            with transaction(conn):
                schema.migrations.apply(db)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing. Nested calls become savepoints of the outer transaction."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO SAVEPOINT nested")
                conn.execute("RELEASE SAVEPOINT nested")
            raise
        else:
            conn.execute("RELEASE SAVEPOINT nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
