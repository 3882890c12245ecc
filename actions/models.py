"""Plans, objectives, activities, responsibilities and status entries, with the reads of them.

Every rule that reads progress has one home here: "most recent" (RECENCY), an entry that
stands (``current``), an activity's overall status (``with_progress``), the latest entry
per activity and organization, and who is expected to report (``Plan.reporters``).
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator, URLValidator
from django.db import connection, models
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Left, RowNumber, StrIndex, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions import generation, permissions

# The vocabularies are defined in actions.choices and read from here too.
from actions.choices import Confidentiality as Confidentiality
from actions.choices import ResponsibilityRole as ResponsibilityRole
from actions.choices import ReviewDecision as ReviewDecision
from actions.choices import ReviewState as ReviewState
from actions.choices import Status as Status
from actions.permissions import Who
from organizations.models import Organization, OrganizationKind
from tracker.translations import Translatable

# --- Reads: one queryset method per screen or rule, beside the models they read ---

# "Most recent" for status entries: the later day reported on, then the later logging.
RECENCY = ("reported_on", "created_at", "pk")


class PlanQuerySet(models.QuerySet["Plan"]):
    def with_counts(self) -> "PlanQuerySet":
        def count_of(model: type[models.Model]) -> Subquery:
            return Subquery(
                model._default_manager.filter(plan=OuterRef("pk"))
                .order_by()
                .values("plan")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=models.IntegerField(),
            )

        return self.annotate(objective_count=count_of(Objective), activity_count=count_of(Activity))


class StatusEntryQuerySet(models.QuerySet["StatusEntry"]):
    def visible_to(self, who: Who) -> "StatusEntryQuerySet":
        return self.filter(permissions.readable_entries(who))

    def accepted(self, as_of: datetime.datetime | None = None) -> "StatusEntryQuerySet":
        return self.filter(accepted_as_of(as_of))

    def count_version(self) -> tuple[int | None, int | None]:
        """What any count of entries depends on: the latest entry and the latest review. Entries
        are never deleted nor their content changed; a review state changes only with a new review
        or a new entry (a correction). For ``tracker.api.VersionedCountPaginator``."""
        review = Subquery(StatusEntryReview.objects.order_by("-pk").values("pk")[:1])
        latest = StatusEntry.objects.order_by("-pk").annotate(review=review).values_list("pk", "review").first()
        return latest or (None, None)  # no entry, so no review

    def latest_first(self) -> "StatusEntryQuerySet":
        return self.order_by(*(f"-{name}" for name in RECENCY))

    def current(
        self, who: Who, as_of: datetime.datetime | None = None, reported_until: datetime.date | None = None
    ) -> "StatusEntryQuerySet":
        """Entries not replaced by an accepted correction that ``who`` may read.

        A correction the reader may not read changes nothing of what they see. With
        ``as_of`` (and ``reported_until``), only a correction logged and accepted by then
        (and reporting on a day until then) counts: the history as it stood at that moment.
        """
        replaced = StatusEntry.objects.filter(
            accepted_as_of(as_of), permissions.readable_entries(who), supersedes=OuterRef("pk")
        )
        if as_of is not None:
            replaced = replaced.filter(created_at__lte=as_of)
        if reported_until is not None:
            replaced = replaced.filter(reported_on__lte=reported_until)
        return self.exclude(Exists(replaced))

    def standing(
        self, who: Who, as_of: datetime.datetime | None = None, reported_until: datetime.date | None = None
    ) -> "StatusEntryQuerySet":
        """The entries ``who`` may read that still stand (not replaced), most recent first:
        now, or as they stood at ``as_of`` for a period ending on ``reported_until``."""
        entries = self if as_of is None else self.filter(created_at__lte=as_of)
        entries = entries if reported_until is None else entries.filter(reported_on__lte=reported_until)
        return entries.visible_to(who).current(who, as_of, reported_until).latest_first()

    def latest_per_activity_and_organization(self) -> "StatusEntryQuerySet":
        """Of these entries, each organization's most recent one on each activity.

        Filter first (who reads, which period, which review states count), then ask:
        the latest is taken among what is left.
        """
        return self.annotate(
            recency_rank=Window(
                RowNumber(),
                partition_by=[F("activity_id"), F("organization_id")],
                order_by=[F(name).desc() for name in RECENCY],
            )
        ).filter(recency_rank=1)

    def for_timeline(self, activity: "Activity", who: Who) -> "StatusEntryQuerySet":
        """An activity's whole visible history, newest first, with what each line shows."""
        return (
            self.filter(activity=activity)
            .visible_to(who)
            .select_related("organization", "author", "supersedes", "superseded_by")
            .prefetch_related(Prefetch("reviews", queryset=StatusEntryReview.objects.select_related("reviewer")))
            .latest_first()
        )

    def for_review_queue(self, who: Who) -> "StatusEntryQuerySet":
        """The entries awaiting review: submitted, not reviewed and not corrected since (superseded)."""
        return (
            self.visible_to(who)
            .filter(review_state=ReviewState.SUBMITTED)
            .select_related("activity__plan", "organization", "author", "supersedes")
            .order_by("created_at", "pk")
        )

    def recent(self, who: Who) -> "StatusEntryQuerySet":
        return (
            self.visible_to(who)
            .select_related("activity__plan", "organization", "author")
            .order_by("-created_at", "-pk")
        )


def overall_status(
    who: Who, *, as_of: datetime.datetime | None = None, reported_until: datetime.date | None = None
) -> Subquery:
    """An activity's overall status (``OuterRef("pk")``), from what ``who`` may read: that of its most
    recent accepted entry that stands; with ``as_of`` and ``reported_until``, as it stood then."""
    overall = StatusEntry.objects.filter(activity=OuterRef("pk")).accepted(as_of).standing(who, as_of, reported_until)
    return Subquery(overall.values("status")[:1])


