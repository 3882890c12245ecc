from django.core.exceptions import ValidationError
from django.db import models

from actions.models import Plan


class CycleState(models.TextChoices):
    PLANNED = "planned", "Planned"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class StocktakingCycle(models.Model):
    """A reporting period of a plan; its report is the plan as it stood at the period's end."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="cycles")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    deadline = models.DateField(help_text="The date by which organizations submit their entries.")
    state = models.CharField(max_length=10, choices=CycleState.choices, default=CycleState.PLANNED)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "-period_end"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="cycle_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(state__in=CycleState.values), name="cycle_state_valid"),
            models.UniqueConstraint(fields=["plan", "title"], name="cycle_title_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.title}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})
