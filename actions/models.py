from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models.functions import Cast, Left, StrIndex, Substr

from actions.querysets import ActivityQuerySet, PlanQuerySet, StatusEntryQuerySet
from organizations.models import Organization, OrganizationKind


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


class PlanManager(models.Manager.from_queryset(PlanQuerySet)):
    def get_by_natural_key(self, code: str) -> "Plan":
        return self.get(code=code)


class Plan(models.Model):
    code = models.SlugField(max_length=50, unique=True, help_text="Stable identifier, e.g. nairobi-2007.")
    title = models.CharField(max_length=300)
    meeting = models.TextField(blank=True, help_text="The meeting that adopted the plan.")
    venue = models.CharField(max_length=200, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="The document the text is taken from.")
    review_interval_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How often progress is reviewed; empty when the plan says 'regularly'."
    )
    review_note = models.CharField(max_length=300, blank=True, help_text="How the plan itself says it is reviewed.")

    objects = PlanManager()

    class Meta:
        ordering = ["-adopted_on", "code"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class ObjectiveManager(models.Manager):
    def get_by_natural_key(self, plan_code: str, number: int) -> "Objective":
        return self.get(plan__code=plan_code, number=number)


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True, help_text="A section heading, where the source has one.")
    text = models.TextField()
    note = models.TextField(blank=True)

    objects = ObjectiveManager()

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_number_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title or self.text[:80]}"

    def natural_key(self) -> tuple:
        return (self.plan.code, self.number)

    natural_key.dependencies = ["actions.plan"]


class ThemeManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Theme":
        return self.get(slug=slug)


class Theme(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)

    objects = ThemeManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


activity_number_validator = RegexValidator(
    r"^[0-9]{1,4}\.[0-9]{1,4}$", "An activity number is the objective's number, a dot and the item's: 3.2."
)
_DOT = StrIndex("number", models.Value("."))


class ActivityManager(models.Manager.from_queryset(ActivityQuerySet)):
    def get_by_natural_key(self, plan_code: str, number: str) -> "Activity":
        return self.get(plan__code=plan_code, number=number)


class Activity(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="activities")
    number = models.CharField(max_length=9, validators=[activity_number_validator])
    # Natural order (1.9 < 1.10 < 2.1, 9.2 < 10.1), computed by the database from the number.
    number_major = models.GeneratedField(
        expression=Cast(Left("number", _DOT - 1), models.IntegerField()),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    number_minor = models.GeneratedField(
        expression=Cast(Substr("number", _DOT + 1), models.IntegerField()),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    text = models.TextField()
    responsible_text = models.TextField(blank=True, help_text='The "Organization/Body" text of the source, verbatim.')
    note = models.TextField(blank=True, help_text="Editorial remarks that are not part of the adopted text.")
    due_date = models.DateField(null=True, blank=True)
    organizations = models.ManyToManyField(
        Organization, through="Responsibility", related_name="activities", blank=True
    )
    themes = models.ManyToManyField(Theme, related_name="activities", blank=True)

    objects = ActivityManager()

    class Meta:
        ordering = ["plan_id", "number_major", "number_minor"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="activity_number_unique_in_plan"),
        ]
        indexes = [models.Index(fields=["plan", "number_major", "number_minor"], name="activity_natural_order")]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:80]}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("activity-detail", args=[self.pk])

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.code, self.number)

    natural_key.dependencies = ["actions.plan", "actions.objective"]

    def is_open_to(self, organization: Organization) -> bool:
        """Whether ``organization`` may report on this activity (uses prefetched relations)."""
        return any(r.organization_id == organization.pk for r in self.responsibilities.all()) or any(
            k.kind == organization.kind for k in self.open_kinds.all()
        )

    def clean(self) -> None:
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            raise ValidationError({"objective": "The objective belongs to another plan."})
        if self.objective_id and self.number and activity_number_validator.regex.match(self.number):
            major = int(self.number.split(".")[0])
            if major != self.objective.number:
                n = self.objective.number
                raise ValidationError({"number": f"An activity of objective {n} is numbered {n}.N."})


