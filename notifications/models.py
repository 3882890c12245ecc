"""The outgoing-mail record: every e-mail the tracker sends is one row, written once."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.models import ReportFile, StocktakingCycle


class ReminderState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("reminder state", "Pending")
    SENT = "sent", pgettext_lazy("reminder state", "Sent")
    FAILED = "failed", pgettext_lazy("reminder state", "Failed")


class MailBodyManager(models.Manager["MailBody"]):
    def stored(self, bodies: list["MailBody"]) -> list["MailBody"]:
        """``bodies`` (unsaved, each ``MailBody.of(...)``), each given the primary key of its stored row.

        Bodies alike are stored once: a digest edition's thousands of readers, or a body written
        again by a later run, share one row. One insert for all of them.
        """
        # In the order of their digests: two runs at once lock the rows they share in the same order.
        unique = {body.sha256: body for body in sorted(bodies, key=lambda body: body.sha256)}
        # ON CONFLICT DO UPDATE (of nothing that changes) so that the rows already there answer with their keys too.
        self.bulk_create(
            list(unique.values()),
            batch_size=500,
            update_conflicts=True,
            unique_fields=["sha256"],
            update_fields=["sha256"],
        )
        for body in bodies:
            body.pk = unique[body.sha256].pk
        return bodies


class MailBody(models.Model):
    """The text and HTML of an e-mail, stored once however many are sent alike (content-addressed)."""

    sha256 = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("SHA-256"))
    text = models.TextField(verbose_name=_("text"))
    html = models.TextField(blank=True, verbose_name=_("html"))

    objects = MailBodyManager()

    class Meta:
        verbose_name = _("mail body")
        verbose_name_plural = _("mail bodies")

    def __str__(self) -> str:
        return self.sha256[:12]

    @classmethod
    def of(cls, text: str, html: str = "") -> "MailBody":
        """An unsaved body for ``text`` and ``html``, named by their digest."""
        digest = hashlib.sha256()
        for part in (text, html):
            encoded = part.encode()
            digest.update(len(encoded).to_bytes(8, "big"))  # so that text and html cannot trade characters
            digest.update(encoded)
        return cls(sha256=digest.hexdigest(), text=text, html=html)


class Reminder(models.Model):
    """One e-mail the jobs send: a reminder, a digest, a matrix, a report, a receipt.

    Unique per recipient and key (``cycle:7:before-14``, ``digest:2026-W47``...), so a
    job run twice, or by two beat processes at once, writes it once and sends it once.
    It is written pending in the transaction that causes it and sent afterwards: what
    could not be queued is sent by the next run.
    """

    recipient = models.EmailField(verbose_name=_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminders",
        verbose_name=_("user"),
    )
    cycle = models.ForeignKey(
        StocktakingCycle,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("cycle"),
    )
    step = models.CharField(
        max_length=40,
        help_text=_("Which reminder: before-14, overdue-1, now-2026-12-07 (sent by hand), digest, matrix..."),
        verbose_name=_("step"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who had it sent now, for a reminder sent by hand; empty for what the jobs send on their own."),
        verbose_name=_("requested by"),
    )
    key = models.CharField(max_length=120, verbose_name=_("key"))
    subject = models.CharField(max_length=250, verbose_name=_("subject"))
    body = models.ForeignKey(MailBody, on_delete=models.PROTECT, related_name="+", verbose_name=_("body"))
    attachments = models.ManyToManyField(
        ReportFile,
        blank=True,
        related_name="+",
        help_text=_("Stored reports sent with the e-mail as attachments."),
        verbose_name=_("attachments"),
    )
    state = models.CharField(
        max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING, verbose_name=_("state")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="reminder_once_per_recipient_and_key"),
            models.CheckConstraint(condition=models.Q(state__in=ReminderState.values), name="reminder_state_valid"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="reminder_pending")]

    def __str__(self) -> str:
        return f"{self.key} to {self.recipient} ({self.state})"