def accepted_as_of(as_of: datetime.datetime | None = None) -> Q:
    """Entries accepted (now, or at ``as_of``): by a review decided by then, or logged by CTED staff.

    An entry is reviewed at most once (only a submitted entry is), so its one review says it.
    """
    if as_of is None:
        return Q(review_state=ReviewState.ACCEPTED)
    reviews = StatusEntryReview.objects.filter(entry=OuterRef("pk"))
    return Q(Exists(reviews.filter(decision=ReviewDecision.ACCEPT, created_at__lte=as_of))) | Q(
        ~Exists(reviews), review_state=ReviewState.ACCEPTED
    )


def returned_as_of(as_of: datetime.datetime | None = None) -> Q:
    """Entries returned for a correction (now, or at ``as_of``)."""
    if as_of is None:
        return Q(review_state=ReviewState.RETURNED)
    reviews = StatusEntryReview.objects.filter(entry=OuterRef("pk"))
    return Q(Exists(reviews.filter(decision=ReviewDecision.RETURN, created_at__lte=as_of)))


def review_state_as_of(as_of: datetime.datetime | None = None) -> Case | F:
    """The review state an entry had at ``as_of``, as an expression to annotate.

    A superseded entry was submitted until its correction was logged (in the same transaction).
    """
    if as_of is None:
        return F("review_state")
    corrected = StatusEntry.objects.filter(supersedes=OuterRef("pk"), created_at__lte=as_of)
    return Case(
        When(accepted_as_of(as_of), then=Value(ReviewState.ACCEPTED)),
        When(returned_as_of(as_of), then=Value(ReviewState.RETURNED)),
        When(Q(Exists(corrected), review_state=ReviewState.SUPERSEDED), then=Value(ReviewState.SUPERSEDED)),
        default=Value(ReviewState.SUBMITTED),
        output_field=models.CharField(),
    )


class ActivityQuerySet(models.QuerySet["Activity"]):
    def with_overall_status(
        self,
        who: Who,
        *,
        as_of: datetime.datetime | None = None,
        reported_until: datetime.date | None = None,
        name: str = "status",
    ) -> "ActivityQuerySet":
        """Annotate ``name`` with the overall status, from what ``who`` may read.

        An activity's overall status is that of its most recent accepted entry that stands.
        With ``as_of`` and ``reported_until``: as it stood at that moment, for a period ending
        that day (a stocktaking report). One subquery: a list never reads a history.
        """
        return self.annotate(**{name: overall_status(who, as_of=as_of, reported_until=reported_until)})

    def with_progress(self, who: Who) -> "ActivityQuerySet":
        """Annotate ``status`` (the overall status) and ``last_update``, when the latest entry was logged."""
        latest = StatusEntry.objects.filter(activity=OuterRef("pk")).visible_to(who).order_by("-created_at")
        return self.with_overall_status(who).annotate(last_update=Subquery(latest.values("created_at")[:1]))

    def with_organization_progress(self, organization: Organization, who: Who) -> "ActivityQuerySet":
        """Annotate the latest entry ``organization`` logged that ``who`` may read: its status and review state.

        From the kept standing entry when ``who`` reads every entry of the organization (CTED
        staff, its own focal points); from the history otherwise.
        """
        actor = permissions.actor_of(who)
        if permissions.sees_restricted(actor) or actor.organization == organization:
            kept = OrganizationProgress.objects.filter(activity=OuterRef("pk"), organization=organization)
            return self.annotate(
                organization_status=Subquery(kept.values("status")[:1]),
                organization_review_state=Subquery(kept.values("review_state")[:1]),
            )
        latest = StatusEntry.objects.filter(activity=OuterRef("pk"), organization=organization).standing(who)
        return self.annotate(
            organization_status=Subquery(latest.values("status")[:1]),
            organization_review_state=Subquery(latest.values("review_state")[:1]),
        )

    def status_distribution(self, who: Who, by: str) -> dict[Any, dict[str | None, int]]:
        """``{by value: {status: count}}``, counting every activity once; None for no accepted entry.

        From the kept statuses (ActivityStatus) where they answer for ``who``; live where they do not:
        activities without a kept status, and those where a focal point's organization filed in confidence.
        """
        actor = permissions.actor_of(who)
        status: Any = overall_status(who)
        if actor.is_authenticated:
            kept = "kept_status__status" if permissions.sees_restricted(actor) else "kept_status__shared_status"
            live: Any = Q(kept_status__isnull=True)
            if not permissions.sees_restricted(actor) and actor.organization is not None:
                # Entries in confidence are few: a partial index (entry_restricted) holds only them.
                confidential = StatusEntry.objects.filter(
                    activity=OuterRef("pk"), organization=actor.organization, confidentiality=Confidentiality.RESTRICTED
                )
                live |= Exists(confidential)
            status = Case(When(live, then=status), default=F(kept), output_field=models.CharField())
        rows = self.order_by().annotate(counted_status=status).values(by, "counted_status").annotate(n=Count("pk"))
        distribution: dict[Any, dict[str | None, int]] = {}
        for row in rows:
            distribution.setdefault(row[by], {})[row["counted_status"]] = row["n"]
        return distribution

    def with_responsibilities(self) -> "ActivityQuerySet":
        """The named organizations, leads first, for a list that shows them."""
        return self.prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("organization").order_by(
                    "role", "organization__acronym"
                ),
            )
        )

    def for_plan_page(self, plan: "Plan", who: Who) -> "ActivityQuerySet":
        """The plan page's rows; ``with_named_acronyms`` adds their organizations once they are read."""
        return self.filter(plan=plan).select_related("objective").with_progress(who)

    def open_to(self, organization: Organization) -> "ActivityQuerySet":
        """Activities ``organization`` may report on: named in them, or open to its kind."""
        return self.filter(
            Exists(Responsibility.objects.filter(activity=OuterRef("pk"), organization=organization))
            | Exists(ActivityOpenKind.objects.filter(activity=OuterRef("pk"), kind=organization.kind))
        )

    def search(self, text: str, *, ranked: bool = False) -> "ActivityQuerySet":
        """Activities matching ``text``: on PostgreSQL a full-text search in English (stemmed: "passports"
        finds "passport"; "travel documents" finds both words in any form; quotes for a phrase, ``or``,
        ``-word``) of the text, responsible text and note, best matches first when ``ranked``; elsewhere
        each word in one of them. An activity's number ("3.2") finds it on both."""
        number = Q(number=text.strip())
        if connection.vendor != "postgresql":
            query = Q()
            for word in text.split():
                query &= Q(text__icontains=word) | Q(responsible_text__icontains=word) | Q(note__icontains=word)
            return self.filter(query | number)
        # The vector kept by the trigger of migration 0012 (not a model field: only this reads it).
        vector = RawSQL(f'"{Activity._meta.db_table}"."search_vector"', [], output_field=SearchVectorField())
        words = SearchQuery(text, search_type="websearch", config="english")
        found = self.alias(search_vector=vector).filter(Q(search_vector=words) | number)
        if not ranked:
            return found
        return found.annotate(search_rank=SearchRank(vector, words)).order_by(
            "-search_rank", "plan_id", "number_major", "number_minor", "pk"
        )

    def count_version(self) -> int | None:
        """What any count of activities depends on: the generation, which every write to plans,
        activities, entries and organizations moves on (None where nothing is kept). For
        ``tracker.api.VersionedCountPaginator``."""
        return generation.current()

    def for_api(self, who: Who) -> "ActivityQuerySet":
        """The API's activities; ``with_relations_read`` adds their relations once they are read."""
        return self.select_related("plan", "objective").with_progress(who)


