"""notifications 0003 moves each reminder's body to MailBody, once per distinct body, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("notifications", "0002_reminder_attachments")]
AFTER = [("notifications", "0003_mail_bodies_stored_once")]


def latest():
    """Every app's latest migration: where the test leaves the database for the tests after it."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def migrate(to):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(to)
    return executor.loader.project_state(to).apps


@pytest.mark.django_db(transaction=True)
def test_the_bodies_move_to_mail_bodies_once_each_and_back():
    apps = migrate(BEFORE)
    Reminder = apps.get_model("notifications", "Reminder")
    for n, (text, html) in enumerate([("Digest", "<p>Digest</p>"), ("Digest", "<p>Digest</p>"), ("Reminder", "")]):
        Reminder.objects.create(
            recipient=f"r{n}@example.org", key="k", step="s", subject="S", body_text=text, body_html=html
        )
    try:
        apps = migrate(AFTER)
        Reminder, MailBody = apps.get_model("notifications", "Reminder"), apps.get_model("notifications", "MailBody")
        moved = {r.recipient: (r.body.text, r.body.html, r.body_id) for r in Reminder.objects.select_related("body")}
        assert moved["r0@example.org"] == moved["r1@example.org"]
        assert moved["r0@example.org"][:2] == ("Digest", "<p>Digest</p>")
        assert moved["r2@example.org"][:2] == ("Reminder", "")
        assert MailBody.objects.count() == 2
        # The digest the application computes names the same rows: a body written again is not stored twice.
        from notifications.models import MailBody as Current

        assert (
            Current.of("Digest", "<p>Digest</p>").sha256 == MailBody.objects.get(pk=moved["r0@example.org"][2]).sha256
        )

        apps = migrate(BEFORE)
        Reminder = apps.get_model("notifications", "Reminder")
        back = {r.recipient: (r.body_text, r.body_html) for r in Reminder.objects.all()}
        assert back == {
            "r0@example.org": ("Digest", "<p>Digest</p>"),
            "r1@example.org": ("Digest", "<p>Digest</p>"),
            "r2@example.org": ("Reminder", ""),
        }
    finally:
        apps.get_model("notifications", "Reminder").objects.all().delete()
        migrate(latest())
