"""Full-text search on the index: a GIN index on the `simple` tsvector on PostgreSQL; an FTS5
table over the tokens, kept in sync by triggers, on SQLite (core/search.py queries both).

On SQLite, a later migration that alters core_searchentry remakes the table and drops these
triggers: it must run SQLITE_INSTALL again (the FTS5 table itself survives the remake)."""

from typing import Any

from django.db import migrations

PG_INDEX = "core_searchentry_tsv_gin"
FTS = "core_searchentry_fts"

SQLITE_INSTALL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(tokens, content='core_searchentry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON core_searchentry BEGIN "
    f"INSERT INTO {FTS}(rowid, tokens) VALUES (new.id, new.tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON core_searchentry BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, tokens) VALUES ('delete', old.id, old.tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE ON core_searchentry BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    f"INSERT INTO {FTS}(rowid, tokens) VALUES (new.id, new.tokens); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]


def install_sqlite_fts(schema_editor: Any) -> None:
    for sql in SQLITE_INSTALL:
        schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON core_searchentry "
            "USING gin (to_tsvector('simple', tokens))"
        )
    elif vendor == "sqlite":
        install_sqlite_fts(schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif vendor == "sqlite":
        for sql in SQLITE_REMOVE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_import_queue_channel"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
