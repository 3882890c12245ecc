"""Status entries and reviews are append-only in the database too, on PostgreSQL.

A trigger refuses an UPDATE that changes anything of an entry but its review state, and any
DELETE of an entry or a review: a correction is a new entry, a decision a new review. The
application never does either; this holds against a script, a shell or a bad migration too.
TRUNCATE (what the test runner uses to empty the tables) is not a row deletion and passes.
SQLite, the embedded first-run database, has no such guard.
"""

from django.db import migrations

CONTENT = [
    "activity_id", "organization_id", "status", "observations", "evidence", "reported_on",
    "author_id", "confidentiality", "supersedes_id", "created_at",
]  # fmt: skip

FORWARD = f"""
CREATE OR REPLACE FUNCTION tracker_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER status_entry_content_is_append_only
    BEFORE UPDATE ON actions_statusentry FOR EACH ROW
    WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CONTENT)})
    EXECUTE FUNCTION tracker_refuse_change();
CREATE TRIGGER status_entry_is_never_deleted
    BEFORE DELETE ON actions_statusentry FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change();
CREATE TRIGGER status_entry_review_is_never_changed
    BEFORE UPDATE OR DELETE ON actions_statusentryreview FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS status_entry_content_is_append_only ON actions_statusentry;
DROP TRIGGER IF EXISTS status_entry_is_never_deleted ON actions_statusentry;
DROP TRIGGER IF EXISTS status_entry_review_is_never_changed ON actions_statusentryreview;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0004_participants_and_not_applicable"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
