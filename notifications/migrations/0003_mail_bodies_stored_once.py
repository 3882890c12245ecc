"""E-mail bodies move from each Reminder to MailBody, stored once however many are sent alike."""

import hashlib

import django.db.models.deletion
from django.db import migrations, models

BATCH = 1000


def sha256(text: str, html: str) -> str:
    # As MailBody.of computes it (a migration does not import the model's code).
    digest = hashlib.sha256()
    for part in (text, html):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


def move_bodies(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    MailBody = apps.get_model("notifications", "MailBody")
    known: dict[str, int] = {}
    pending = Reminder.objects.filter(body__isnull=True).order_by("pk")
    while batch := list(pending.only("pk", "body_text", "body_html")[:BATCH]):
        for reminder in batch:
            digest = sha256(reminder.body_text, reminder.body_html)
            if digest not in known:
                known[digest] = MailBody.objects.create(
                    sha256=digest, text=reminder.body_text, html=reminder.body_html
                ).pk
            reminder.body_id = known[digest]
        Reminder.objects.bulk_update(batch, ["body"])


def copy_bodies_back(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    for reminder in Reminder.objects.select_related("body").iterator(chunk_size=BATCH):
        Reminder.objects.filter(pk=reminder.pk).update(body_text=reminder.body.text, body_html=reminder.body.html)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_reminder_attachments"),
    ]

    operations = [
        migrations.CreateModel(
            name="MailBody",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha256", models.CharField(editable=False, max_length=64, unique=True)),
                ("text", models.TextField()),
                ("html", models.TextField(blank=True)),
            ],
            options={"verbose_name_plural": "mail bodies"},
        ),
        migrations.AddField(
            model_name="reminder",
            name="body",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="notifications.mailbody"
            ),
        ),
        migrations.AlterField(model_name="reminder", name="body_text", field=models.TextField(blank=True)),
        migrations.RunPython(move_bodies, copy_bodies_back),
        migrations.RemoveField(model_name="reminder", name="body_text"),
        migrations.RemoveField(model_name="reminder", name="body_html"),
        migrations.AlterField(
            model_name="reminder",
            name="body",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="notifications.mailbody"
            ),
        ),
    ]
