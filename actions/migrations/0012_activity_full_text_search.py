"""On PostgreSQL, each activity keeps a weighted full-text vector of its text (A), responsible text (B)
and note (C), in English (stemmed: "passports" finds "passport"), kept by a trigger on every insert and
update, whoever writes (the admin, a fixture, a bulk load), and indexed (GIN). Elsewhere nothing: the
search is a plain match there (ActivityQuerySet.search).

The column is not a model field: only ``ActivityQuerySet.search`` reads it.
"""

from django.db import migrations

VECTOR = """
    setweight(to_tsvector('english', coalesce({row}text, '')), 'A')
    || setweight(to_tsvector('english', coalesce({row}responsible_text, '')), 'B')
    || setweight(to_tsvector('english', coalesce({row}note, '')), 'C')
"""

FORWARD = [
    "ALTER TABLE actions_activity ADD COLUMN search_vector tsvector",
    f"""
    CREATE FUNCTION actions_activity_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {VECTOR.format(row="NEW.")};
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER actions_activity_search_vector
    BEFORE INSERT OR UPDATE OF text, responsible_text, note ON actions_activity
    FOR EACH ROW EXECUTE FUNCTION actions_activity_search_vector()
    """,
    f"UPDATE actions_activity SET search_vector = {VECTOR.format(row='')}",
    "CREATE INDEX actions_activity_search ON actions_activity USING gin (search_vector)",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS actions_activity_search_vector ON actions_activity",
    "DROP FUNCTION IF EXISTS actions_activity_search_vector()",
    "ALTER TABLE actions_activity DROP COLUMN IF EXISTS search_vector",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("actions", "0011_entry_awaiting_by_organization")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