def named_in(activity_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The (acronym, role) pairs of the organizations each activity names, leads first, then by acronym:
    one query of pairs rather than a prefetch, which builds a query set per activity and two models
    per organization named (a fifth of the time of a 400-activity plan page)."""
    named: dict[int, list[tuple[str, str]]] = {pk: [] for pk in activity_ids}
    # In Responsibility's own order: by activity, leads first, then by acronym.
    pairs = Responsibility.objects.filter(activity__in=activity_ids).values_list(
        "activity_id", "organization__acronym", "role"
    )
    for activity_id, acronym, role in pairs:
        named[activity_id].append((acronym, role))
    return named


def with_named_acronyms(activities: list["Activity"]) -> list["Activity"]:
    """``activities``, each given ``named_acronyms``: its organizations' acronyms, leads first."""
    named = named_in([activity.pk for activity in activities])
    for activity in activities:
        activity.named_acronyms = [acronym for acronym, _ in named[activity.pk]]
    return activities


def with_relations_read(activities: list["Activity"]) -> list["Activity"]:
    """``activities``, each given what the API shows of its relations, as plain values: ``named_pairs``, its
    (acronym, role) pairs, leads first, then by acronym; ``open_to_kinds``, by kind; ``theme_slugs``,
    by theme name.

    Three queries of values rather than three prefetches, which build a query set and its models per
    activity and relation: a third of the time of an API page of 100 activities.
    """
    ids = [activity.pk for activity in activities]
    named = named_in(ids)
    kinds: dict[int, list[str]] = {pk: [] for pk in ids}
    for activity_id, kind in ActivityOpenKind.objects.filter(activity__in=ids).values_list("activity_id", "kind"):
        kinds[activity_id].append(kind)
    themes: dict[int, list[str]] = {pk: [] for pk in ids}
    for activity_id, slug in (
        Activity.themes.through.objects.filter(activity__in=ids)
        .order_by("activity_id", "theme__name")
        .values_list("activity_id", "theme__slug")
    ):
        themes[activity_id].append(slug)
    for activity in activities:
        activity.named_pairs, activity.open_to_kinds, activity.theme_slugs = (
            named[activity.pk],
            kinds[activity.pk],
            themes[activity.pk],
        )
    return activities


class PlanManager(models.Manager["Plan"]):
    def get_by_natural_key(self, code: str) -> "Plan":
        return self.get(code=code)


class Plan(Translatable):
    code = models.SlugField(
        max_length=50, unique=True, help_text=_("Stable identifier, e.g. nairobi-2007."), verbose_name=_("code")
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    meeting = models.TextField(blank=True, help_text=_("The meeting that adopted the plan."), verbose_name=_("meeting"))
    venue = models.CharField(max_length=200, blank=True, verbose_name=_("venue"))
    adopted_on = models.DateField(null=True, blank=True, verbose_name=_("adopted on"))
    source = models.CharField(
        max_length=300, blank=True, help_text=_("The document the text is taken from."), verbose_name=_("source")
    )
    review_interval_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("How often progress is reviewed; empty when the plan says 'regularly'."),
        verbose_name=_("review interval months"),
    )
    review_note = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("How the plan itself says it is reviewed."),
        verbose_name=_("review note"),
    )
    # The language the plan was adopted in: its texts are marked as written in it on every page (a
    # screen reader reads them in it; a page in another language does not pass them off as its own).
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the plan was adopted in, in which its texts here are written."),
        verbose_name=_("language"),
    )

    objects = PlanManager.from_queryset(PlanQuerySet)()

    translated_fields = ("title",)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        # The latest adopted first; a plan not yet adopted last, on every database.
        ordering = [F("adopted_on").desc(nulls_last=True), "code"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def original_language(self) -> str:
        return self.language

    def reporters(self, *, on: datetime.date | None = None, as_of: datetime.datetime | None = None) -> "Reporters":
        """Who is expected to report on each activity of this plan, and who declared it not applicable.

        The expected reporters of an activity are the organizations named in it, plus every
        participant (taking part ``on`` that day, today by default) of a kind the activity is
        open to, less those that declared it not applicable (in force at ``as_of``, now by
        default). Completeness, "who has not reported", silent activities, reminders,
        digests, the matrix and the distribution of reports all count these.
        """
        day = on or timezone.localdate()
        return reporters_of([(self, day)], as_of=as_of)[self.pk, day]

    def expected_organizations(self) -> list[Organization]:
        """The organizations expected to report on some activity of this plan, by acronym."""
        organizations = {pair.organization.pk: pair.organization for pair in self.reporters().expected}
        return sorted(organizations.values(), key=lambda o: o.acronym)


def reporters_of(
    plans: Iterable[tuple["Plan", datetime.date]], *, as_of: datetime.datetime | None = None
) -> dict[tuple[int, datetime.date], "Reporters"]:
    """``Plan.reporters`` of each plan on its day, keyed by (plan id, day): six queries, however many.

    The jobs ask it for every plan with an open cycle at once: asked plan by plan, their queries
    grew by five with each open cycle.
    """
    asked = list(plans)
    if not asked:
        return {}
    read = list(
        Activity.objects.filter(plan__in={plan.pk for plan, _ in asked}).order_by(
            "plan_id", "number_major", "number_minor"
        )
    )
    ids = reporter_ids_of(
        [(plan.pk, day) for plan, day in asked], as_of=as_of, activities=[(a.pk, a.plan_id) for a in read]
    )
    activities = {activity.pk: activity for activity in read}
    organizations = Organization.objects.in_bulk(
        {o for pairs in ids.values() for _, o, _ in (*pairs.expected, *pairs.not_applicable)}
    )

    def models(triples: list[tuple[int, int, str]]) -> list[ExpectedReporter]:
        return [ExpectedReporter(activities[a], organizations[o], role) for a, o, role in triples]

    return {key: Reporters(models(pairs.expected), models(pairs.not_applicable)) for key, pairs in ids.items()}


@dataclass(frozen=True)
class ReporterIds:
    """``Reporters`` as (activity id, organization id, role) triples, in the same order."""

    expected: list[tuple[int, int, str]]
    not_applicable: list[tuple[int, int, str]]


def reporter_ids_of(
    plans: Iterable[tuple[int, datetime.date]],
    *,
    as_of: datetime.datetime | None = None,
    activities: Iterable[tuple[int, int]] | None = None,
) -> dict[tuple[int, datetime.date], ReporterIds]:
    """Who is expected to report on what (the rule of ``Plan.reporters``) in each plan (id) on its day, as ids:
    five queries of ids and codes, however many plans (four when given the plans' ``activities``, as
    (activity id, plan id) pairs in their natural order).

    Read without a model instance: the jobs ask it for a hundred plans of 400 activities at once,
    whose 40,000 activities and 100,000 expected pairs took longer to build as models than to read.
    """
    asked = list(plans)
    if not asked:
        return {}
    plan_ids = {plan_id for plan_id, _ in asked}
    if activities is None:
        activities = (
            Activity.objects.filter(plan__in=plan_ids)
            .order_by("plan_id", "number_major", "number_minor")
            .values_list("id", "plan_id")
        )
    plan_activities: dict[int, list[int]] = defaultdict(list)
    for activity_id, plan_id in activities:
        plan_activities[plan_id].append(activity_id)
    # Each activity's named organizations as the triples they give (most expected pairs are these).
    named: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for triple in Responsibility.objects.filter(activity__plan__in=plan_ids).values_list(
        "activity_id", "organization_id", "role"
    ):
        named[triple[0]].append(triple)
    open_kinds: dict[int, set[str]] = defaultdict(set)
    for activity_id, kind in ActivityOpenKind.objects.filter(activity__plan__in=plan_ids).values_list(
        "activity_id", "kind"
    ):
        open_kinds[activity_id].add(kind)
    days = [day for _, day in asked]
    participations: dict[int, list[tuple[int, str, datetime.date, datetime.date | None]]] = defaultdict(list)
    for plan_id, organization_id, kind, joined_on, left_on in (
        Participation.objects.filter(plan__in=plan_ids, joined_on__lte=max(days))
        .exclude(left_on__lt=min(days))
        .order_by("organization__acronym")
        .values_list("plan_id", "organization_id", "organization__kind", "joined_on", "left_on")
    ):
        participations[plan_id].append((organization_id, kind, joined_on, left_on))
    declared = set(
        NotApplicable.objects.in_force(as_of)
        .filter(activity__plan__in=plan_ids)
        .values_list("activity_id", "organization_id")
    )
    answers: dict[tuple[int, datetime.date], ReporterIds] = {}
    nobody: list[tuple[int, int, str]] = []
    for plan_id, day in asked:
        # Participation.objects.taking_part: joined by that day and not left before it; by acronym.
        participants = [
            (organization_id, kind)
            for organization_id, kind, joined_on, left_on in participations[plan_id]
            if joined_on <= day and (left_on is None or left_on >= day)
        ]
        expected: list[tuple[int, int, str]] = []
        not_applicable: list[tuple[int, int, str]] = []
        # The participants of each set of kinds an activity is open to, sought once per set (a plan has few).
        open_to: dict[frozenset[str], list[int]] = {}
        for activity_id in plan_activities[plan_id]:
            triples = named.get(activity_id, nobody)
            expected += triples
            if activity_id not in open_kinds:  # most activities: their named organizations only
                continue
            kinds = frozenset(open_kinds[activity_id])
            if kinds not in open_to:
                open_to[kinds] = [o for o, kind in participants if kind in kinds]
            named_ids = {o for _, o, _ in triples}
            for o in open_to[kinds]:
                if o not in named_ids:
                    (not_applicable if (activity_id, o) in declared else expected).append((activity_id, o, ""))
        answers[plan_id, day] = ReporterIds(expected, not_applicable)
    return answers


class ObjectiveManager(models.Manager["Objective"]):
    def get_by_natural_key(self, plan_code: str, number: int) -> "Objective":
        return self.get(plan__code=plan_code, number=number)


class Objective(Translatable):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    title = models.CharField(
        max_length=200, blank=True, help_text=_("A section heading, where the source has one."), verbose_name=_("title")
    )
    text = models.TextField(verbose_name=_("text"))
    note = models.TextField(blank=True, verbose_name=_("note"))

    objects = ObjectiveManager()

    translated_fields = ("title", "text")

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_number_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title or self.text[:80]}"

    def natural_key(self) -> tuple[str, int]:
        return (self.plan.code, self.number)

    natural_key.dependencies = ["actions.plan"]  # type: ignore[attr-defined]

    def original_language(self) -> str:
        return self.plan.language if self.plan_id else settings.LANGUAGE_CODE


