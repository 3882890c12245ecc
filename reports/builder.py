"""The stocktaking report of a cycle, built once and rendered by every format.

A report is the plan as it stood at a moment: the cycle's closing for a closed cycle,
now for an open one. Only entries logged by then and reviews decided by then count, so
rebuilding the report of a closed cycle later gives the same content. It shows only
what its reader may read: restricted entries are left out for everyone else.
"""

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from actions.models import Activity, ReviewDecision, ReviewState, Status, StatusEntry, StatusEntryReview
from reports.models import StocktakingCycle

STATUS_ORDER = [*Status.values, None]


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

    @property
    def reported(self) -> bool:
        return self.status is not None


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

    @property
    def activities(self) -> list[ActivityRow]:
        return [a for o in self.objectives for a in o.activities]

    @property
    def silent(self) -> list[ActivityRow]:
        return [a for a in self.activities if not a.updated]

    @property
    def changes(self) -> list[ActivityRow]:
        return [a for a in self.activities if a.changed]

    @property
    def completeness(self) -> float | None:
        """Share of responsible activity-organization pairs that reported in the cycle."""
        return self.reported_pairs / self.expected_pairs if self.expected_pairs else None

    @property
    def distribution(self) -> dict[str | None, int]:
        total: dict[str | None, int] = defaultdict(int)
        for objective in self.objectives:
            for status, count in objective.distribution.items():
                total[status] += count
        return dict(total)

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
            "completeness": {
                "reported": self.reported_pairs,
                "expected": self.expected_pairs,
                "share": None if self.completeness is None else round(self.completeness, 4),
            },
            "distribution": plain(self.distribution),
            "objectives": objectives,
            "silent_activities": [a.number for a in self.silent],
            "changes": [{"activity": a.number, "from": a.previous_status, "to": a.status} for a in self.changes],
            "not_reported": [plain(asdict(m)) for m in self.missing],
        }


Decisions = dict[int, list[tuple[datetime.datetime, int, str]]]  # entry id: (when, review id, decision)


def _state_at(entry: StatusEntry, moment: datetime.datetime, decisions: Decisions) -> str:
    """The entry's review state at ``moment``, from its review history."""
    history = decisions.get(entry.pk, [])
    decided = [d for d in history if d[0] <= moment]
    if decided:
        return ReviewState.ACCEPTED if max(decided)[2] == ReviewDecision.ACCEPT else ReviewState.RETURNED
    if entry.review_state == ReviewState.ACCEPTED and not history:
        return ReviewState.ACCEPTED  # logged by CTED staff: accepted as it was written
    return ReviewState.SUBMITTED


def _latest(entries: list[StatusEntry]) -> StatusEntry | None:
    return max(entries, key=lambda e: (e.reported_on, e.created_at, e.pk), default=None)


def _current(entries: list[StatusEntry], states: dict[int, str]) -> list[StatusEntry]:
    """Entries not replaced by an accepted correction among ``entries``."""
    replaced = {e.supersedes_id for e in entries if e.supersedes_id and states[e.pk] == ReviewState.ACCEPTED}
    return [e for e in entries if e.pk not in replaced]


def _overall_status(entries: list[StatusEntry], moment, period_end, decisions: Decisions) -> str | None:
    seen = [e for e in entries if e.created_at <= moment and e.reported_on <= period_end]
    states = {e.pk: _state_at(e, moment, decisions) for e in seen}
    accepted = [e for e in _current(seen, states) if states[e.pk] == ReviewState.ACCEPTED]
    latest = _latest(accepted)
    return latest.status if latest else None


def build_report(*, cycle: StocktakingCycle, reader, now: datetime.datetime | None = None) -> Report:
    moment = cycle.closed_at if cycle.is_closed else (now or timezone.now())
    previous = cycle.previous()
    previous_moment = None
    if previous is not None:
        previous_moment = min(previous.closed_at if previous.is_closed else moment, moment)

    plan = cycle.plan
    activities = list(
        Activity.objects.filter(plan=plan)
        .select_related("objective")
        .prefetch_related("responsibilities__organization")
        .order_by("number_major", "number_minor")
    )
    entries = list(
        StatusEntry.objects.filter(activity__plan=plan, created_at__lte=moment, reported_on__lte=cycle.period_end)
        .visible_to(reader)
        .select_related("organization")
    )
    # The review history as plain tuples: thousands of review objects would cost more than the report.
    decisions: Decisions = defaultdict(list)
    for entry_id, created_at, pk, decision in StatusEntryReview.objects.filter(
        entry__activity__plan=plan, entry__created_at__lte=moment
    ).values_list("entry_id", "created_at", "pk", "decision"):
        decisions[entry_id].append((created_at, pk, decision))
    by_activity: dict[int, list[StatusEntry]] = defaultdict(list)
    for entry in entries:
        by_activity[entry.activity_id].append(entry)

    sections: dict[int, ObjectiveSection] = {
        o.pk: ObjectiveSection(o.number, o.title, o.text, [], {}) for o in plan.objectives.all()
    }
    reported_pairs = expected_pairs = 0
    missing: dict[str, MissingReport] = {}
    for activity in activities:
        history = by_activity.get(activity.pk, [])
        states = {e.pk: _state_at(e, moment, decisions) for e in history}
        in_cycle = [
            e
            for e in _current(history, states)
            if e.reported_on >= cycle.period_start and states[e.pk] != ReviewState.RETURNED
        ]
        by_organization: dict[int, list[StatusEntry]] = defaultdict(list)
        for entry in in_cycle:
            by_organization[entry.organization_id].append(entry)

        rows = []
        named = set()
        for responsibility in activity.responsibilities.all():
            organization = responsibility.organization
            named.add(organization.pk)
            row = _organization_row(
                organization, responsibility.role, _latest(by_organization.get(organization.pk, [])), states
            )
            expected_pairs += 1
            if row.reported:
                reported_pairs += 1
            else:
                missing.setdefault(organization.acronym, MissingReport(organization.acronym, organization.name, []))
                missing[organization.acronym].activities.append(activity.number)
            rows.append(row)
        others = [entries_ for pk, entries_ in by_organization.items() if pk not in named]
        for organization_entries in sorted(others, key=lambda es: es[0].organization.acronym):
            latest = _latest(organization_entries)
            rows.append(_organization_row(latest.organization, "", latest, states))

        status = _overall_status(history, moment, cycle.period_end, decisions)
        previous_status = (
            _overall_status(history, previous_moment, previous.period_end, decisions) if previous is not None else None
        )
        row = ActivityRow(
            id=activity.pk,
            number=activity.number,
            text=activity.text,
            responsible_text=activity.responsible_text,
            status=status,
            previous_status=previous_status,
            updated=bool(in_cycle),
            organizations=rows,
            compared=previous is not None,
        )
        section = sections[activity.objective_id]
        section.activities.append(row)
        section.distribution[status] = section.distribution.get(status, 0) + 1

    return Report(
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
        missing=sorted(missing.values(), key=lambda m: m.acronym),
    )


def _organization_row(organization, role: str, entry: StatusEntry | None, states: dict[int, str]) -> OrganizationRow:
    if entry is None:
        return OrganizationRow(organization.acronym, organization.name, role)
    return OrganizationRow(
        acronym=organization.acronym,
        name=organization.name,
        role=role,
        status=entry.status,
        reported_on=entry.reported_on,
        observations=entry.observations,
        review_state=states[entry.pk],
        confidentiality=entry.confidentiality,
    )
