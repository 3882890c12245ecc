"""The operations that change stocktaking cycles."""

import datetime
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from actions import generation, permissions
from actions.models import Plan, StatusEntry
from actions.permissions import Who
from actions.services import not_applicable_declare, status_entry_log
from organizations.models import FocalPoint, Organization
from reports import exports, signals
from reports.builder import Report, build_report, summary_of
from reports.models import CycleState, Edition, ExportState, ReportExport, ReportFile, StocktakingCycle
from reports.spreadsheet import ImportCheck

# The formats stored when a cycle's report goes to the participants.
STORED_FORMATS = ("pdf", "xlsx")
# The formats built off the request (``ReportExport``): a large plan's take seconds.
EXPORTED_FORMATS = ("pdf", "xlsx")
# An open cycle's export is served again while no entry or review came since, for at most this
# long: an edit of the plan's text or of its participants shows in the next build.
EXPORT_FRESH_FOR = datetime.timedelta(minutes=10)
# A build that has not finished by then is taken for lost (its worker died) and is started again.
EXPORT_STALLED_AFTER = datetime.timedelta(minutes=15)


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
    document_symbol: str = "",
) -> StocktakingCycle:
    permissions.may_run_stocktaking(author, plan).require()
    cycle = StocktakingCycle(
        plan=plan,
        title=(title or "").strip(),
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        document_symbol=(document_symbol or "").strip(),
        created_by=author,
    )
    same_title = gettext("%(plan)s already has a cycle called “%(title)s”.") % {"plan": plan.code, "title": cycle.title}
    if StocktakingCycle.objects.filter(plan=plan, title__iexact=cycle.title).exists():
        raise ValidationError({"title": [same_title]})
    cycle.full_clean()
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:  # another request made the same cycle since the check above
        raise ValidationError({"title": [same_title]}) from None
    signals.cycle_created.send(sender=StocktakingCycle, cycle=cycle, actor=author)
    if open_now:
        cycle_open(cycle=cycle, actor=author)
    return cycle


@transaction.atomic
def cycle_symbol_set(*, cycle: StocktakingCycle, document_symbol: str, actor: Who) -> StocktakingCycle:
    """Give (or correct) the document symbol the cycle's report is circulated under, at any time: the cover
    of every report made from then on carries it; a closed cycle's report is otherwise unchanged."""
    permissions.may_run_stocktaking(actor, cycle.plan).require()
    cycle.document_symbol = (document_symbol or "").strip()
    cycle.full_clean(exclude=["plan", "created_by"])
    StocktakingCycle.objects.filter(pk=cycle.pk).update(document_symbol=cycle.document_symbol)
    return cycle


@transaction.atomic
def cycle_open(*, cycle: StocktakingCycle, actor: Who) -> StocktakingCycle:
    permissions.may_run_stocktaking(actor, cycle.plan).require()
    if cycle.state != CycleState.PLANNED:
        already = (
            gettext("Only a planned cycle can be opened; this one is open already.")
            if cycle.state == CycleState.OPEN
            else gettext("Only a planned cycle can be opened; this one is closed.")
        )
        raise ValidationError({"state": already})
    cycle.state = CycleState.OPEN
    cycle.opened_at = timezone.now()
    try:
        with transaction.atomic():
            cycle.save(update_fields=["state", "opened_at"])
    except IntegrityError:
        raise ValidationError(
            {
                "state": gettext("%(plan)s already has an open cycle: close it before opening another.")
                % {"plan": cycle.plan.code}
            }
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
        """In the active language; each count's words (with their plural) are messages of their own."""
        focal_points = ngettext("%(count)s focal point", "%(count)s focal points", self.recipients)
        organizations = ngettext("%(count)s organization", "%(count)s organizations", self.organizations)
        unreported = ngettext(
            "%(count)s expected activity-organization pair has not reported and will show as not reported",
            "%(count)s expected activity-organization pairs have not reported and will show as not reported",
            self.unreported_pairs,
        )
        return gettext(
            "Closing “%(title)s” cannot be undone: its report is frozen as the plan stands now, stored as "
            "%(formats)s and e-mailed to %(focal_points)s of %(organizations)s; %(unreported)s."
        ) % {
            "title": self.cycle.title,
            "formats": _listed([f.upper() for f in STORED_FORMATS]),
            "focal_points": focal_points % {"count": self.recipients},
            "organizations": organizations % {"count": self.organizations},
            "unreported": unreported % {"count": self.unreported_pairs},
        }


def _listed(items: list[str]) -> str:
    """ "A, B and C", in the active language."""
    *rest, last = items
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(rest), "last": last} if rest else last


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
        raise ValidationError({"state": gettext("Only an open cycle can be closed.")})
    if not confirm:
        raise ValidationError(
            {"confirm": gettext("%(summary)s Confirm to close it.") % {"summary": cycle_closing_preview(cycle).summary}}
        )
    # A conditional update, so two closings (a person and the job) close it once.
    closed_at = timezone.now()
    changed = StocktakingCycle.objects.filter(pk=cycle.pk, state=CycleState.OPEN).update(
        state=CycleState.CLOSED, closed_at=closed_at
    )
    if not changed:
        raise ValidationError({"state": gettext("Only an open cycle can be closed.")})
    cycle.state, cycle.closed_at = CycleState.CLOSED, closed_at
    _freeze(cycle)
    signals.cycle_closed.send(sender=StocktakingCycle, cycle=cycle, actor=actor)
    return cycle


