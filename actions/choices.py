"""The fixed vocabularies of plans and progress: statuses, confidentiality, review states and decisions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("activity status", "Not started")
    PLANNED = "planned", pgettext_lazy("activity status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("activity status", "In progress")
    ONGOING = "ongoing", pgettext_lazy("activity status", "Ongoing")
    COMPLETED = "completed", pgettext_lazy("activity status", "Completed")
    DELAYED = "delayed", pgettext_lazy("activity status", "Delayed")
    DISCONTINUED = "discontinued", pgettext_lazy("activity status", "Discontinued")


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTICIPANTS = "participants", _("Participants")
    RESTRICTED = "restricted", _("Restricted to CTED and the reporting organization")


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("review state", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("review state", "Accepted")
    RETURNED = "returned", pgettext_lazy("review state", "Returned")
    # Corrected while still awaiting review: it leaves the review queue, its correction is reviewed.
    SUPERSEDED = "superseded", pgettext_lazy("review state", "Superseded by a correction")


class ResponsibilityRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")


class ReviewDecision(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return")