class ThemeManager(models.Manager["Theme"]):
    def get_by_natural_key(self, slug: str) -> "Theme":
        return self.get(slug=slug)


class Theme(models.Model):
    slug = models.SlugField(unique=True, verbose_name=_("slug"))
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))

    objects = ThemeManager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


ACTIVITY_NUMBER_PATTERN = r"^[0-9]{1,4}\.[0-9]{1,4}$"
ACTIVITY_NUMBER = re.compile(ACTIVITY_NUMBER_PATTERN)
activity_number_validator = RegexValidator(
    ACTIVITY_NUMBER_PATTERN, _("An activity number is the objective’s number, a dot and the item’s: 3.2.")
)
_DOT = StrIndex("number", models.Value("."))


class ActivityManager(models.Manager["Activity"]):
    def get_by_natural_key(self, plan_code: str, number: str) -> "Activity":
        return self.get(plan__code=plan_code, number=number)


class Activity(Translatable):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan"))
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="activities", verbose_name=_("objective")
    )
    number = models.CharField(max_length=9, validators=[activity_number_validator], verbose_name=_("number"))
    # Natural order (1.9 < 1.10 < 2.1, 9.2 < 10.1), computed by the database from the number.
    number_major = models.GeneratedField(
        expression=Cast(Left("number", _DOT - 1), models.IntegerField()),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("number major"),
    )
    number_minor = models.GeneratedField(
        expression=Cast(Substr("number", _DOT + 1), models.IntegerField()),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("number minor"),
    )
    text = models.TextField(verbose_name=_("text"))
    responsible_text = models.TextField(
        blank=True,
        help_text=_('The "Organization/Body" text of the source, verbatim.'),
        verbose_name=_("responsible text"),
    )
    note = models.TextField(
        blank=True, help_text=_("Editorial remarks that are not part of the adopted text."), verbose_name=_("note")
    )
    due_date = models.DateField(null=True, blank=True, verbose_name=_("due date"))
    # Set on the plan page's rows by with_named_acronyms: the organizations named, leads first.
    named_acronyms: list[str]
    # Set on the API's activities by with_relations_read.
    named_pairs: list[tuple[str, str]]
    open_to_kinds: list[str]
    theme_slugs: list[str]
    organizations: "models.ManyToManyField[Organization, Responsibility]" = models.ManyToManyField(
        Organization, through="Responsibility", related_name="activities", blank=True, verbose_name=_("organizations")
    )
    themes = models.ManyToManyField(Theme, related_name="activities", blank=True, verbose_name=_("themes"))

    objects = ActivityManager.from_queryset(ActivityQuerySet)()

    translated_fields = ("text", "responsible_text")

    class Meta:
        verbose_name = _("activity")
        ordering = ["plan_id", "number_major", "number_minor"]
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="activity_number_unique_in_plan"),
        ]
        indexes = [models.Index(fields=["plan", "number_major", "number_minor"], name="activity_natural_order")]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("activity-detail", args=[self.pk])

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.code, self.number)

    natural_key.dependencies = ["actions.plan", "actions.objective"]  # type: ignore[attr-defined]

    def original_language(self) -> str:
        return self.plan.language if self.plan_id else settings.LANGUAGE_CODE

    def is_open_to(self, organization: Organization) -> bool:
        """Whether ``organization`` may report on this activity (uses prefetched relations)."""
        named, kinds = self._reporting_terms()
        return organization.pk in named or organization.kind in kinds

    def _reporting_terms(self) -> tuple[frozenset[int], frozenset[str]]:
        """The ids of the named organizations and the kinds the activity is open to. Kept on the instance
        while both relations stay prefetched as they were: a page asks for each of some 300 organizations,
        and reading the relations each time built two querysets per question."""
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        responsibilities, open_kinds = prefetched.get("responsibilities"), prefetched.get("open_kinds")
        kept = self.__dict__.get("_kept_reporting_terms")
        if kept is not None and kept[0] is responsibilities and kept[1] is open_kinds:
            known: tuple[frozenset[int], frozenset[str]] = kept[2]
            return known
        terms = (
            frozenset(r.organization_id for r in self.responsibilities.all()),
            frozenset(k.kind for k in self.open_kinds.all()),
        )
        if responsibilities is not None and open_kinds is not None:
            self.__dict__["_kept_reporting_terms"] = (responsibilities, open_kinds, terms)
        return terms

    def clean(self) -> None:
        super().clean()
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            raise ValidationError({"objective": _("The objective belongs to another plan.")})
        if self.objective_id and self.number and ACTIVITY_NUMBER.match(self.number):
            major = int(self.number.split(".")[0])
            if major != self.objective.number:
                n = self.objective.number
                raise ValidationError({"number": _("An activity of objective %(n)s is numbered %(n)s.N.") % {"n": n}})


