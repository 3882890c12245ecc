"""Writing the e-mails of the jobs: reminders, digests, reports, receipts.

An e-mail is first a Reminder row, written in the transaction that causes it and unique
per recipient and key; its delivery (notifications/delivery.py) is queued once that
transaction commits. A broker that is down only delays it: every job run also sends what
is still pending.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from actions.models import StatusEntry, StatusEntryReview
from notifications.delivery import enqueue_delivery
from notifications.models import MailBody, Reminder
from organizations.languages import language_of
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
    requested_by=None,
    language: str | None = None,
):
    """Write one e-mail to send, unless ``recipient`` already has the one with ``key``.

    ``attachments``: stored reports sent with it as files (notifications/delivery.py reads them).
    ``language``: the one to write it in where ``user``'s own is not the one (see ``Mail.language``).
    Returns the new Reminder, or None when it was written before (by this run or another).
    The unique constraint decides between two runs at once; the check before it only
    spares rendering an e-mail that was written before.
    """
    if reminder_written(recipient, key):
        return None
    reminder = _reminder(
        Mail(
            recipient=recipient,
            key=key,
            step=step,
            template=template,
            context=context,
            user=user,
            cycle=cycle,
            requested_by=requested_by,
            language=language,
        )
    )
    try:
        with transaction.atomic():
            MailBody.objects.stored([reminder.body])
            reminder.save()
            reminder.attachments.set(attachments)
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue_delivery(reminder.pk))
    return reminder


@dataclass
class Mail:
    """One e-mail to write: ``reminder_write``'s arguments, for ``reminders_write``."""

    recipient: str
    key: str
    step: str
    template: str
    context: dict
    user: Any = None
    cycle: Any = None
    attachments: list[ReportFile] = field(default_factory=list)
    # Who asked for it, when a person did (a reminder sent now); None for what a job sends on its own.
    requested_by: Any = None
    # Mails of one edition (any hashable name) read the same, word for word: rendered once per
    # language. Their context must then hold nothing that differs from one recipient to the next.
    edition: Any = None
    # The language it is written in, where it is not the recipient's own (``language_of(user)``): an
    # invitation, to someone who has chosen none yet, goes in the language the inviter reads.
    language: str | None = None

    def written_in(self) -> str:
        return self.language or language_of(self.user)


def reminders_write(mails: Iterable[Mail]) -> int:
    """Write many e-mails at once, each unless its recipient already has the one with its key; the
    count written. One query finds those written before, one insert writes the rest, and each is
    queued for delivery once the transaction commits: the cost of a batch is its rendering. If
    another run wrote one of them meanwhile (the unique constraint), they are written one by one.
    """
    mails = list(mails)
    if not mails:
        return 0
    before = set(
        Reminder.objects.filter(recipient__in={m.recipient for m in mails}, key__in={m.key for m in mails}).values_list(
            "recipient", "key"
        )
    )
    new: list[Mail] = []
    for mail in mails:
        if (mail.recipient, mail.key) not in before:
            before.add((mail.recipient, mail.key))  # and not twice in one batch
            new.append(mail)
    rendered: dict[Any, Reminder] = {}
    rows = []
    for mail in new:
        if mail.edition is None:
            rows.append(_reminder(mail))
            continue
        edition = (mail.template, mail.edition, mail.written_in())
        if edition not in rendered:
            rendered[edition] = _reminder(mail)
        text = rendered[edition]
        rows.append(
            Reminder(
                recipient=mail.recipient,
                user=mail.user,
                cycle=mail.cycle,
                step=mail.step,
                key=mail.key,
                subject=text.subject,
                body=text.body,
                requested_by=mail.requested_by,
            )
        )
    try:
        with transaction.atomic():
            MailBody.objects.stored([row.body for row in rows])
            Reminder.objects.bulk_create(rows, batch_size=500)
            for row, mail in zip(rows, new, strict=True):
                if mail.attachments:
                    row.attachments.set(mail.attachments)
    except IntegrityError:
        return sum(reminder_write(**_arguments(mail)) is not None for mail in new)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue_all(ids))
    return len(rows)


