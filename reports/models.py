import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actions.models import (
    Activity,
    Plan,
    Reporters,
    Status,
    StatusEntry,
    StatusEntryQuerySet,
    reporter_ids_of,
    returned_as_of,
)
from actions.permissions import SYSTEM, Who
from organizations.models import Organization


class CycleState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("cycle state", "Planned")
    OPEN = "open", pgettext_lazy("cycle state", "Open")
    CLOSED = "closed", pgettext_lazy("cycle state", "Closed")


class Edition(models.TextChoices):
    """Whom a stocktaking report is written for."""

    PARTICIPANTS = "participants", _("Participants edition")
    INTERNAL = "internal", _("Internal edition (CTED staff)")


def download_name(plan_code: str, cycle_title: str, edition: str, extension: str, language: str = "en") -> str:
    """The name a report's file is downloaded and attached as, whatever name it is stored under (storage
    may add a suffix to keep two files apart); a report in another language than English says which."""
    in_language = "" if language == "en" else f"-{language}"
    return f"stocktaking-{plan_code}-{slugify(cycle_title)}-{edition}{in_language}.{extension}"


class StocktakingCycle(models.Model):
    """A reporting period of a plan; its report is the plan as it stood at the period's end."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("plan"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    deadline = models.DateField(
        help_text=_("The date by which organizations submit their entries."), verbose_name=_("deadline")
    )
    document_symbol = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("The document symbol the report is circulated under, e.g. S/AC.40/2026/1: printed on its cover."),
        verbose_name=_("document symbol"),
    )
    state = models.CharField(
        max_length=10, choices=CycleState.choices, default=CycleState.PLANNED, verbose_name=_("state")
    )
    opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("opened at"))
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The report of a closed cycle is the plan as it stood at this moment."),
        verbose_name=_("closed at"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    frozen_reports = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Each edition's report as it stood when the cycle closed: a closed cycle's report is read from here."
        ),
        verbose_name=_("frozen reports"),
    )
    summary = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "The participants edition's counts when the cycle closed (statuses, completeness): the charts "
            "over a plan's cycles read these, not the whole reports."
        ),
        verbose_name=_("summary"),
    )
    report_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the closed cycle's report was sent to the participants."),
        verbose_name=_("report sent at"),
    )

    class Meta:
        verbose_name = _("stocktaking cycle")
        verbose_name_plural = _("stocktaking cycles")
        ordering = ["plan_id", "-period_end"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="cycle_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(state__in=CycleState.values), name="cycle_state_valid"),
            # The title once per plan, whatever its case (as cycle_create checks it).
            models.UniqueConstraint(
                F("plan"),
                Lower("title"),
                name="cycle_title_unique_in_plan",
                violation_error_message=_("This plan already has a cycle with this title."),
            ),
            models.UniqueConstraint(fields=["plan"], condition=models.Q(state="open"), name="one_open_cycle_per_plan"),
            models.CheckConstraint(
                condition=models.Q(state="closed", closed_at__isnull=False) | ~models.Q(state="closed"),
                name="closed_cycle_has_closing_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cycle-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period cannot end before it starts.")
        if self.period_start and self.deadline and self.deadline < self.period_start:
            errors["deadline"] = _("The deadline cannot come before the period starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_planned(self) -> bool:
        return self.state == CycleState.PLANNED

    @property
    def is_open(self) -> bool:
        return self.state == CycleState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == CycleState.CLOSED

    def entries_reported(self, reader: Who, as_of: datetime.datetime | None = None) -> StatusEntryQuerySet:
        """The entries that count as reporting in this cycle, for ``reader``: on a day of the
        period, not returned, not replaced; as they stood at ``as_of`` when given."""
        return (
            StatusEntry.objects.filter(activity__plan=self.plan_id, reported_on__gte=self.period_start)
            .exclude(returned_as_of(as_of))
            .standing(reader, as_of, reported_until=self.period_end)
        )

    def reporters(self, as_of: datetime.datetime | None = None) -> Reporters:
        """The plan's expected reporters for this cycle: its participants at the period's end (or
        now, if that is earlier), its not-applicable declarations as they stood at ``as_of``."""
        return self.plan.reporters(on=self.participants_day(as_of), as_of=as_of)

    def participants_day(self, as_of: datetime.datetime | None = None) -> datetime.date:
        """The day whose participants are expected to report: the period's end, or ``as_of``'s day
        (today by default) if that is earlier."""
        return min(self.period_end, timezone.localdate(as_of or timezone.now()))

    def unreported(
        self, as_of: datetime.datetime | None = None, reporters: Reporters | None = None
    ) -> dict[Organization, list[Activity]]:
        """Who has not reported: each expected reporter with the activities it has no entry on in the cycle.

        Every entry counts, restricted ones too: a filing in confidence is a filing, for
        every reader of the report and for whom to remind. ``reporters``, when given, are
        this cycle's ``reporters(as_of)`` read already.
        """
        reported = set(self.entries_reported(SYSTEM, as_of).values_list("activity_id", "organization_id"))
        return _pending(reporters or self.reporters(as_of), reported)

    @property
    def summary_distribution(self) -> dict[str | None, int]:
        """The closed cycle's status counts (``summary``), ``{status: count}`` with None for no update."""
        return dict(self.summary.get("distribution", []))

    @property
    def summary_completeness(self) -> float | None:
        expected = self.summary.get("expected_pairs")
        return self.summary.get("reported_pairs", 0) / expected if expected else None

    def previous(self) -> "StocktakingCycle | None":
        """The plan's cycle whose period ended last before this one started."""
        return (
            StocktakingCycle.objects.filter(plan_id=self.plan_id, period_end__lt=self.period_start)
            .order_by("-period_end")
            .first()
        )