class ResponsibilityManager(models.Manager["Responsibility"]):
    def get_by_natural_key(self, plan_code: str, number: str, acronym: str) -> "Responsibility":
        return self.get(activity__plan__code=plan_code, activity__number=number, organization__acronym=acronym)


class Responsibility(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("activity")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("organization")
    )
    role = models.CharField(
        max_length=10, choices=ResponsibilityRole.choices, default=ResponsibilityRole.LEAD, verbose_name=_("role")
    )

    objects = ResponsibilityManager()

    class Meta:
        verbose_name = _("responsibility")
        ordering = ["activity_id", "role", "organization__acronym"]
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(fields=["activity", "organization"], name="responsibility_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=ResponsibilityRole.values), name="responsibility_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.acronym} ({self.get_role_display().lower()}) on {self.activity.number}"

    def natural_key(self) -> tuple[str, str, str]:
        return (*self.activity.natural_key(), self.organization.acronym)

    natural_key.dependencies = ["actions.activity", "organizations.organization"]  # type: ignore[attr-defined]


class ActivityOpenKindManager(models.Manager["ActivityOpenKind"]):
    def get_by_natural_key(self, plan_code: str, number: str, kind: str) -> "ActivityOpenKind":
        return self.get(activity__plan__code=plan_code, activity__number=number, kind=kind)


