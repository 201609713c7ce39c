"""A GIN index for the learning board's full-text search, on PostgreSQL only.

The indexed expression is the one reflections.selectors.board._search builds (weights A, A, B,
C on title, key takeaway, context and answers, English configuration), so PostgreSQL can use
it; tests/reflections/test_postgres.py checks the plan. SQLite searches with a plain match.
"""

from django.db import migrations

INDEX = "reflection_board_search_gin"
EXPRESSION = (
    "((setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(key_takeaway, '')), 'A'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(context_label, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(search_text, '')), 'C')"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON reflections_reflection USING gin (({EXPRESSION}))")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("reflections", "0004_reflection_one_per_context")]

    operations = [migrations.RunPython(create_index, drop_index)]