def unreported_now(cycles: list[StocktakingCycle]) -> dict[int, dict[Organization, list[Activity]]]:
    """``unreported()`` of each of ``cycles`` as of now, keyed by cycle id: eight queries for up to
    UNION_BRANCHES cycles, one more for each further run of them.

    The jobs ask it for every open cycle: asked cycle by cycle, their queries grew by six with each.
    Only the activities someone has not reported on are read as models.
    """
    pending = _unreported_ids(cycles)
    organizations = Organization.objects.in_bulk({o for by in pending.values() for o in by})
    activities = Activity.objects.in_bulk({a for by in pending.values() for ids in by.values() for a in ids})
    return {
        cycle_id: _by_acronym({organizations[o]: [activities[a] for a in ids] for o, ids in by.items()})
        for cycle_id, by in pending.items()
    }


def silent_now(cycles: list[StocktakingCycle]) -> dict[int, list[Organization]]:
    """The organizations of ``unreported_now``, without their activities: seven queries for up to
    UNION_BRANCHES cycles (the weekly digest names them)."""
    pending = _unreported_ids(cycles)
    organizations = Organization.objects.in_bulk({o for by in pending.values() for o in by})
    return {
        cycle_id: sorted((organizations[o] for o in by), key=lambda o: o.acronym) for cycle_id, by in pending.items()
    }


@dataclass(frozen=True)
class CycleProgress:
    """How far a cycle's reporting has come: how many (activity, organization) pairs are expected and,
    for each organization that still owes some, the ids of the activities it owes, in plan order."""

    expected: int
    pending: dict[int, list[int]]

    @property
    def owed(self) -> int:
        return sum(len(ids) for ids in self.pending.values())

    @property
    def reported(self) -> int:
        return self.expected - self.owed

    @property
    def completeness(self) -> float | None:
        """The share of the expected pairs reported, or None when nobody is expected to report."""
        return self.reported / self.expected if self.expected else None