def _freeze(cycle: StocktakingCycle) -> None:
    """Keep each edition's report as the closed cycle's plan, participants and entries stood at its closing:
    a later edit of the plan, an organization or the participants changes nothing of it."""
    cycle.frozen_reports = {edition: build_report(cycle=cycle, edition=edition).to_snapshot() for edition in Edition}
    cycle.summary = summary_of(cycle.frozen_reports[Edition.PARTICIPANTS])
    StocktakingCycle.objects.filter(pk=cycle.pk).update(frozen_reports=cycle.frozen_reports, summary=cycle.summary)


def cycle_report_read(*, cycle: StocktakingCycle, edition: str = Edition.PARTICIPANTS) -> Report:
    """The report of ``cycle`` in ``edition``: as it stands while the cycle is open (kept until something
    it is read from changes, where things are kept), as frozen when it closed.

    A cycle closed before reports were frozen is frozen on its first reading, from the
    history as it stood at its closing.
    """
    if not cycle.is_closed:
        # Kept under the generation, which every write to plans, participants, entries, reviews and
        # organizations moves on, and under the cycle's own fields and the day, which it does not
        # follow: the page of a 400-activity plan's cycle built it on every view (120 to 190 ms).
        parts = (
            cycle.pk,
            cycle.state,
            cycle.title,
            cycle.period_start,
            cycle.period_end,
            cycle.deadline,
            cycle.document_symbol,
            edition,
        )
        return generation.kept_or_computed(
            "cycle-report", (*parts, timezone.localdate()), lambda: build_report(cycle=cycle, edition=edition)
        )
    if Edition(edition) not in cycle.frozen_reports:
        with transaction.atomic():
            _freeze(cycle)
    # The symbol may be given when the report is circulated, after the cycle closed: the cover says it.
    frozen = Report.from_snapshot(cycle.frozen_reports[Edition(edition)])
    return replace(frozen, document_symbol=cycle.document_symbol)


