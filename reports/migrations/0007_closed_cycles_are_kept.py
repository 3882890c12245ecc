"""A closed cycle is the record of what was reported and sent: on PostgreSQL, a trigger
refuses to delete it (and with it its e-mail and stored-report records)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tracker_keep_closed_cycle() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a closed stocktaking cycle is kept: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER closed_cycle_is_never_deleted
    BEFORE DELETE ON reports_stocktakingcycle FOR EACH ROW
    WHEN (OLD.state = 'closed')
    EXECUTE FUNCTION tracker_keep_closed_cycle();
"""

BACKWARD = "DROP TRIGGER IF EXISTS closed_cycle_is_never_deleted ON reports_stocktakingcycle;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_frozen_reports"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
