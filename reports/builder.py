"""The stocktaking report of a cycle, built once and rendered by every format.

A report is the plan as it stood at a moment: the cycle's closing for a closed cycle,
now for an open one. Only entries logged by then and reviews decided by then count, so
rebuilding the report of a closed cycle later gives the same content.

It comes in two editions. The participants edition holds what every participant may
read: a restricted filing shows as "reported in confidence", with nothing of its content.
The internal edition (CTED staff's) holds everything, restricted entries marked. Who
reported, completeness and silent activities are the same in both: a filing in
confidence is a filing.
"""

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from actions import permissions
from actions.models import Activity, ReviewState, Status, StatusEntry, review_state_as_of
from organizations.models import Organization
from reports.models import CycleState, Edition, StocktakingCycle

# Whom each edition is written for.
EDITION_READERS = {Edition.PARTICIPANTS: permissions.PARTICIPANTS, Edition.INTERNAL: permissions.SYSTEM}

STATUS_ORDER = [*Status.values, None]


# In the matrix of organizations by objective: a filing this edition's readers may not read; and what
# every format calls it.
IN_CONFIDENCE = "in_confidence"
IN_CONFIDENCE_LABEL = gettext_lazy("Reported in confidence")


@dataclass
class OrganizationRow:
    acronym: str
    name: str
    role: str  # "lead", "partner", or "" for an organization the activity is open to by kind
    status: str | None = None
    reported_on: datetime.date | None = None
    observations: str = ""
    review_state: str | None = None
    confidentiality: str | None = None
    in_confidence: bool = False  # reported, restricted, and not for this edition's readers

    @property
    def reported(self) -> bool:
        return self.status is not None or self.in_confidence

    @property
    def review_label(self) -> str:
        """The review state's name in the active language ("" for none)."""
        return str(ReviewState(self.review_state).label) if self.review_state else ""


@dataclass
class ActivityRow:
    id: int
    number: str
    text: str
    responsible_text: str
    status: str | None
    previous_status: str | None
    updated: bool
    organizations: list[OrganizationRow] = field(default_factory=list)
    compared: bool = False  # whether there is a previous cycle to compare with

    @property
    def changed(self) -> bool:
        return self.compared and self.status != self.previous_status


@dataclass
class ObjectiveSection:
    number: int
    title: str
    text: str
    activities: list[ActivityRow]
    distribution: dict[str | None, int]


@dataclass
class MissingReport:
    acronym: str
    name: str
    activities: list[str]


@dataclass
class CyclePoint:
    """One closed cycle of the plan (or the report's own) in the report's chart of completeness per cycle."""

    title: str
    period_end: datetime.date
    reported_pairs: int
    expected_pairs: int
    # The status counts at its close, as [status, count] pairs (None: no accepted entry).
    distribution: list[list[Any]] = field(default_factory=list)

    @property
    def summary_completeness(self) -> float | None:
        return self.reported_pairs / self.expected_pairs if self.expected_pairs else None

    @property
    def summary_distribution(self) -> dict[str | None, int]:
        return dict(self.distribution)


