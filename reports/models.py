import datetime

from django.conf import settings
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
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="The report of a closed cycle is the plan as it stood at this moment."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the closed cycle's report was sent to the participants."
    )

    class Meta:
        ordering = ["plan_id", "-period_end"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="cycle_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(state__in=CycleState.values), name="cycle_state_valid"),
            models.UniqueConstraint(fields=["plan", "title"], name="cycle_title_unique_in_plan"),
            models.UniqueConstraint(fields=["plan"], condition=models.Q(state="open"), name="one_open_cycle_per_plan"),
            models.CheckConstraint(
                condition=models.Q(state="closed", closed_at__isnull=False) | ~models.Q(state="closed"),
                name="closed_cycle_has_closing_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cycle-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = "The period cannot end before it starts."
        if self.period_start and self.deadline and self.deadline < self.period_start:
            errors["deadline"] = "The deadline cannot come before the period starts."
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self) -> bool:
        return self.state == CycleState.CLOSED

    def days_to_deadline(self, today: datetime.date) -> int:
        return (self.deadline - today).days

    def previous(self) -> "StocktakingCycle | None":
        """The plan's cycle whose period ended last before this one started."""
        return (
            StocktakingCycle.objects.filter(plan_id=self.plan_id, period_end__lt=self.period_start)
            .order_by("-period_end")
            .first()
        )


class ReminderState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Reminder(models.Model):
    """One e-mail the jobs send: a reminder, a digest, a matrix, a report, a receipt.

    Unique per recipient and key (``cycle:7:before-14``, ``digest:2026-W47``...), so a
    job run twice, or by two beat processes at once, writes it once and sends it once.
    It is written pending in the transaction that causes it and sent afterwards: what
    could not be queued is sent by the next run.
    """

    recipient = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    cycle = models.ForeignKey(
        StocktakingCycle, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    step = models.CharField(max_length=40, help_text="Which reminder: before-14, overdue-1, digest, matrix...")
    key = models.CharField(max_length=120)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="reminder_once_per_recipient_and_key"),
            models.CheckConstraint(condition=models.Q(state__in=ReminderState.values), name="reminder_state_valid"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="reminder_pending")]

    def __str__(self) -> str:
        return f"{self.key} to {self.recipient} ({self.state})"


class ReportFile(models.Model):
    """A report stored when its cycle closed, as it was sent to the participants."""

    cycle = models.ForeignKey(StocktakingCycle, on_delete=models.CASCADE, related_name="report_files")
    format = models.CharField(max_length=10)
    file = models.FileField(upload_to="reports/%Y/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "format"], name="one_report_file_per_cycle_and_format"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} ({self.format})"
