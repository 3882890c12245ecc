"""The fixed vocabularies of plans and progress: statuses, confidentiality, review states and decisions."""

from django.db import models


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    DELAYED = "delayed", "Delayed"
    DISCONTINUED = "discontinued", "Discontinued"


class Confidentiality(models.TextChoices):
    PUBLIC = "public", "Public"
    PARTICIPANTS = "participants", "Participants"
    RESTRICTED = "restricted", "Restricted to CTED and the reporting organization"


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"
    # Corrected while still awaiting review: it leaves the review queue, its correction is reviewed.
    SUPERSEDED = "superseded", "Superseded by a correction"


class ResponsibilityRole(models.TextChoices):
    LEAD = "lead", "Lead"
    PARTNER = "partner", "Partner"


class ReviewDecision(models.TextChoices):
    ACCEPT = "accept", "Accept"
    RETURN = "return", "Return"
