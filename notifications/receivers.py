"""Whom to tell when something happens in the domain apps (connected in NotificationsConfig.ready).

Each receiver runs inside the transaction of the change it hears of. The e-mails it causes
are written by a worker once the change commits (or, without one, in that transaction) and
sent after.
"""

import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import StatusEntry, StatusEntryReview
from actions.signals import entry_logged, entry_returned
from notifications.mailing import absolute, mail_user
from notifications.tasks import distribute_cycle_report, write_entry_receipts
from organizations.invitations import INVITATION_VALID_DAYS
from organizations.models import FocalPoint
from organizations.roles import user_role
from organizations.signals import user_invited
from reports.models import StocktakingCycle
from reports.signals import cycle_closed
from tracker.languages import active_language, supported
from tracker.queueing import run_after_commit

logger = logging.getLogger(__name__)


@receiver(entry_logged, dispatch_uid="notifications.entry_logged")
def receipt_for_logged_entry(sender: type, *, entry: StatusEntry, **kwargs: Any) -> None:
    """The organization's focal points hear that progress was logged on its behalf."""
    _tell_focal_points(entry.pk, step="logged")


@receiver(entry_returned, dispatch_uid="notifications.entry_returned")
def notice_of_returned_entry(sender: type, *, entry: StatusEntry, review: StatusEntryReview, **kwargs: Any) -> None:
    """The organization's focal points hear that CTED returned an entry, and why."""
    _tell_focal_points(entry.pk, step="returned", review_id=review.pk)


def _tell_focal_points(entry_id: int, *, step: str, review_id: int | None = None) -> None:
    """A worker writes the e-mails once the change commits: the request that logs an entry does not
    wait for one e-mail per focal point. Without a worker they are written now, in the change's
    transaction; with a broker that cannot be reached, once it commits, here."""
    run_after_commit(write_entry_receipts, entry_id=entry_id, step=step, review_id=review_id)


@receiver(cycle_closed, dispatch_uid="notifications.cycle_closed")
def distribution_of_closed_cycle(sender: type, *, cycle: StocktakingCycle, **kwargs: Any) -> None:
    """Once the closing commits, send the report; if the broker is down, the close-cycles job sends it."""
    transaction.on_commit(lambda: _queue_distribution(cycle.pk))


def _queue_distribution(cycle_id: int) -> None:
    try:
        distribute_cycle_report.apply_async(args=[cycle_id], retry=False)
    except Exception as error:  # any broker failure: kombu raises several kinds
        logger.warning("Report of cycle %s not queued (%s); the close-cycles job sends it.", cycle_id, error)


@receiver(user_invited, dispatch_uid="notifications.user_invited")
def invitation(sender: type, *, user: User, invited_by: User, link: str, **kwargs: Any) -> None:
    """The invited person gets the link to set their password; each invitation is its own e-mail, in the
    language they chose if they have (invited again), else in the one the inviter reads: the invitation
    form asks for none, and the person has not yet chosen."""
    focal_point = FocalPoint.objects.filter(user=user).select_related("organization").first()
    role = user_role(user)
    mail_user(
        user,
        step="invitation",
        key=f"invitation:{user.pk}:{timezone.now():%Y%m%dT%H%M%S%f}",
        template="invitation",
        context={
            "name": user.get_full_name() or user.username,
            "invited_by": invited_by.get_full_name() or invited_by.username,
            "role": role.label if role else _("a participant"),
            "organization": focal_point.organization if focal_point else None,
            "username": user.username,
            "link": absolute(link),
            "valid_days": INVITATION_VALID_DAYS,
        },
        language=invitation_language(user),
    )


def invitation_language(user: User) -> str:
    """The language of an invitation to ``user``: their own choice, else the inviter's (the active one,
    the invitation being sent from the inviter's page), else the site's."""
    profile = getattr(user, "profile", None)
    return supported(profile.language if profile is not None else None) or active_language()