class ResponsibilityRole(models.TextChoices):
    LEAD = "lead", "Lead"
    PARTNER = "partner", "Partner"


class ResponsibilityManager(models.Manager):
    def get_by_natural_key(self, plan_code: str, number: str, acronym: str) -> "Responsibility":
        return self.get(activity__plan__code=plan_code, activity__number=number, organization__acronym=acronym)


class Responsibility(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="responsibilities")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="responsibilities")
    role = models.CharField(max_length=10, choices=ResponsibilityRole.choices, default=ResponsibilityRole.LEAD)

    objects = ResponsibilityManager()

    class Meta:
        ordering = ["activity_id", "role", "organization__acronym"]
        verbose_name_plural = "responsibilities"
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

    natural_key.dependencies = ["actions.activity", "organizations.organization"]


class ActivityOpenKindManager(models.Manager):
    def get_by_natural_key(self, plan_code: str, number: str, kind: str) -> "ActivityOpenKind":
        return self.get(activity__plan__code=plan_code, activity__number=number, kind=kind)


class ActivityOpenKind(models.Model):
    """A kind of organization that may report on an activity without being named in it.

    "All relevant IROs" opens an activity to every international, regional and
    sub-regional organization.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="open_kinds")
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)

    objects = ActivityOpenKindManager()

    class Meta:
        ordering = ["activity_id", "kind"]
        verbose_name = "kind the activity is open to"
        verbose_name_plural = "kinds the activity is open to"
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

    natural_key.dependencies = ["actions.activity"]


EVIDENCE_MAX_LINKS = 10


def validate_evidence(value) -> None:
    """Evidence is a list of at most ten web addresses."""
    if not isinstance(value, list):
        raise ValidationError("Evidence is a list of links.")
    if len(value) > EVIDENCE_MAX_LINKS:
        raise ValidationError(f"Give at most {EVIDENCE_MAX_LINKS} evidence links.")
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        if not isinstance(link, str) or len(link) > 500:
            raise ValidationError("Each evidence link is a web address of at most 500 characters.")
        try:
            check(link)
        except ValidationError:
            raise ValidationError(f"“{link}” is not a web address (http:// or https://).") from None


class StatusEntry(models.Model):
    """One progress report on one activity on behalf of one organization.

    Entries are append-only: a correction is a new entry that supersedes the old one.
    """

    OBSERVATIONS_MAX_LENGTH = 5000

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="status_entries")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="status_entries")
    status = models.CharField(max_length=20, choices=Status.choices)
    observations = models.TextField(
        max_length=OBSERVATIONS_MAX_LENGTH,
        validators=[MaxLengthValidator(OBSERVATIONS_MAX_LENGTH)],
        help_text="The programme and status of its progress.",
    )
    evidence = models.JSONField(
        default=list, blank=True, validators=[validate_evidence], help_text="Links to documents that support the entry."
    )
    reported_on = models.DateField(help_text="The date the entry reports on.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="status_entries")
    confidentiality = models.CharField(
        max_length=20, choices=Confidentiality.choices, default=Confidentiality.PARTICIPANTS
    )
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StatusEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-created_at", "-pk"]
        verbose_name_plural = "status entries"
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
        indexes = [
            models.Index(fields=["activity", "review_state", "reported_on", "created_at"], name="entry_latest"),
            models.Index(fields=["organization", "activity"], name="entry_by_organization"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.number} {self.organization.acronym}: {self.get_status_display()}"


class ReviewDecision(models.TextChoices):
    ACCEPT = "accept", "Accept"
    RETURN = "return", "Return"


class StatusEntryReview(models.Model):
    """A reviewer's decision on a status entry; the history keeps every one, reasons included."""

    entry = models.ForeignKey(StatusEntry, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(max_length=2000, blank=True, validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