def progress_now(cycles: list[StocktakingCycle], organization: Organization | None = None) -> dict[int, CycleProgress]:
    """Each cycle's progress as of now, keyed by cycle id; of ``organization``'s own pairs only when given
    (what a focal point's organization still owes). Six queries for up to UNION_BRANCHES cycles (and on
    PostgreSQL the four statements of one_process)."""
    days = {cycle.pk: cycle.participants_day() for cycle in cycles}
    reporters = reporter_ids_of([(cycle.plan_id, days[cycle.pk]) for cycle in cycles])
    reported: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for start in range(0, len(cycles), UNION_BRANCHES):
        branches = []
        for cycle in cycles[start : start + UNION_BRANCHES]:
            entries = cycle.entries_reported(SYSTEM).order_by()
            if organization is not None:
                entries = entries.filter(organization=organization)
            # Typed as the key it is: an integer field's converter would be called on every row.
            branches.append(
                entries.annotate(cycle_key=Value(cycle.pk, output_field=models.BigAutoField())).values_list(
                    "activity_id", "organization_id", "cycle_key"
                )
            )
        with one_process():
            rows = list(branches[0].union(*branches[1:], all=True))
        for activity_id, organization_id, cycle_key in rows:
            reported[cycle_key].add((activity_id, organization_id))
    progress = {}
    for cycle in cycles:
        expected = reporters[cycle.plan_id, days[cycle.pk]].expected
        if organization is not None:
            expected = [triple for triple in expected if triple[1] == organization.pk]
        progress[cycle.pk] = CycleProgress(len(expected), _pending_ids(expected, reported[cycle.pk]))
    return progress


def _unreported_ids(cycles: list[StocktakingCycle]) -> dict[int, dict[int, list[int]]]:
    """Who has not reported in each cycle as of now, as ids: for each cycle id, each organization id
    with its activity ids (``progress_now``'s pending)."""
    return {cycle_id: progress.pending for cycle_id, progress in progress_now(cycles).items()}


# How many cycles' entries one query reads, as branches of a UNION ALL (SQLite takes at most 500).
UNION_BRANCHES = 200


@contextmanager
def one_process() -> Iterator[None]:
    """PostgreSQL without parallel workers for the queries inside, in a transaction (or savepoint).

    For the UNION of a hundred cycles' entries PostgreSQL plans a parallel scan of each cycle's
    activities, and starting workers a hundred times cost more than the scans: 0.9 s, against
    0.35 s in one process (2 M entries, 100 cycles).
    """
    postgresql = connection.vendor == "postgresql"
    # A failure rolls the savepoint back, and the setting with it; after a success it is set back, for
    # the rest of an enclosing transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield
        if postgresql:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")


def _pending_ids(expected: Iterable[tuple[int, int, str]], reported: set[tuple[int, int]]) -> dict[int, list[int]]:
    """Each organization of the ``expected`` (activity id, organization id, role) triples that has no entry
    among the ``reported`` (activity id, organization id) pairs on some of them, with those activities, in
    the order of ``expected``."""
    pending: dict[int, list[int]] = defaultdict(list)
    for activity_id, organization_id, _role in expected:
        if (activity_id, organization_id) not in reported:
            pending[organization_id].append(activity_id)
    return pending


def _pending(reporters: Reporters, reported: set[tuple[int, int]]) -> dict[Organization, list[Activity]]:
    """Each expected reporter without an entry among the ``reported`` (activity id, organization id) pairs,
    with the activities it has none on; by acronym."""
    activities = {pair.activity.pk: pair.activity for pair in reporters.expected}
    organizations = {pair.organization.pk: pair.organization for pair in reporters.expected}
    pending = _pending_ids(((pair.activity.pk, pair.organization.pk, "") for pair in reporters.expected), reported)
    return _by_acronym({organizations[o]: [activities[a] for a in ids] for o, ids in pending.items()})


def _by_acronym(pending: dict[Organization, list[Activity]]) -> dict[Organization, list[Activity]]:
    return dict(sorted(pending.items(), key=lambda item: item[0].acronym))