@dataclass
class Report:
    plan_code: str
    plan_title: str
    cycle_id: int
    cycle_title: str
    period_start: datetime.date
    period_end: datetime.date
    deadline: datetime.date
    state: str
    as_of: datetime.datetime
    previous_cycle_title: str | None
    objectives: list[ObjectiveSection]
    reported_pairs: int
    expected_pairs: int
    missing: list[MissingReport]
    not_applicable_pairs: int
    edition: str
    # The symbol the report is circulated under (its cover), and the plan's completeness per cycle up to this one.
    document_symbol: str = ""
    history: list[CyclePoint] = field(default_factory=list)
    # The language the plan's texts are written in (``Plan.language``), whatever the report's: the plan's
    # default for a report frozen before reports carried it.
    plan_language: str = "en"

    @property
    def activities(self) -> list[ActivityRow]:
        return [a for o in self.objectives for a in o.activities]

    @property
    def is_closed(self) -> bool:
        return self.state == CycleState.CLOSED

    @property
    def silent(self) -> list[ActivityRow]:
        return [a for a in self.activities if not a.updated]

    @property
    def changes(self) -> list[ActivityRow]:
        return [a for a in self.activities if a.changed]

    @property
    def completeness(self) -> float | None:
        """Share of the expected activity-organization pairs that reported in the cycle."""
        return self.reported_pairs / self.expected_pairs if self.expected_pairs else None

    @property
    def distribution(self) -> dict[str | None, int]:
        total: dict[str | None, int] = defaultdict(int)
        for objective in self.objectives:
            for status, count in objective.distribution.items():
                total[status] += count
        return dict(total)

    def organization_matrix(self) -> list[tuple[str, list[list[tuple[str | None, int]]]]]:
        """Each organization with a row in the report (by acronym) and, per objective, the counts of its
        rows by the status it reported in the cycle (None: not reported; ``IN_CONFIDENCE``: reported,
        not for this edition's readers): the matrix of organizations by objective, as of the report."""
        rows: dict[str, list[dict[str | None, int]]] = defaultdict(lambda: [defaultdict(int) for _ in self.objectives])
        for index, objective in enumerate(self.objectives):
            for activity in objective.activities:
                for organization in activity.organizations:
                    key = IN_CONFIDENCE if organization.in_confidence else organization.status
                    rows[organization.acronym][index][key] += 1
        return [(acronym, [list(cell.items()) for cell in cells]) for acronym, cells in sorted(rows.items())]

    def to_snapshot(self) -> dict[str, Any]:
        """Everything the report holds, as JSON, for ``from_snapshot`` to give back as it was."""

        def plain(value: Any, name: str = "") -> Any:
            if isinstance(value, datetime.date | datetime.datetime):
                return value.isoformat()
            if name == "distribution" and isinstance(value, dict):  # {status: count}, and JSON has no None key
                return [[status, count] for status, count in value.items()]
            if isinstance(value, dict):
                return {key: plain(item, key) for key, item in value.items()}
            if isinstance(value, list):
                return [plain(item) for item in value]
            return value

        return plain(asdict(self))

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> "Report":
        def day(value: str | None) -> datetime.date | None:
            return datetime.date.fromisoformat(value) if value else None

        def organization(row: dict[str, Any]) -> OrganizationRow:
            return OrganizationRow(**{**row, "reported_on": day(row["reported_on"])})

        def activity(row: dict[str, Any]) -> ActivityRow:
            return ActivityRow(**{**row, "organizations": [organization(o) for o in row["organizations"]]})

        objectives = [
            ObjectiveSection(
                **{
                    **section,
                    "activities": [activity(a) for a in section["activities"]],
                    "distribution": dict(section["distribution"]),
                }
            )
            for section in data["objectives"]
        ]
        return cls(
            **{
                **data,
                "period_start": day(data["period_start"]),
                "period_end": day(data["period_end"]),
                "deadline": day(data["deadline"]),
                "as_of": datetime.datetime.fromisoformat(data["as_of"]),
                "objectives": objectives,
                "missing": [MissingReport(**m) for m in data["missing"]],
                "history": [
                    CyclePoint(**{**point, "period_end": day(point["period_end"])}) for point in data.get("history", [])
                ],
            }
        )

    def to_dict(self) -> dict:
        """The report as JSON-ready data; statuses are codes, dates ISO strings."""

        def plain(value):
            if isinstance(value, datetime.date | datetime.datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {("none" if k is None else k): plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        objectives = []
        for section in self.objectives:
            data = asdict(section)
            for row, activity in zip(data["activities"], section.activities, strict=True):
                row["changed"] = activity.changed
                del row["compared"]
            objectives.append(plain(data))
        return {
            "plan": {"code": self.plan_code, "title": self.plan_title},
            "cycle": {
                "id": self.cycle_id,
                "title": self.cycle_title,
                "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(),
                "deadline": self.deadline.isoformat(),
                "state": self.state,
            },
            "as_of": self.as_of.isoformat(),
            "previous_cycle": self.previous_cycle_title,
            "edition": self.edition,
            "document_symbol": self.document_symbol,
            "completeness": {
                "reported": self.reported_pairs,
                "expected": self.expected_pairs,
                "not_applicable": self.not_applicable_pairs,
                "share": None if self.completeness is None else round(self.completeness, 4),
            },
            "distribution": plain(self.distribution),
            "objectives": objectives,
            "silent_activities": [a.number for a in self.silent],
            "changes": [{"activity": a.number, "from": a.previous_status, "to": a.status} for a in self.changes],
            "not_reported": [plain(asdict(m)) for m in self.missing],
            "completeness_per_cycle": [
                {
                    **plain(asdict(point)),
                    "share": None if point.expected_pairs == 0 else round(point.summary_completeness or 0, 4),
                }
                for point in self.history
            ],
        }


def summary_of(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The counts of a report's snapshot (``Report.to_snapshot``) that a chart over a plan's cycles reads: its
    status distribution, as [status, count] pairs (None for no update), and its completeness."""
    total: dict[str | None, int] = defaultdict(int)
    for objective in snapshot["objectives"]:
        for status, count in objective["distribution"]:
            total[status] += count
    return {
        "distribution": [[status, count] for status, count in total.items()],
        "reported_pairs": snapshot["reported_pairs"],
        "expected_pairs": snapshot["expected_pairs"],
    }


def build_report(
    *, cycle: StocktakingCycle, edition: str = Edition.PARTICIPANTS, now: datetime.datetime | None = None
) -> Report:
    """The report of ``cycle`` in ``edition``: as it stood at its closing, or ``now`` while it is open."""
    reader = EDITION_READERS[Edition(edition)]
    moment = cycle.closed_at if cycle.closed_at is not None else (now or timezone.now())
    previous = cycle.previous()
    plan = cycle.plan
    activities = (
        Activity.objects.filter(plan=plan)
        .select_related("objective")
        .order_by("number_major", "number_minor")
        .with_overall_status(reader, as_of=moment, reported_until=cycle.period_end)
    )
    if previous is not None:
        previous_moment = min(previous.closed_at or moment, moment)
        activities = activities.with_overall_status(
            reader, as_of=previous_moment, reported_until=previous.period_end, name="previous_status"
        )
    reporters = cycle.reporters(as_of=moment)
    expected = reporters.by_activity()
    # Each organization's latest entry in the cycle, with its review state at the moment; every
    # filing counts, what the edition may not show is shown as reported in confidence.
    reported: dict[int, dict[int, StatusEntry]] = defaultdict(dict)
    for entry in (
        cycle.entries_reported(permissions.SYSTEM, as_of=moment)
        .latest_per_activity_and_organization()
        .annotate(state_then=review_state_as_of(moment))
        .select_related("organization")
    ):
        reported[entry.activity_id][entry.organization_id] = entry

    sections: dict[int, ObjectiveSection] = {
        o.pk: ObjectiveSection(o.number, o.title, o.text, [], {}) for o in plan.objectives.all()
    }
    for activity in activities:
        in_cycle = reported.get(activity.pk, {})
        pairs = expected.get(activity.pk, [])
        rows = [_organization_row(p.organization, p.role, in_cycle.get(p.organization.pk), reader) for p in pairs]
        others = [entry for pk, entry in in_cycle.items() if pk not in {p.organization.pk for p in pairs}]
        rows += [
            _organization_row(e.organization, "", e, reader)
            for e in sorted(others, key=lambda e: e.organization.acronym)
        ]
        row = ActivityRow(
            id=activity.pk,
            number=activity.number,
            text=activity.text,
            responsible_text=activity.responsible_text,
            status=activity.status,  # type: ignore[attr-defined]  # annotated by with_overall_status
            previous_status=getattr(activity, "previous_status", None),
            updated=bool(in_cycle),
            organizations=rows,
            compared=previous is not None,
        )
        section = sections[activity.objective_id]
        section.activities.append(row)
        section.distribution[row.status] = section.distribution.get(row.status, 0) + 1

    missing = cycle.unreported(as_of=moment, reporters=reporters)
    expected_pairs = len(reporters.expected)
    reported_pairs = expected_pairs - sum(len(activities) for activities in missing.values())
    report = Report(
        plan_code=plan.code,
        plan_title=plan.title,
        cycle_id=cycle.pk,
        cycle_title=cycle.title,
        period_start=cycle.period_start,
        period_end=cycle.period_end,
        deadline=cycle.deadline,
        state=cycle.state,
        as_of=moment,
        previous_cycle_title=previous.title if previous else None,
        objectives=list(sections.values()),
        reported_pairs=reported_pairs,
        expected_pairs=expected_pairs,
        not_applicable_pairs=len(reporters.not_applicable),
        edition=Edition(edition).value,
        missing=[
            MissingReport(organization.acronym, organization.name, [a.number for a in activities])
            for organization, activities in sorted(missing.items(), key=lambda item: item[0].acronym)
        ],
        document_symbol=cycle.document_symbol,
        history=_earlier_points(cycle, moment),
        plan_language=plan.language,
    )
    # Its own point last, with the counts it has just made.
    own = [[status, count] for status, count in report.distribution.items()]
    report.history.append(CyclePoint(cycle.title, cycle.period_end, reported_pairs, expected_pairs, own))
    return report


# The earlier cycles a report's chart of completeness shows, beside its own.
HISTORY_SHOWN = 11


def _earlier_points(cycle: StocktakingCycle, moment: datetime.datetime) -> list[CyclePoint]:
    """The plan's cycles closed by ``moment`` whose period ended before this one's, as their reports gave
    them (each cycle's summary), the latest HISTORY_SHOWN, oldest first."""
    earlier = (
        StocktakingCycle.objects.filter(
            plan_id=cycle.plan_id, state=CycleState.CLOSED, closed_at__lte=moment, period_end__lt=cycle.period_end
        )
        .exclude(pk=cycle.pk)
        .order_by("-period_end", "-pk")
        .values_list("title", "period_end", "summary")[:HISTORY_SHOWN]
    )
    return [
        CyclePoint(
            title,
            period_end,
            summary.get("reported_pairs", 0),
            summary.get("expected_pairs", 0),
            summary.get("distribution", []),
        )
        for title, period_end, summary in reversed(earlier)
        if summary
    ]


def _organization_row(
    organization: Organization, role: str, entry: StatusEntry | None, reader: permissions.Actor
) -> OrganizationRow:
    if entry is None:
        return OrganizationRow(organization.acronym, organization.name, role)
    if not permissions.may_read(reader, entry):
        return OrganizationRow(
            organization.acronym, organization.name, role, confidentiality=entry.confidentiality, in_confidence=True
        )
    return OrganizationRow(
        acronym=organization.acronym,
        name=organization.name,
        role=role,
        status=entry.status,
        reported_on=entry.reported_on,
        observations=entry.observations,
        review_state=entry.state_then,  # type: ignore[attr-defined]  # annotated in build_report
        confidentiality=entry.confidentiality,
    )
