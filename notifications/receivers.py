"""Whom to tell when something happens in the domain apps (connected in NotificationsConfig.ready).

Each receiver runs inside the transaction of the change it hears of: the e-mail it writes
commits with that change, and is sent after it.
"""

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from actions.models import StatusEntry, StatusEntryReview
from actions.signals import entry_logged, entry_returned
from notifications.mailing import absolute, notify_focal_points
from notifications.tasks import distribute_cycle_report
from reports.models import StocktakingCycle
from reports.signals import cycle_closed

logger = logging.getLogger(__name__)


@receiver(entry_logged, dispatch_uid="notifications.entry_logged")
def receipt_for_logged_entry(sender: type, *, entry: StatusEntry, **kwargs: Any) -> None:
    """The organization's focal points hear that progress was logged on its behalf."""
    _tell_focal_points(entry, step="logged", template="entry_logged")


@receiver(entry_returned, dispatch_uid="notifications.entry_returned")
def notice_of_returned_entry(sender: type, *, entry: StatusEntry, review: StatusEntryReview, **kwargs: Any) -> None:
    """The organization's focal points hear that CTED returned an entry, and why."""
    _tell_focal_points(entry, step="returned", template="entry_returned", review=review)


def _tell_focal_points(
    entry: StatusEntry, *, step: str, template: str, review: StatusEntryReview | None = None
) -> None:
    notify_focal_points(
        organization=entry.organization,
        key=f"entry:{entry.pk}:{step}",
        step=step,
        template=template,
        context={"entry": entry, "review": review, "link": absolute(entry.activity.get_absolute_url())},
    )


@receiver(cycle_closed, dispatch_uid="notifications.cycle_closed")
def distribution_of_closed_cycle(sender: type, *, cycle: StocktakingCycle, **kwargs: Any) -> None:
    """Once the closing commits, send the report; if the broker is down, the close-cycles job sends it."""
    transaction.on_commit(lambda: _queue_distribution(cycle.pk))


def _queue_distribution(cycle_id: int) -> None:
    try:
        distribute_cycle_report.apply_async(args=[cycle_id], retry=False)
    except Exception as error:  # any broker failure: kombu raises several kinds
        logger.warning("Report of cycle %s not queued (%s); the close-cycles job sends it.", cycle_id, error)