class ActivityOpenKind(models.Model):
    """A kind of organization that may report on an activity without being named in it.

    "All relevant IROs" opens an activity to every international, regional and
    sub-regional organization.
    """

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="open_kinds", verbose_name=_("activity")
    )
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices, verbose_name=_("kind"))

    objects = ActivityOpenKindManager()

    class Meta:
        ordering = ["activity_id", "kind"]
        verbose_name = _("kind the activity is open to")
        verbose_name_plural = _("kinds the activity is open to")
        constraints = [
            models.UniqueConstraint(fields=["activity", "kind"], name="activity_open_kind_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values), name="activity_open_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity.number} open to {self.get_kind_display()}"

    def natural_key(self) -> tuple[str, str, str]:
        return (*self.activity.natural_key(), self.kind)

    natural_key.dependencies = ["actions.activity"]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ExpectedReporter:
    """An organization expected to report on an activity: named in it (lead or partner) or,
    with role "", a participant of a kind the activity is open to."""

    activity: Activity
    organization: Organization
    role: str


@dataclass
class Reporters:
    expected: list[ExpectedReporter]
    not_applicable: list[ExpectedReporter]

    def by_activity(self) -> dict[int, list[ExpectedReporter]]:
        """The expected reporters of each activity: leads, partners, then by kind; by acronym within."""
        grouped: dict[int, list[ExpectedReporter]] = defaultdict(list)
        order = {ResponsibilityRole.LEAD: 0, ResponsibilityRole.PARTNER: 1, "": 2}
        for pair in sorted(self.expected, key=lambda p: (order.get(p.role, 3), p.organization.acronym)):
            grouped[pair.activity.pk].append(pair)
        return grouped


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def for_plan(self, plan: Plan) -> "ParticipationQuerySet":
        """Every organization that takes or took part in ``plan``, by acronym: the plan page and the API."""
        return self.filter(plan=plan).select_related("organization").order_by("organization__acronym")

    def taking_part(self, plan: Plan, on: datetime.date) -> "ParticipationQuerySet":
        """The participants of ``plan`` on that day: joined by then and not left before it."""
        return self.filter(plan=plan, joined_on__lte=on).exclude(left_on__lt=on).order_by("organization__acronym")


class ParticipationManager(models.Manager["Participation"]):
    def get_by_natural_key(self, plan_code: str, acronym: str) -> "Participation":
        return self.get(plan__code=plan_code, organization__acronym=acronym)


class Participation(models.Model):
    """An organization taking part in a plan, from the day it joined until, if it left, the day it left.

    A participant of a kind an activity is open to ("all relevant IROs") is expected to
    report on it, unless it declared the activity not applicable.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="participations", verbose_name=_("plan"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="participations", verbose_name=_("organization")
    )
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)

    objects = ParticipationManager.from_queryset(ParticipationQuerySet)()

    class Meta:
        verbose_name_plural = _("participants")
        ordering = ["plan_id", "organization__acronym"]
        verbose_name = _("participant")
        constraints = [
            models.UniqueConstraint(fields=["plan", "organization"], name="participation_unique"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="participation_left_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.acronym} in {self.plan.code}"

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.code, self.organization.acronym)

    natural_key.dependencies = ["actions.plan", "organizations.organization"]  # type: ignore[attr-defined]

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("An organization leaves a plan after it joined.")})


class NotApplicableQuerySet(models.QuerySet["NotApplicable"]):
    def in_force(self, as_of: datetime.datetime | None = None) -> "NotApplicableQuerySet":
        """The declarations in force now, or at ``as_of``: made by then and not withdrawn by then."""
        if as_of is None:
            return self.filter(withdrawn_at__isnull=True)
        return self.filter(declared_at__lte=as_of).exclude(withdrawn_at__lte=as_of)


class NotApplicable(models.Model):
    """An organization's declaration that an activity open to its kind does not apply to it.

    Kept when withdrawn (by CTED staff, or by the organization): the history shows both.
    """

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="not_applicable", verbose_name=_("activity")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="not_applicable", verbose_name=_("organization")
    )
    reason = models.TextField(max_length=2000, validators=[MaxLengthValidator(2000)], verbose_name=_("reason"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("declared by")
    )
    declared_at = models.DateTimeField(auto_now_add=True, verbose_name=_("declared at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("withdrawn at"))

    objects = NotApplicableQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("not-applicable declarations")
        ordering = ["-declared_at", "-pk"]
        verbose_name = _("not-applicable declaration")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "organization"],
                condition=Q(withdrawn_at__isnull=True),
                name="not_applicable_once_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity.number} not applicable to {self.organization.acronym}"


EVIDENCE_MAX_LINKS = 10


def validate_evidence(value: object) -> None:
    """Evidence is a list of at most ten web addresses."""
    if not isinstance(value, list):
        raise ValidationError(_("Evidence is a list of links."))
    if len(value) > EVIDENCE_MAX_LINKS:
        raise ValidationError(_("Give at most %(count)s evidence links.") % {"count": EVIDENCE_MAX_LINKS})
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        if not isinstance(link, str) or len(link) > 500:
            raise ValidationError(_("Each evidence link is a web address of at most 500 characters."))
        try:
            check(link)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address (http:// or https://).") % {"link": link}
            ) from None


class StatusEntry(models.Model):
    """One progress report on one activity on behalf of one organization.

    Entries are append-only: a correction is a new entry that supersedes the old one.
    """

    OBSERVATIONS_MAX_LENGTH = 5000

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="status_entries", verbose_name=_("activity")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="status_entries", verbose_name=_("organization")
    )
    status = models.CharField(max_length=20, choices=Status.choices, verbose_name=_("status"))
    observations = models.TextField(
        max_length=OBSERVATIONS_MAX_LENGTH,
        validators=[MaxLengthValidator(OBSERVATIONS_MAX_LENGTH)],
        help_text=_("The programme and status of its progress."),
        verbose_name=_("observations"),
    )
    evidence = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_evidence],
        help_text=_("Links to documents that support the entry."),
        verbose_name=_("evidence"),
    )
    reported_on = models.DateField(help_text=_("The date the entry reports on."), verbose_name=_("reported on"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="status_entries", verbose_name=_("author")
    )
    confidentiality = models.CharField(
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.PARTICIPANTS,
        verbose_name=_("confidentiality"),
    )
    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED, verbose_name=_("review state")
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = StatusEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("status entry")
        ordering = ["-reported_on", "-created_at", "-pk"]
        verbose_name_plural = _("status entries")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="status_entry_status_valid"),
            models.CheckConstraint(
                condition=models.Q(confidentiality__in=Confidentiality.values),
                name="status_entry_confidentiality_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(review_state__in=ReviewState.values), name="status_entry_review_state_valid"
            ),
        ]
        # Each index serves a read that would otherwise scan and sort the whole history (issue 11):
        indexes = [
            # the latest entry per activity and organization, and an activity's standing entries
            models.Index(fields=["activity", "review_state", "reported_on", "created_at"], name="entry_latest"),
            models.Index(fields=["organization", "activity"], name="entry_by_organization"),
            # an activity's timeline, newest first, a page at a time
            models.Index(
                F("activity"), F("reported_on").desc(), F("created_at").desc(), F("id").desc(), name="entry_timeline"
            ),
            # the status-entry list (API and admin), newest first, and the same for one organization
            models.Index(F("reported_on").desc(), F("created_at").desc(), F("id").desc(), name="entry_list"),
            models.Index(
                F("organization"),
                F("reported_on").desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="entry_list_by_organization",
            ),
            # the latest entries on the home pages
            models.Index(F("created_at").desc(), F("id").desc(), name="entry_recent"),
            # an activity's last update (?updated_since=)
            models.Index(fields=["activity", "created_at"], name="entry_activity_updated"),
            # an organization's entries in confidence (a focal point's status counts read those live)
            models.Index(
                fields=["organization", "activity"],
                name="entry_restricted",
                condition=Q(confidentiality="restricted"),
            ),
            # the review queue: only the entries awaiting review, oldest first
            models.Index(fields=["created_at", "id"], name="entry_review_queue", condition=Q(review_state="submitted")),
            # how many of each organization's entries await review (the digest, read from the index
            # alone), and an organization's part of the queue
            models.Index(
                fields=["organization", "created_at", "id"],
                name="entry_awaiting_by_organization",
                condition=Q(review_state="submitted"),
            ),
            # the queue counted by plan and organization (the home page), read from the index alone
            models.Index(
                fields=["activity", "organization"], name="entry_awaiting_pairs", condition=Q(review_state="submitted")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity.number} {self.organization.acronym}: {self.get_status_display()}"


class StatusEntryReview(models.Model):
    """A reviewer's decision on a status entry; the history keeps every one, reasons included."""

    entry = models.ForeignKey(StatusEntry, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("entry"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("reviewer")
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices, verbose_name=_("decision"))
    comment = models.TextField(
        max_length=2000, blank=True, validators=[MaxLengthValidator(2000)], verbose_name=_("comment")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=ReviewDecision.values), name="review_decision_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision=ReviewDecision.RETURN, comment=""), name="review_return_has_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer} on entry {self.entry_id}"


class ActivityStatusQuerySet(models.QuerySet["ActivityStatus"]):
    def refresh(self, activity_ids: list[int]) -> None:
        """Recompute the kept overall statuses of these activities from their entries, as the reads do."""
        rows = (
            Activity.objects.filter(pk__in=activity_ids)
            .annotate(every_status=overall_status(permissions.SYSTEM), shared=overall_status(permissions.PARTICIPANTS))
            .values_list("pk", "every_status", "shared")
        )
        self.bulk_create(
            [ActivityStatus(activity_id=pk, status=status, shared_status=shared) for pk, status, shared in rows],
            update_conflicts=True,
            unique_fields=["activity"],
            update_fields=["status", "shared_status"],
        )

    def refresh_all(self, batch: int = 2000) -> int:
        """Recompute every activity's kept statuses (after a bulk load, or to repair); how many."""
        ids = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            self.refresh(ids[start : start + batch])
        return len(ids)


class ActivityStatus(models.Model):
    """An activity's overall status now, kept by every write of its entries (``keep_activity_status``)
    so that a count over thousands of activities (the home page's, the plan page's) reads one row
    each instead of each one's history. Two readings, for the two kinds of reader who see many
    activities at once: CTED staff's (every entry) and the participants' (the entries every
    participant may read). A focal point's differs only where their organization filed in
    confidence: those few are read live (``ActivityQuerySet.status_distribution``). An activity
    without a row is read live too. ``stocktaking`` reports read history "as of" a moment, never this.
    """

    activity = models.OneToOneField(
        Activity, primary_key=True, on_delete=models.CASCADE, related_name="kept_status", verbose_name=_("activity")
    )
    # NULL, as the live read's subquery gives, for "no accepted entry" (not an empty status).
    status = models.CharField(max_length=20, choices=Status.choices, null=True, blank=True, verbose_name=_("status"))  # noqa: DJ001
    shared_status = models.CharField(  # noqa: DJ001
        max_length=20, choices=Status.choices, null=True, blank=True, verbose_name=_("shared status")
    )

    objects = ActivityStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity status")
        verbose_name_plural = _("activity statuses")

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.status} / {self.shared_status}"


