"""PostgreSQL: the tsvector stored beside the tokens (a generated column) with the GIN index
on it, so matching and ranking read it instead of recomputing `to_tsvector` for every
candidate row — the ledger's keyword filter spent most of its time there on a city's
hundred thousand matters (docs/benchmarks.md). The model does not declare the column: the
database fills it, and only `core.search` reads it. SQLite keeps its FTS5 table."""

from typing import Any

from django.db import migrations

COLUMN = "tsv"
INDEX = "core_searchentry_tsv_stored_gin"
OLD_INDEX = "core_searchentry_tsv_gin"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE core_searchentry ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON core_searchentry USING gin ({COLUMN})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON core_searchentry "
        "USING gin (to_tsvector('simple', tokens))"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE core_searchentry DROP COLUMN IF EXISTS {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_search_full_text"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
