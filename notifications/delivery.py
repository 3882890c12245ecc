"""Sending the e-mails written in notifications/mailing.py, one Reminder row at a time.

Each is sent by a Celery task queued when the row commits; what could not be queued, or
whose sending failed, is sent by the next job run (``deliver_pending``).
"""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from notifications.models import Reminder, ReminderState
from reports import exports

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SEND_ERRORS = (SMTPException, OSError)


@shared_task(
    acks_late=True,
    autoretry_for=SEND_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
)
def deliver_reminder(reminder_id: int) -> bool:
    return reminder_deliver(reminder_id=reminder_id)


def enqueue_delivery(reminder_id: int) -> None:
    """Queue the sending; if the broker cannot be reached, leave it for the next run."""
    try:
        deliver_reminder.apply_async(args=[reminder_id], retry=False)
    except Exception as error:  # any broker failure: kombu raises several kinds
        logger.warning("Reminder %s not queued (%s); the next job run sends it.", reminder_id, error)


def reminder_deliver(*, reminder_id: int) -> bool:
    """Send one pending reminder. True when sent now; False when it was not pending.

    The row is locked while sending, so the queued task and a job's sweep never both send it.
    Raises the SMTP error after recording it, so the task can retry with backoff.
    """
    failure = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("body")
            .filter(pk=reminder_id, state=ReminderState.PENDING)
            .first()
        )
        if reminder is None:
            return False
        message = EmailMultiAlternatives(
            reminder.subject, reminder.body.text, settings.DEFAULT_FROM_EMAIL, [reminder.recipient]
        )
        if reminder.body.html:
            message.attach_alternative(reminder.body.html, "text/html")
        reminder.attempts += 1
        try:
            # A stored file that cannot be read fails like the mail server: recorded, retried.
            for record in reminder.attachments.select_related("cycle__plan").order_by("format"):
                with record.file.open("rb") as stored:
                    message.attach(record.download_name, stored.read(), exports.FORMATS[record.format])
            message.send()
        except SEND_ERRORS as error:
            failure = error
            reminder.last_error = f"{type(error).__name__}: {error}"[:2000]
            if reminder.attempts >= MAX_ATTEMPTS:
                reminder.state = ReminderState.FAILED
        else:
            reminder.state = ReminderState.SENT
            reminder.sent_at = timezone.now()
            reminder.last_error = ""
        reminder.save(update_fields=["attempts", "last_error", "state", "sent_at"])
    if failure is not None:
        raise failure
    return True


def deliver_pending(limit: int = 1000) -> int:
    """Send what is still pending (not queued, or whose sending failed); the count sent."""
    sent = 0
    pending = Reminder.objects.filter(state=ReminderState.PENDING).order_by("created_at").values_list("pk", flat=True)
    for reminder_id in list(pending[:limit]):
        try:
            sent += reminder_deliver(reminder_id=reminder_id)
        except SEND_ERRORS as error:
            logger.warning("Reminder %s not sent: %s", reminder_id, error)
    return sent
