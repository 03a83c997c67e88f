"""The database schema as versioned migrations (sqlite-utils ``Migrations``).

Append new steps at the end; never edit a step that has shipped. ``KNOWN`` lets ``db.open_db``
refuse a file that a newer TeamDesk has migrated further than this one understands.

Every synced table carries the sync columns (``id``, ``hlc``, ``prev_hlc``, ``origin``,
``deleted``); ``SYNCED`` lists each table's own columns, in the order bundles carry them.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

SYNC_COLUMNS = ("id", "hlc", "prev_hlc", "origin", "deleted")

SYNCED: dict[str, tuple[str, ...]] = {
    "villages": ("name", "commune_code", "population", "household_count"),
    "volunteers": ("name", "phone", "village_id", "active"),
    "households": (
        "village_id",
        "head_name",
        "phone",
        "address",
        "note",
        "consent_by",
        "consent_at",
        "consent_scope",
        "consent_version",
        "consent_withdrawn_at",
        "registered_by",
        "merged_into",
    ),
    "members": ("household_id", "full_name", "sex", "birth_year", "relation", "phone", "note"),
    "help_events": (
        "household_id",
        "member_id",
        "service",
        "detail",
        "date",
        "volunteer_id",
        "outcome",
        "note",
    ),
    "guides": ("slug", "based_on", "body"),
}

# Fields that identify a person: purged on erasure (history included), never sent to the province.
PERSONAL: dict[str, tuple[str, ...]] = {
    "households": ("head_name", "phone", "address", "note", "consent_by"),
    "members": ("full_name", "phone", "note"),
    "help_events": ("detail", "note"),
}

INTEGER_COLUMNS = {"population", "household_count", "active", "birth_year", "deleted"}

migrations = Migrations("teamdesk")


def _synced_table(db: Database, name: str, extra_indexes: list[list[str]]) -> None:
    columns: dict[str, type] = {c: str for c in SYNC_COLUMNS}
    columns.update({c: (int if c in INTEGER_COLUMNS else str) for c in SYNCED[name]})
    columns["deleted"] = int
    db[name].create(columns, pk="id", not_null={"hlc"}, defaults={"deleted": 0, "prev_hlc": ""})
    db[name].create_index(["hlc"])
    for cols in extra_indexes:
        db[name].create_index(cols)


@migrations()
def m001_initial(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    _synced_table(db, "villages", [])
    _synced_table(db, "volunteers", [])
    _synced_table(db, "households", [["village_id"]])
    _synced_table(db, "members", [["household_id"]])
    _synced_table(db, "help_events", [["household_id"], ["date"], ["service", "date"]])
    _synced_table(db, "guides", [["slug"]])
    # Superseded versions: never dropped (erasure purges their personal fields instead).
    db["history"].create(
        {"table_name": str, "id": str, "hlc": str, "prev_hlc": str, "origin": str, "deleted": int, "data": str},
        pk=("table_name", "id", "hlc"),
    )
    # Search: local, derived from households and members, rebuilt by teamdesk.search.refresh.
    db.execute(
        "CREATE TABLE search_docs (docid INTEGER PRIMARY KEY, household_id TEXT NOT NULL UNIQUE,"
        " village_id TEXT, head_key TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX search_docs_head ON search_docs(head_key)")
    db.execute("CREATE TABLE search_keys (key TEXT NOT NULL, docid INTEGER NOT NULL)")
    db.execute("CREATE INDEX search_keys_key ON search_keys(key, docid)")
    db.execute("CREATE INDEX search_keys_doc ON search_keys(docid)")
    db.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
    )


@migrations()
def m002_sync(db: Database) -> None:
    """Sync files' local books (never synced): the team, devices, export marks, bundles seen,
    the conflict inbox, what reached the commune, duplicate decisions."""
    db.execute("CREATE TABLE sync_team (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE sync_devices (device_id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '',"
        " role TEXT NOT NULL DEFAULT '', village TEXT NOT NULL DEFAULT '', signing_key TEXT NOT NULL,"
        " age_recipient TEXT NOT NULL, state TEXT NOT NULL, recipient INTEGER NOT NULL DEFAULT 0,"
        " proven INTEGER NOT NULL DEFAULT 0, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE sync_marks (destination TEXT PRIMARY KEY, hlc TEXT NOT NULL DEFAULT '',"
        " sequence INTEGER NOT NULL DEFAULT 0, exported_at TEXT)"
    )
    db.execute(
        "CREATE TABLE sync_bundles (bundle_id TEXT PRIMARY KEY, direction TEXT NOT NULL, kind TEXT NOT NULL,"
        " device_id TEXT NOT NULL, device_name TEXT NOT NULL DEFAULT '', village TEXT NOT NULL DEFAULT '',"
        " audience TEXT NOT NULL, sequence INTEGER NOT NULL, created_at TEXT NOT NULL, handled_at TEXT NOT NULL,"
        " state TEXT NOT NULL, records INTEGER NOT NULL DEFAULT 0, received INTEGER NOT NULL DEFAULT 0,"
        " new INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,"
        " conflicts INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '', file TEXT NOT NULL DEFAULT '',"
        " sha256 TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE INDEX sync_bundles_device ON sync_bundles(device_id, audience, sequence)")
    db.execute(
        "CREATE TABLE sync_conflicts (id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, row_id TEXT NOT NULL,"
        " fields TEXT NOT NULL, kept_hlc TEXT NOT NULL, other_hlc TEXT NOT NULL, kept TEXT NOT NULL,"
        " other TEXT NOT NULL, kept_is_mine INTEGER NOT NULL, bundle_id TEXT NOT NULL DEFAULT '',"
        " created_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT, UNIQUE (table_name, row_id, kept_hlc, other_hlc))"
    )
    db.execute(
        "CREATE TABLE sync_reached (table_name TEXT NOT NULL, row_id TEXT NOT NULL, hlc TEXT NOT NULL,"
        " reached_at TEXT NOT NULL, PRIMARY KEY (table_name, row_id))"
    )
    db.execute(
        "CREATE TABLE sync_duplicate_decisions (first_id TEXT NOT NULL, second_id TEXT NOT NULL,"
        " decision TEXT NOT NULL, decided_at TEXT NOT NULL, PRIMARY KEY (first_id, second_id))"
    )


@migrations()
def m003_hub(db: Database) -> None:
    """Province upload (coordinator: outbox, the pinned hub) and the hub's own books (local tables)."""
    db.execute(
        "CREATE TABLE outbox (bundle_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, file TEXT NOT NULL,"
        " since_hlc TEXT NOT NULL, until_hlc TEXT NOT NULL, records INTEGER NOT NULL, bytes INTEGER NOT NULL,"
        " sha256 TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
        " last_error TEXT, last_attempt_at TEXT, acknowledged_at TEXT, receipt TEXT)"
    )
    db.execute("CREATE INDEX outbox_state ON outbox(state, created_at)")
    # The version of each row last queued for the province: what changed since is what goes next.
    db.execute(
        "CREATE TABLE hub_sent (table_name TEXT NOT NULL, id TEXT NOT NULL, hlc TEXT NOT NULL,"
        " PRIMARY KEY (table_name, id)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE hub_pins (slot TEXT PRIMARY KEY, url TEXT, device_id TEXT NOT NULL, name TEXT,"
        " signing_key TEXT NOT NULL, age_recipient TEXT NOT NULL, pinned_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE hub_devices (device_id TEXT PRIMARY KEY, commune_code TEXT NOT NULL, name TEXT,"
        " signing_key TEXT NOT NULL, age_recipient TEXT, enrolled_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE hub_bundles (bundle_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, commune_code TEXT NOT NULL,"
        " sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, records INTEGER NOT NULL, file TEXT NOT NULL,"
        " state TEXT NOT NULL, counts TEXT, received_at TEXT NOT NULL, merged_at TEXT)"
    )
    db.execute("CREATE INDEX hub_bundles_commune ON hub_bundles(commune_code, received_at)")


@migrations()
def m004_reports(db: Database) -> None:
    """Targets (local, set by the coordinator): a rate and a deadline per indicator, for the
    commune (``village_id = ''``) or one village."""
    db.execute(
        "CREATE TABLE report_targets (indicator TEXT NOT NULL, village_id TEXT NOT NULL DEFAULT '',"
        " rate REAL NOT NULL, deadline TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " PRIMARY KEY (indicator, village_id))"
    )


KNOWN = tuple(m.name for m in migrations._migrations)