# Each organization's standing entry on each activity, from every entry: its latest one not
# replaced by an accepted correction (``StatusEntryQuerySet.standing`` for CTED staff). Portable
# SQL (PostgreSQL and SQLite); the migration that made the table holds a copy.
STANDING_ENTRIES_SQL = """
SELECT activity_id, organization_id, id, status, review_state FROM (
    SELECT entry.activity_id, entry.organization_id, entry.id, entry.status, entry.review_state,
           ROW_NUMBER() OVER (
               PARTITION BY entry.activity_id, entry.organization_id
               ORDER BY entry.reported_on DESC, entry.created_at DESC, entry.id DESC
           ) AS place
    FROM actions_statusentry entry
    WHERE NOT EXISTS (
        SELECT 1 FROM actions_statusentry correction
        WHERE correction.supersedes_id = entry.id AND correction.review_state = 'accepted'
    )
) ranked WHERE place = 1
"""


class OrganizationProgressQuerySet(models.QuerySet["OrganizationProgress"]):
    def refresh(self, pairs: set[tuple[int, int]]) -> None:
        """Recompute the kept standing entries of these (activity id, organization id) pairs."""
        for activity_id, organization_id in pairs:
            standing = (
                StatusEntry.objects.filter(activity_id=activity_id, organization_id=organization_id)
                .standing(permissions.SYSTEM)
                .values_list("pk", "status", "review_state")
                .first()
            )
            if standing is None:
                self.filter(activity_id=activity_id, organization_id=organization_id).delete()
                continue
            entry_id, status, review_state = standing
            self.update_or_create(
                activity_id=activity_id,
                organization_id=organization_id,
                defaults={"entry_id": entry_id, "status": status, "review_state": review_state},
            )

    def refresh_all(self) -> int:
        """Recompute every kept standing entry (after a bulk load, or to repair); how many are kept."""
        from django.db import connection

        self.all().delete()
        with connection.cursor() as cursor:
            columns = "activity_id, organization_id, entry_id, status, review_state"
            cursor.execute(f"INSERT INTO actions_organizationprogress ({columns}) {STANDING_ENTRIES_SQL}")
        return self.count()


