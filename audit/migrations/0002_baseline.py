"""A first event for every row that exists when the audit trail begins, labelled "baseline": the
first change recorded afterwards then reads as old -> new like every later one."""

from django.db import migrations

EVENT_MODELS = [
    "PlanEvent", "ObjectiveEvent", "ThemeEvent", "ActivityEvent", "ResponsibilityEvent",
    "ActivityOpenKindEvent", "ParticipationEvent", "NotApplicableEvent", "OrganizationEvent",
    "FocalPointEvent", "ApiTokenEvent", "StocktakingCycleEvent", "UserEvent",
]  # fmt: skip


def baseline(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":  # no triggers, no trail (audit/models.py)
        return
    quote = connection.ops.quote_name
    for name in EVENT_MODELS:
        event_model = apps.get_model("audit", name)
        tracked = event_model._meta.get_field("pgh_obj").related_model
        columns = [
            field.column
            for field in event_model._meta.concrete_fields
            if not field.column.startswith("pgh_")
        ]
        listed = ", ".join(quote(column) for column in columns)
        schema_editor.execute(
            f"INSERT INTO {quote(event_model._meta.db_table)} ({listed}, pgh_created_at, pgh_label, pgh_obj_id) "
            f"SELECT {listed}, NOW(), 'baseline', {quote(tracked._meta.pk.column)} "
            f"FROM {quote(tracked._meta.db_table)} ORDER BY {quote(tracked._meta.pk.column)}"
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_trail")]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
