"""The operations that change stocktaking cycles."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions import permissions
from actions.models import Plan, StatusEntry
from actions.permissions import Who
from actions.services import not_applicable_declare, status_entry_log
from organizations.models import FocalPoint, Organization
from reports import exports, signals
from reports.builder import Report, build_report
from reports.models import CycleState, Edition, ReportFile, StocktakingCycle
from reports.spreadsheet import ImportCheck

# The formats stored when a cycle's report goes to the participants.
STORED_FORMATS = ("pdf", "xlsx")


@transaction.atomic
def cycle_create(
    *,
    plan: Plan,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    deadline: datetime.date,
    author: User,
    open_now: bool = False,
) -> StocktakingCycle:
    permissions.may_run_stocktaking(author, plan).require()
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
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:  # another request made the same cycle since the check above
        raise ValidationError({"title": [f"{plan.code} already has a cycle called “{cycle.title}”."]}) from None
    signals.cycle_created.send(sender=StocktakingCycle, cycle=cycle, actor=author)
    if open_now:
        cycle_open(cycle=cycle, actor=author)
    return cycle


@transaction.atomic
def cycle_open(*, cycle: StocktakingCycle, actor: Who) -> StocktakingCycle:
    permissions.may_run_stocktaking(actor, cycle.plan).require()
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
    signals.cycle_opened.send(sender=StocktakingCycle, cycle=cycle, actor=actor)
    return cycle


@dataclass(frozen=True)
class ClosingPreview:
    """What closing a cycle will do, counted now: whom its report goes to and who has not reported."""

    cycle: StocktakingCycle
    organizations: int  # the plan's expected reporters, to whose focal points the report goes
    recipients: int  # their active focal points with an e-mail address (one e-mail per address)
    unreported_pairs: int  # expected activity-organization pairs without an entry in the cycle

    @property
    def summary(self) -> str:
        return (
            f"Closing “{self.cycle.title}” cannot be undone: its report is frozen as the plan stands now, "
            f"stored as {' and '.join(f.upper() for f in STORED_FORMATS)} and e-mailed to "
            f"{_count(self.recipients, 'focal point')} of {_count(self.organizations, 'organization')}; "
            f"{_count(self.unreported_pairs, 'expected activity-organization pair')} "
            f"{'has' if self.unreported_pairs == 1 else 'have'} not reported and will show as not reported."
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def cycle_closing_preview(cycle: StocktakingCycle) -> ClosingPreview:
    """What closing ``cycle`` will do; the page and the API ask to confirm it with these numbers."""
    organizations = cycle.plan.expected_organizations()
    recipients = (
        FocalPoint.objects.filter(organization__in=organizations, is_active=True)
        .exclude(email="")
        .values("email")
        .distinct()
        .count()
    )
    unreported = sum(len(activities) for activities in cycle.unreported().values())
    return ClosingPreview(
        cycle=cycle, organizations=len(organizations), recipients=recipients, unreported_pairs=unreported
    )


@transaction.atomic
def cycle_close(*, cycle: StocktakingCycle, actor: Who, confirm: bool) -> StocktakingCycle:
    """Close a cycle: its report is from now on the plan as it stood at this moment.

    ``actor`` is a person, or ``permissions.SYSTEM`` when the scheduled job closes a cycle
    whose period has ended. Closing cannot be undone: without ``confirm`` it is refused on
    the field ``confirm`` with what it would do (``cycle_closing_preview``).
    """
    permissions.may_run_stocktaking(actor, cycle.plan).require()
    if not cycle.is_open:
        raise ValidationError({"state": "Only an open cycle can be closed."})
    if not confirm:
        raise ValidationError({"confirm": f"{cycle_closing_preview(cycle).summary} Confirm to close it."})
    # A conditional update, so two closings (a person and the job) close it once.
    closed_at = timezone.now()
    changed = StocktakingCycle.objects.filter(pk=cycle.pk, state=CycleState.OPEN).update(
        state=CycleState.CLOSED, closed_at=closed_at
    )
    if not changed:
        raise ValidationError({"state": "Only an open cycle can be closed."})
    cycle.state, cycle.closed_at = CycleState.CLOSED, closed_at
    _freeze(cycle)
    signals.cycle_closed.send(sender=StocktakingCycle, cycle=cycle, actor=actor)
    return cycle


def _freeze(cycle: StocktakingCycle) -> None:
    """Keep each edition's report as the closed cycle's plan, participants and entries stood at its closing:
    a later edit of the plan, an organization or the participants changes nothing of it."""
    cycle.frozen_reports = {edition: build_report(cycle=cycle, edition=edition).to_snapshot() for edition in Edition}
    StocktakingCycle.objects.filter(pk=cycle.pk).update(frozen_reports=cycle.frozen_reports)


def cycle_report_read(*, cycle: StocktakingCycle, edition: str = Edition.PARTICIPANTS) -> Report:
    """The report of ``cycle`` in ``edition``: as it stands while the cycle is open, as frozen when it closed.

    A cycle closed before reports were frozen is frozen on its first reading, from the
    history as it stood at its closing.
    """
    if not cycle.is_closed:
        return build_report(cycle=cycle, edition=edition)
    if Edition(edition) not in cycle.frozen_reports:
        with transaction.atomic():
            _freeze(cycle)
    return Report.from_snapshot(cycle.frozen_reports[Edition(edition)])


@transaction.atomic
def cycle_report_store(*, cycle: StocktakingCycle, actor: Who) -> dict[str, ReportFile]:
    """Store the closed cycle's report for all participants (nothing restricted in it), once per format.

    Returns the stored files by format; those stored before are kept as they are.
    """
    permissions.may_run_stocktaking(actor, cycle.plan).require()
    if not cycle.is_closed:
        raise ValidationError({"state": "Only a closed cycle's report is stored."})
    stored = {f.format: f for f in cycle.report_files.all()}
    report = None
    for format_ in STORED_FORMATS:
        if format_ not in stored:
            report = report or cycle_report_read(cycle=cycle, edition=Edition.PARTICIPANTS)
            record = ReportFile(cycle=cycle, format=format_)
            record.file.save(
                exports.filename(report, format_), ContentFile(exports.render(report, format_)), save=False
            )
            record.save()
            stored[format_] = record
    return stored


def cycle_report_sent(*, cycle: StocktakingCycle, actor: Who) -> StocktakingCycle:
    """Record that the closed cycle's report went to the participants: it is sent once."""
    permissions.may_run_stocktaking(actor, cycle.plan).require()
    cycle.report_sent_at = timezone.now()
    cycle.save(update_fields=["report_sent_at"])
    return cycle


@transaction.atomic
def status_entries_import(*, organization: Organization, author: User, check: ImportCheck) -> list[StatusEntry]:
    """Log every new row of a checked spreadsheet, and make its not-applicable declarations, or nothing.

    A row that says what the organization's latest entry says, and a declaration already in
    force, are left out: the same file twice logs once.
    """
    permissions.may_log(author, organization=organization).require_permission()
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
    for declaration in check.to_declare:
        try:
            not_applicable_declare(
                activity=declaration.activity, organization=organization, reason=declaration.reason, author=author
            )
        except ValidationError as error:
            raise ValidationError(f"Row {declaration.row}: {' '.join(error.messages)} Nothing was logged.") from None
    return logged
