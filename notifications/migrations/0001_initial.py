import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the Reminder table from reports (renamed there by 0005): state only, no new table."""

    initial = True

    dependencies = [
        ("reports", "0005_reminder_moves_to_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Reminder",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("recipient", models.EmailField(max_length=254)),
                        ("step", models.CharField(help_text="Which reminder: before-14, overdue-1, digest, matrix...", max_length=40)),
                        ("key", models.CharField(max_length=120)),
                        ("subject", models.CharField(max_length=250)),
                        ("body_text", models.TextField()),
                        ("body_html", models.TextField(blank=True)),
                        ("state", models.CharField(choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")], default="pending", max_length=10)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("cycle", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="reminders", to="reports.stocktakingcycle")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="reminders", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [models.Index(fields=["state", "created_at"], name="reminder_pending")],
                        "constraints": [
                            models.UniqueConstraint(fields=("recipient", "key"), name="reminder_once_per_recipient_and_key"),
                            models.CheckConstraint(condition=models.Q(("state__in", ["pending", "sent", "failed"])), name="reminder_state_valid"),
                        ],
                    },
                ),
            ],
        ),
    ]
