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
            status=Subquery(visible.accepted().latest_first().values("status")[:1]),
            last_update=Subquery(visible.order_by("-created_at").values("created_at")[:1]),
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