def _arguments(mail: Mail) -> dict[str, Any]:
    """``reminder_write``'s arguments for ``mail``: each renders its own when written one by one."""
    arguments = dict(vars(mail))
    arguments.pop("edition")
    return arguments


def _enqueue_all(ids: list[int]) -> None:
    for pk in ids:
        enqueue_delivery(pk)


def _reminder(mail: Mail) -> Reminder:
    """``mail`` written out, in its recipient's language (its dates too: the templates format them)."""
    with translation.override(mail.written_in()):
        return _written(mail)


def _one_line(text: str) -> str:
    """``text`` on one line, its runs of spaces and line breaks one space; a no-break space (before a
    French colon) is kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ")


def _written(mail: Mail) -> Reminder:
    context = {**mail.context, "site_url": settings.SITE_URL}
    return Reminder(
        recipient=mail.recipient,
        user=mail.user,
        cycle=mail.cycle,
        step=mail.step,
        key=mail.key,
        requested_by=mail.requested_by,
        subject=_one_line(render_to_string(f"emails/{mail.template}_subject.txt", context))[:250],
        body=MailBody.of(
            render_to_string(f"emails/{mail.template}.txt", context),
            render_to_string(f"emails/{mail.template}.html", context),
        ),
    )


def mail_focal_point(focal_point: FocalPoint, **mail: Any) -> bool:
    """Write one e-mail (``reminder_write``'s arguments) to a focal point; whether it was new."""
    return reminder_write(recipient=focal_point.email, user=focal_point.user, **mail) is not None


def mail_user(user: User, **mail: Any) -> bool:
    """Write one e-mail (``reminder_write``'s arguments) to a user's address; whether it was new."""
    return reminder_write(recipient=user.email, user=user, **mail) is not None


def focal_points_of(organizations: Iterable[Organization]) -> list[FocalPoint]:
    """The active focal points with an e-mail address of ``organizations``, with their accounts (and the
    language each reads)."""
    return list(
        FocalPoint.objects.filter(organization__in=organizations, is_active=True)
        .exclude(email="")
        .select_related("organization", "user__profile")
        .order_by("organization__acronym", "name")
    )


def notify_focal_points(
    *,
    organization: Organization,
    key: str,
    step: str,
    template: str,
    context: dict[str, Any],
    actor: User | None = None,
) -> int:
    """Write one e-mail to each active focal point of ``organization`` but the ``actor`` (no one hears
    of what they did themselves); the count written."""
    return reminders_write(
        Mail(
            recipient=focal_point.email,
            user=focal_point.user,
            step=step,
            key=key,
            template=template,
            context={**context, "focal_point": focal_point, "organization": organization},
        )
        for focal_point in focal_points_of([organization])
        if actor is None or focal_point.user_id != actor.pk
    )


# What tells an organization's focal points of a step in one of its entries' life.
RECEIPT_TEMPLATES = {"logged": "entry_logged", "returned": "entry_returned"}


def entry_receipts_write(*, entry_id: int, step: str, review_id: int | None = None) -> int:
    """Write the e-mails telling ``entry``'s organization's focal points of ``step``, but the one who took
    it (who logged the entry, or reviewed it); the count written.

    Written once per focal point and step (the key), however often it is asked for.
    """
    entry = StatusEntry.objects.select_related("organization", "activity__plan", "author").get(pk=entry_id)
    review = StatusEntryReview.objects.select_related("reviewer").get(pk=review_id) if review_id else None
    return notify_focal_points(
        organization=entry.organization,
        key=f"entry:{entry.pk}:{step}",
        step=step,
        template=RECEIPT_TEMPLATES[step],
        context={"entry": entry, "review": review, "link": absolute(entry.activity.get_absolute_url())},
        actor=review.reviewer if review else entry.author,
    )
