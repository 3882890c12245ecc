"""The outgoing-mail record: every e-mail the tracker sends is one row, written once."""

from django.conf import settings
from django.db import models

from reports.models import ReportFile, StocktakingCycle


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
    attachments = models.ManyToManyField(
        ReportFile, blank=True, related_name="+", help_text="Stored reports sent with the e-mail as attachments."
    )
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
