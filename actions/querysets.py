"""Reads of plans, activities and status entries, one method per screen or endpoint."""

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery


class PlanQuerySet(models.QuerySet):
    def with_counts(self) -> "PlanQuerySet":
        from actions.models import Activity, Objective

        def count_of(model):
            return Subquery(
                model.objects.filter(plan=OuterRef("pk")).order_by().values("plan").annotate(n=Count("pk")).values("n"),
                output_field=models.IntegerField(),
            )

        return self.annotate(objective_count=count_of(Objective), activity_count=count_of(Activity))


class StatusEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StatusEntryQuerySet":
        from actions.permissions import entry_visibility

        return self.filter(entry_visibility(user))

    def accepted(self) -> "StatusEntryQuerySet":
        from actions.models import ReviewState

        return self.filter(review_state=ReviewState.ACCEPTED)

    def latest_first(self) -> "StatusEntryQuerySet":
        return self.order_by("-reported_on", "-created_at", "-pk")

    def current(self, user) -> "StatusEntryQuerySet":
        """Entries not replaced by an accepted correction that ``user`` may read.

        A correction the user may not read changes nothing of what they see.
        """
        from actions.models import ReviewState
        from actions.permissions import entry_visibility

        replaced = self.model._default_manager.filter(
            Q(review_state=ReviewState.ACCEPTED, supersedes=OuterRef("pk")) & entry_visibility(user)
        )
        return self.exclude(Exists(replaced))

    def for_timeline(self, activity, user) -> "StatusEntryQuerySet":
        """An activity's whole visible history, newest first, with what each line shows."""
        from actions.models import StatusEntryReview

        return (
            self.filter(activity=activity)
            .visible_to(user)
            .select_related("organization", "author", "supersedes", "superseded_by")
            .prefetch_related(Prefetch("reviews", queryset=StatusEntryReview.objects.select_related("reviewer")))
            .latest_first()
        )

    def for_review_queue(self, user) -> "StatusEntryQuerySet":
        from actions.models import ReviewState

        return (
            self.visible_to(user)
            .filter(review_state=ReviewState.SUBMITTED)
            .select_related("activity__plan", "organization", "author", "supersedes")
            .order_by("created_at", "pk")
        )

    def recent(self, user) -> "StatusEntryQuerySet":
        return (
            self.visible_to(user)
            .select_related("activity__plan", "organization", "author")
            .order_by("-created_at", "-pk")
        )


class ActivityQuerySet(models.QuerySet):
    def with_progress(self, user) -> "ActivityQuerySet":
        """Annotate ``status`` and ``last_update`` from the entries ``user`` may read.

        ``status`` is the status of the most recent accepted entry; ``last_update`` is
        when the most recent entry was logged. Both are single subqueries, so a list
        never reads an activity's history.
        """
        from actions.models import StatusEntry

        visible = StatusEntry.objects.visible_to(user).filter(activity=OuterRef("pk"))
        return self.annotate(
            status=Subquery(visible.accepted().current(user).latest_first().values("status")[:1]),
            last_update=Subquery(visible.order_by("-created_at").values("created_at")[:1]),
        )

    def with_organization_progress(self, organization, user) -> "ActivityQuerySet":
        """Annotate the latest visible entry ``organization`` logged: its status and review state."""
        from actions.models import StatusEntry

        latest = (
            StatusEntry.objects.visible_to(user)
            .filter(activity=OuterRef("pk"), organization=organization)
            .current(user)
            .latest_first()
        )
        return self.annotate(
            organization_status=Subquery(latest.values("status")[:1]),
            organization_review_state=Subquery(latest.values("review_state")[:1]),
        )

    def status_distribution(self, user, by: str) -> dict:
        """``{by value: {status: count}}``, counting every activity once; None for no accepted entry."""
        rows = self.order_by().with_progress(user).values(by, "status").annotate(n=Count("pk"))
        distribution: dict = {}
        for row in rows:
            distribution.setdefault(row[by], {})[row["status"]] = row["n"]
        return distribution

    def for_plan_page(self, plan, user) -> "ActivityQuerySet":
        from actions.models import Responsibility

        return (
            self.filter(plan=plan)
            .select_related("objective")
            .prefetch_related(
                Prefetch(
                    "responsibilities",
                    queryset=Responsibility.objects.select_related("organization").order_by(
                        "role", "organization__acronym"
                    ),
                )
            )
            .with_progress(user)
        )

    def open_to(self, organization) -> "ActivityQuerySet":
        """Activities ``organization`` may report on: named in them, or open to its kind."""
        from actions.models import ActivityOpenKind, Responsibility

        return self.filter(
            Exists(Responsibility.objects.filter(activity=OuterRef("pk"), organization=organization))
            | Exists(ActivityOpenKind.objects.filter(activity=OuterRef("pk"), kind=organization.kind))
        )

    def search(self, text: str) -> "ActivityQuerySet":
        query = Q()
        for word in text.split():
            query &= (
                Q(text__icontains=word) | Q(responsible_text__icontains=word) | Q(note__icontains=word) | Q(number=word)
            )
        return self.filter(query)

    def for_api(self, user) -> "ActivityQuerySet":
        from actions.models import Responsibility

        return (
            self.select_related("plan", "objective")
            .prefetch_related(
                Prefetch(
                    "responsibilities",
                    queryset=Responsibility.objects.select_related("organization").order_by(
                        "role", "organization__acronym"
                    ),
                ),
                "open_kinds",
            )
            .with_progress(user)
        )


def organizations_open_to(activity):
    """Organizations that may report on ``activity``: named in it, or of a kind it is open to."""
    from actions.models import ActivityOpenKind
    from organizations.models import Organization

    return Organization.objects.filter(
        Q(responsibilities__activity=activity)
        | Q(kind__in=ActivityOpenKind.objects.filter(activity=activity).values("kind"))
    ).distinct()