class ReportFile(models.Model):
    """A report stored when its cycle closed, as it was sent to the participants: one per format and per
    language it was sent in (each focal point receives it in their own)."""

    cycle = models.ForeignKey(
        StocktakingCycle, on_delete=models.CASCADE, related_name="report_files", verbose_name=_("cycle")
    )
    format = models.CharField(max_length=10, verbose_name=_("format"))
    # Files stored before reports had a language were written in English, the site's language.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en", verbose_name=_("language"))
    file = models.FileField(upload_to="reports/%Y/", verbose_name=_("file"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "format", "language"], name="one_report_file_per_cycle_format_and_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} ({self.format}, {self.language})"

    @property
    def download_name(self) -> str:
        """Stored reports are the participants edition's."""
        return download_name(self.cycle.plan.code, self.cycle.title, Edition.PARTICIPANTS, self.format, self.language)


class ExportState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export state", "Waiting for a worker")
    RUNNING = "running", pgettext_lazy("export state", "Being built")
    READY = "ready", pgettext_lazy("export state", "Ready")
    FAILED = "failed", pgettext_lazy("export state", "Failed")


class ReportExport(models.Model):
    """A PDF or XLSX of a cycle's report, built off the request and kept for every later reader of the same report.

    The same report is the same cycle, edition, format and language at the same ``version``:
    ``"closed"`` for a closed cycle (its report is frozen), the latest entry and review of the
    tracker for one still open. Building it again replaces the file of an older version.
    """

    cycle = models.ForeignKey(
        StocktakingCycle, on_delete=models.CASCADE, related_name="exports", verbose_name=_("cycle")
    )
    edition = models.CharField(max_length=20, choices=Edition.choices, verbose_name=_("edition"))
    format = models.CharField(max_length=10, verbose_name=_("format"))
    language = models.CharField(max_length=10, verbose_name=_("language"))
    version = models.CharField(max_length=100, verbose_name=_("version"))
    state = models.CharField(
        max_length=10, choices=ExportState.choices, default=ExportState.QUEUED, verbose_name=_("state")
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."), verbose_name=_("progress"))
    stage = models.CharField(
        max_length=200, blank=True, help_text=_("What the build is doing now."), verbose_name=_("stage")
    )
    file = models.FileField(upload_to="exports/%Y/", blank=True, verbose_name=_("file"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(default=timezone.now, verbose_name=_("requested at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "edition", "format", "language", "version"], name="one_export_per_report_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} ({self.edition}, {self.format}, {self.language}, {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("cycle-export", args=[self.cycle_id, self.pk])

    @property
    def download_name(self) -> str:
        return download_name(self.cycle.plan.code, self.cycle.title, self.edition, self.format, self.language)

    @property
    def is_ready(self) -> bool:
        return self.state == ExportState.READY

    @property
    def is_failed(self) -> bool:
        return self.state == ExportState.FAILED


def objective_matrix(plan: Plan, reader: Who, reporters: Reporters) -> tuple[list, list[dict]]:
    """Organizations by objective: for each expected reporter (by acronym), per objective of ``plan``, the
    counts of its latest status on the activities it is expected on, as ``reader`` may read them, in the
    order of the statuses (None: no entry; a returned entry counts as none until corrected). The plan's
    progress page and the monthly matrix e-mail."""
    objectives = list(plan.objectives.all())
    latest = {
        (activity_id, organization_id): status
        # A returned entry counts as no entry until it is corrected.
        for activity_id, organization_id, status in StatusEntry.objects.filter(activity__plan=plan)
        .exclude(returned_as_of())
        .standing(reader)
        .latest_per_activity_and_organization()
        .values_list("activity_id", "organization_id", "status")
    }
    rows: dict[Organization, dict] = {}
    for pair in reporters.expected:
        organization = pair.organization
        row = rows.setdefault(organization, {o.pk: defaultdict(int) for o in objectives})
        status = latest.get((pair.activity.pk, organization.pk))
        row[pair.activity.objective_id][status] += 1
    table = [
        {
            "organization": organization,
            "cells": [
                [(status, counts[status]) for status in [*Status.values, None] if counts.get(status)]
                for counts in (cells[o.pk] for o in objectives)
            ],
        }
        for organization, cells in sorted(rows.items(), key=lambda item: item[0].acronym)
    ]
    return objectives, table