class OrganizationProgress(models.Model):
    """An organization's standing entry on an activity (its latest, unless an accepted correction
    replaced it), with that entry's status and review state: kept by every write of entries and
    reviews (``keep_activity_status``) so that "what does this organization still owe" over
    thousands of activities is one anti-join, not a subquery into the history of each. Read for
    those who see every entry of the organization (CTED staff, its own focal points); an
    organization with no row on an activity has no entry there.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+", verbose_name=_("activity"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    entry = models.OneToOneField(StatusEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("entry"))
    status = models.CharField(max_length=20, choices=Status.choices, verbose_name=_("status"))
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, verbose_name=_("review state"))

    objects = OrganizationProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization progress")
        verbose_name_plural = _("organization progress")
        constraints = [
            models.UniqueConstraint(fields=["organization", "activity"], name="progress_once_per_organization"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} on {self.activity_id}: {self.status} ({self.review_state})"


def keep_activity_status(sender: type, *, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """After an entry or a review is saved (in its transaction), its activity's kept status and its
    organization's standing entry on the activity follow."""
    if raw:  # loaddata: the fixture's rows, refreshed with refresh_all if need be
        return
    entry = instance.entry if isinstance(instance, StatusEntryReview) else instance
    ActivityStatus.objects.refresh([entry.activity_id])
    OrganizationProgress.objects.refresh({(entry.activity_id, entry.organization_id)})


models.signals.post_save.connect(keep_activity_status, sender=StatusEntry, dispatch_uid="actions.keep_status_entry")
models.signals.post_save.connect(
    keep_activity_status, sender=StatusEntryReview, dispatch_uid="actions.keep_status_review"
)
