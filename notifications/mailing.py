"""Writing the e-mails of the jobs: reminders, digests, reports, receipts.

An e-mail is first a Reminder row, written in the transaction that causes it and unique
per recipient and key; its delivery (notifications/delivery.py) is queued once that
transaction commits. A broker that is down only delays it: every job run also sends what
is still pending.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from notifications.delivery import enqueue_delivery
from notifications.models import Reminder
from organizations.models import FocalPoint, Organization
from reports.models import ReportFile


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def reminder_written(recipient: str, key: str) -> bool:
    """Whether ``recipient`` already has the e-mail with ``key``: a job asks before building one."""
    return Reminder.objects.filter(recipient=recipient, key=key).exists()


def reminder_write(
    *,
    recipient: str,
    key: str,
    step: str,
    template: str,
    context: dict,
    user=None,
    cycle=None,
    attachments: Iterable[ReportFile] = (),
):
    """Write one e-mail to send, unless ``recipient`` already has the one with ``key``.

    ``attachments``: stored reports sent with it as files (notifications/delivery.py reads them).
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
            reminder.attachments.set(attachments)
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue_delivery(reminder.pk))
    return reminder


def mail_focal_point(focal_point: FocalPoint, **mail: Any) -> bool:
    """Write one e-mail (``reminder_write``'s arguments) to a focal point; whether it was new."""
    return reminder_write(recipient=focal_point.email, user=focal_point.user, **mail) is not None


def mail_user(user: User, **mail: Any) -> bool:
    """Write one e-mail (``reminder_write``'s arguments) to a user's address; whether it was new."""
    return reminder_write(recipient=user.email, user=user, **mail) is not None


def focal_points_of(organizations: Iterable[Organization]) -> list[FocalPoint]:
    """The active focal points with an e-mail address of ``organizations``, with their accounts."""
    return list(
        FocalPoint.objects.filter(organization__in=organizations, is_active=True)
        .exclude(email="")
        .select_related("organization", "user")
        .order_by("organization__acronym", "name")
    )


def notify_focal_points(
    *, organization: Organization, key: str, step: str, template: str, context: dict[str, Any]
) -> int:
    """Write one e-mail to each active focal point of ``organization``; the count written."""
    written = 0
    for focal_point in focal_points_of([organization]):
        written += mail_focal_point(
            focal_point,
            step=step,
            key=key,
            template=template,
            context={**context, "focal_point": focal_point, "organization": organization},
        )
    return written
