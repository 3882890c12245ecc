"""Writing and sending the e-mails of the jobs: reminders, digests, reports, receipts.

An e-mail is first a Reminder row, written in the transaction that causes it and unique
per recipient and key; its delivery is queued once that transaction commits. A broker
that is down only delays it: every job run also sends what is still pending.
"""

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from reports.models import Reminder, ReminderState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SEND_ERRORS = (SMTPException, OSError)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def reminder_written(recipient: str, key: str) -> bool:
    """Whether ``recipient`` already has the e-mail with ``key``: a job asks before building one."""
    return Reminder.objects.filter(recipient=recipient, key=key).exists()


def reminder_write(*, recipient: str, key: str, step: str, template: str, context: dict, user=None, cycle=None):
    """Write one e-mail to send, unless ``recipient`` already has the one with ``key``.

    Returns the new Reminder, or None when it was written before (by this run or another).
    The unique constraint decides between two runs at once; the check before it only
    spares rendering an e-mail that was written before.
    """
    if reminder_written(recipient, key):
        return None
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body_text = render_to_string(f"emails/{template}.txt", context)
    body_html = render_to_string(f"emails/{template}.html", context)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                recipient=recipient,
                user=user,
                cycle=cycle,
                step=step,
                key=key,
                subject=subject[:250],
                body_text=body_text,
                body_html=body_html,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue_delivery(reminder.pk))
    return reminder


def enqueue_delivery(reminder_id: int) -> None:
    """Queue the sending; if the broker cannot be reached, leave it for the next run."""
    from reports.tasks import deliver_reminder

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
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder_id, state=ReminderState.PENDING)
            .first()
        )
        if reminder is None:
            return False
        message = EmailMultiAlternatives(
            reminder.subject, reminder.body_text, settings.DEFAULT_FROM_EMAIL, [reminder.recipient]
        )
        if reminder.body_html:
            message.attach_alternative(reminder.body_html, "text/html")
        reminder.attempts += 1
        try:
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


def focal_points_of(organizations) -> list:
    """The active focal points with an e-mail address of ``organizations``, with their accounts."""
    from organizations.models import FocalPoint

    return list(
        FocalPoint.objects.filter(organization__in=organizations, is_active=True)
        .exclude(email="")
        .select_related("organization", "user")
        .order_by("organization__acronym", "name")
    )


def notify_focal_points(*, organization, key: str, step: str, template: str, context: dict) -> int:
    """Write one e-mail to each active focal point of ``organization``; the count written."""
    written = 0
    for focal_point in focal_points_of([organization]):
        written += bool(
            reminder_write(
                recipient=focal_point.email,
                user=focal_point.user,
                step=step,
                key=key,
                template=template,
                context={**context, "focal_point": focal_point, "organization": organization},
            )
        )
    return written
