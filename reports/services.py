"""The operations that change stocktaking cycles."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import Plan, StatusEntry
from actions.services import status_entry_log
from organizations.models import Organization
from reports.models import CycleState, StocktakingCycle
from reports.permissions import may_import_for, may_run_stocktaking
from reports.spreadsheet import ImportCheck

logger = logging.getLogger(__name__)


def _require_stocktaking(user) -> None:
    if not may_run_stocktaking(user):
        raise PermissionDenied("Only the secretariat and CTED staff run stocktaking cycles.")


@transaction.atomic
def cycle_create(
    *,
    plan: Plan,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    deadline: datetime.date,
    author,
    open_now: bool = False,
) -> StocktakingCycle:
    _require_stocktaking(author)
    cycle = StocktakingCycle(
        plan=plan,
        title=(title or "").strip(),
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        created_by=author,
    )
    if StocktakingCycle.objects.filter(plan=plan, title__iexact=cycle.title).exists():
        raise ValidationError({"title": [f"{plan.code} already has a cycle called “{cycle.title}”."]})
    cycle.full_clean()
    cycle.save()
    if open_now:
        cycle_open(cycle=cycle, user=author)
    return cycle


@transaction.atomic
def cycle_open(*, cycle: StocktakingCycle, user) -> StocktakingCycle:
    _require_stocktaking(user)
    if cycle.state != CycleState.PLANNED:
        raise ValidationError({"state": f"Only a planned cycle can be opened; this one is {cycle.state}."})
    cycle.state = CycleState.OPEN
    cycle.opened_at = timezone.now()
    try:
        with transaction.atomic():
            cycle.save(update_fields=["state", "opened_at"])
    except IntegrityError:
        raise ValidationError(
            {"state": f"{cycle.plan.code} already has an open cycle: close it before opening another."}
        ) from None
    return cycle


@transaction.atomic
def cycle_close(*, cycle: StocktakingCycle, user=None) -> StocktakingCycle:
    """Close a cycle: its report is from now on the plan as it stood at this moment.

    ``user`` is None when the scheduled job closes a cycle whose period has ended.
    """
    if user is not None:
        _require_stocktaking(user)
    # A conditional update, so two closings (a person and the job) close it once.
    closed_at = timezone.now()
    changed = StocktakingCycle.objects.filter(pk=cycle.pk, state=CycleState.OPEN).update(
        state=CycleState.CLOSED, closed_at=closed_at
    )
    if not changed:
        raise ValidationError({"state": "Only an open cycle can be closed."})
    cycle.state, cycle.closed_at = CycleState.CLOSED, closed_at
    transaction.on_commit(lambda: _queue_distribution(cycle.pk))
    return cycle


def _queue_distribution(cycle_id: int) -> None:
    """Send the closed cycle's report; if the broker is down, the close-cycles job sends it."""
    from reports.tasks import distribute_cycle_report

    try:
        distribute_cycle_report.apply_async(args=[cycle_id], retry=False)
    except Exception as error:  # any broker failure
        logger.warning("Report of cycle %s not queued (%s); the close-cycles job sends it.", cycle_id, error)


@transaction.atomic
def status_entries_import(*, organization: Organization, author, check: ImportCheck) -> list[StatusEntry]:
    """Log every new row of a checked spreadsheet, or none of them.

    Rows identical to an entry already logged are left out, so the same file twice logs once.
    """
    if not may_import_for(author, organization):
        raise PermissionDenied(f"You may not log progress on behalf of {organization.acronym}.")
    if check.errors:
        raise ValidationError(f"The file has {len(check.errors)} error(s); nothing was logged.")
    logged = []
    for row in check.to_log:
        try:
            logged.append(
                status_entry_log(
                    activity=row.activity,
                    organization=organization,
                    author=author,
                    status=row.status,
                    observations=row.observations,
                    reported_on=row.reported_on,
                    confidentiality=row.confidentiality,
                    evidence=row.evidence,
                )
            )
        except ValidationError as error:
            raise ValidationError(f"Row {row.row}: {' '.join(error.messages)} Nothing was logged.") from None
    return logged
