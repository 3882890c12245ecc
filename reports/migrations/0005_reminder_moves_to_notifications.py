from django.db import migrations


class Migration(migrations.Migration):
    """The outgoing-mail record moves to the notifications app; its rows stay as they are."""

    dependencies = [
        ("reports", "0004_report_sent_and_mail_help"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("Reminder", "notifications_reminder")],
            state_operations=[migrations.DeleteModel("Reminder")],
        ),
    ]