@transaction.atomic
def cycle_report_store(
    *, cycle: StocktakingCycle, actor: Who, language: str = settings.LANGUAGE_CODE
) -> dict[str, ReportFile]:
    """Store the closed cycle's report for all participants (nothing restricted in it), once per format, written in
    ``language`` (the site's by default, whatever language is active), which the file records.

    Returns the stored files in that language by format; those stored before are kept as they are.
    """
    permissions.may_run_stocktaking(actor, cycle.plan).require()
    if not cycle.is_closed:
        raise ValidationError({"state": gettext("Only a closed cycle's report is stored.")})
    stored = {f.format: f for f in cycle.report_files.filter(language=language)}
    report = None
    for format_ in STORED_FORMATS:
        if format_ not in stored:
            report = report or cycle_report_read(cycle=cycle, edition=Edition.PARTICIPANTS)
            record = ReportFile(cycle=cycle, format=format_, language=language)
            record.file.save(
                exports.filename(report, format_),
                ContentFile(exports.render(report, format_, language=language)),
                save=False,
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
        raise ValidationError(
            ngettext(
                "The file has %(count)s error; nothing was logged.",
                "The file has %(count)s errors; nothing was logged.",
                len(check.errors),
            )
            % {"count": len(check.errors)}
        )
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
            raise ValidationError(_row_refused(row.row, error)) from None
    for declaration in check.to_declare:
        try:
            not_applicable_declare(
                activity=declaration.activity, organization=organization, reason=declaration.reason, author=author
            )
        except ValidationError as error:
            raise ValidationError(_row_refused(declaration.row, error)) from None
    return logged


def _row_refused(row: int, error: ValidationError) -> str:
    return gettext("Row %(row)s: %(errors)s Nothing was logged.") % {"row": row, "errors": " ".join(error.messages)}


def report_version(cycle: StocktakingCycle) -> str:
    """What a cycle's report reflects: nothing changes a closed cycle's; an open cycle's changes with
    every entry and review."""
    # The cover's document symbol may be given at any time.
    symbol = f"-{cycle.document_symbol}" if cycle.document_symbol else ""
    if cycle.is_closed:
        return f"closed{symbol}"
    entry, review = StatusEntry.objects.count_version()
    return f"{cycle.state}-{entry or 0}-{review or 0}{symbol}"


def report_export_claim(
    *, cycle: StocktakingCycle, reader: Who, format_: str, edition: str, language: str | None = None
) -> tuple[ReportExport, bool]:
    """The export of ``cycle``'s report for ``reader``, and whether the caller is to have it built.

    One export serves every reader of the same report: a second request while it is being
    built waits for the same build. A failed, stalled or (for an open cycle) old one is claimed
    again; of two requests claiming it at once, one builds.
    """
    permissions.may_read_edition(reader, edition).require()
    if format_ not in EXPORTED_FORMATS:
        raise ValidationError(
            {
                "format": gettext("Only %(formats)s are built off the request.")
                % {"formats": _listed(list(EXPORTED_FORMATS))}
            }
        )
    key = {
        "cycle": cycle,
        "edition": Edition(edition).value,
        "format": format_,
        "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        "version": report_version(cycle),
    }
    requester = reader if isinstance(reader, User) else None
    try:
        with transaction.atomic():
            export, created = ReportExport.objects.get_or_create(**key, defaults={"requested_by": requester})
    except IntegrityError:  # another request made it since the lookup
        export, created = ReportExport.objects.get(**key), False
    if created:
        return export, True
    if not _to_build_again(export, cycle):
        return export, False
    now = timezone.now()
    claimed = ReportExport.objects.filter(pk=export.pk, state=export.state, requested_at=export.requested_at).update(
        state=ExportState.QUEUED, progress=0, stage="", error="", requested_at=now, requested_by=requester
    )
    export.refresh_from_db()
    return export, bool(claimed)


def _to_build_again(export: ReportExport, cycle: StocktakingCycle) -> bool:
    now = timezone.now()
    if export.state == ExportState.FAILED:
        return True
    if export.state == ExportState.READY:
        return not cycle.is_closed and export.finished_at is not None and now - export.finished_at > EXPORT_FRESH_FOR
    return now - (export.started_at or export.requested_at) > EXPORT_STALLED_AFTER


def report_export_build(*, export_id: int) -> ReportExport | None:
    """Build a claimed export, telling its progress as it goes; None when it is not waiting to be built.

    On success the file of every older version of the same report goes; on failure the
    export says why, and the next request for it starts it again.
    """
    # Its stages are said in the export's language, its readers': the first once the export is read.
    started = ReportExport.objects.filter(pk=export_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING, started_at=timezone.now(), stage="", progress=1
    )
    if not started:
        return None
    export = ReportExport.objects.select_related("cycle__plan").get(pk=export_id)

    def progress(percent: int, stage: str) -> None:
        ReportExport.objects.filter(pk=export_id).update(progress=percent, stage=stage)

    try:
        with translation.override(export.language):
            progress(1, gettext("Reading the plan's history"))
            report = cycle_report_read(cycle=export.cycle, edition=export.edition)
            content = exports.render(report, export.format, progress)
            name = exports.filename(report, export.format)
            progress(95, gettext("Saving the file"))
        export.file.save(name, ContentFile(content), save=False)
    except Exception as error:  # whatever went wrong is told to the reader; the next request tries again
        ReportExport.objects.filter(pk=export_id).update(
            state=ExportState.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        raise
    ReportExport.objects.filter(pk=export_id).update(
        state=ExportState.READY, progress=100, stage="", file=export.file.name, finished_at=timezone.now()
    )
    _forget_older_versions(export)
    export.refresh_from_db()
    return export


def _forget_older_versions(export: ReportExport) -> None:
    older = ReportExport.objects.filter(
        cycle_id=export.cycle_id, edition=export.edition, format=export.format, language=export.language
    ).exclude(version=export.version)
    for stale in older.exclude(state__in=[ExportState.QUEUED, ExportState.RUNNING]):
        if stale.file:
            stale.file.delete(save=False)
        stale.delete()
