import hashlib
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.roles import Role, user_role
from tracker.translations import Translatable


class OrganizationKind(models.TextChoices):
    UN_BODY = "un_body", _("UN body or committee")
    INTERNATIONAL = "international", _("International organization")
    REGIONAL = "regional", _("Regional organization")
    SUBREGIONAL = "subregional", _("Sub-regional organization")
    MEMBER_STATE = "member_state", _("Member State")
    OTHER = "other", _("Other")


# "All relevant IROs": international, regional and sub-regional organizations.
IRO_KINDS = (OrganizationKind.INTERNATIONAL, OrganizationKind.REGIONAL, OrganizationKind.SUBREGIONAL)

acronym_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]*$",
    _("An acronym has letters, digits and hyphens only (it is used in addresses)."),
)


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def for_directory(self) -> "OrganizationQuerySet":
        return self.select_related("parent").order_by("acronym")

    def with_active_focal_points(self) -> "OrganizationQuerySet":
        """Each organization's active focal points, by name, as ``active_focal_points``."""
        return self.prefetch_related(
            models.Prefetch(
                "focal_points",
                queryset=FocalPoint.objects.filter(is_active=True).order_by("name"),
                to_attr="active_focal_points",
            )
        )

    def reporting_on(self, activity: Any) -> "OrganizationQuerySet":
        """Organizations that may report on ``activity``: named in it, or of a kind it is open to.

        An ``Exists`` per organization is an index probe; an OR across a join to every responsibility
        of every plan read them all (and needed a DISTINCT)."""
        named = activity.responsibilities.filter(organization=models.OuterRef("pk"))
        return self.filter(models.Exists(named) | models.Q(kind__in=activity.open_kinds.values("kind")))


class OrganizationManager(models.Manager["Organization"]):
    def get_by_natural_key(self, acronym: str) -> "Organization":
        return self.get(acronym=acronym)


class Organization(Translatable):
    acronym = models.CharField(max_length=32, unique=True, validators=[acronym_validator], verbose_name=_("acronym"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices, verbose_name=_("kind"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    website = models.URLField(blank=True, verbose_name=_("website"))

    objects = OrganizationManager.from_queryset(OrganizationQuerySet)()

    # Names are kept as the organization gives them in English; a name in another language is the
    # organization's own where it has one, entered by staff.
    translated_fields = ("name",)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["acronym"]
        constraints = [
            models.UniqueConstraint(Upper("acronym"), name="organization_acronym_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values),
                name="organization_kind_valid",
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="organization_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.acronym

    def natural_key(self) -> tuple[str]:
        return (self.acronym,)

    @property
    def is_iro(self) -> bool:
        return self.kind in IRO_KINDS


class FocalPoint(models.Model):
    """A named contact of an organization; the directory is activity 1.3 of the Nairobi plan.

    A focal point linked to a user account makes that user a member of the organization:
    the account logs progress on the organization's behalf.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="focal_points", verbose_name=_("organization")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    title = models.CharField(_("job title"), max_length=200, blank=True)
    email = models.EmailField(verbose_name=_("email"))
    phone = models.CharField(max_length=50, blank=True, verbose_name=_("phone"))
    confirmed_on = models.DateField(
        _("details last confirmed"),
        null=True,
        blank=True,
        help_text=_("When the focal point last confirmed these contact details."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="focal_point",
        verbose_name=_("user"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["organization__acronym", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="focal_point_email_unique_per_organization"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization.acronym})"


class MailPreference(models.TextChoices):
    REMINDERS = "reminders", _("Reminders only")
    REMINDERS_AND_DIGESTS = "reminders_and_digests", _("Reminders and digests")


class Profile(models.Model):
    """What a user wants to receive by e-mail, and in which language they read the site and its e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    mail = models.CharField(
        _("e-mail me"),
        max_length=30,
        choices=MailPreference.choices,
        help_text=_(
            "Reminders before a stocktaking deadline always come; digests are the weekly summary "
            "and, for CTED staff and the secretariat, the monthly matrix."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "Of the pages and of the e-mails you receive; none chosen, the pages follow your browser and "
            "the e-mails are in English."
        ),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(condition=models.Q(mail__in=MailPreference.values), name="profile_mail_valid"),
            models.CheckConstraint(
                condition=models.Q(language__in=["", *(code for code, _ in settings.LANGUAGES)]),
                name="profile_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_mail_display()}"


def wants_digests(user: Any) -> bool:
    """Whether ``user`` gets the weekly digest (and, for CTED staff and the secretariat, the
    monthly matrix): their own choice, or by default CTED staff and the secretariat do."""
    profile = getattr(user, "profile", None)
    if profile is not None:
        return bool(profile.mail == MailPreference.REMINDERS_AND_DIGESTS)
    return user_role(user) in {Role.STAFF, Role.SECRETARIAT}


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def for_list(self) -> "ApiTokenQuerySet":
        return self.select_related("user").order_by("-created_at", "-pk")


class ApiToken(models.Model):
    """A key for the REST API. Only its SHA-256 hash is stored: the key is shown once.

    It stops working when it expires, when revoked, when its user is deactivated, and when the
    user's credentials change (``fingerprint`` is ``user.get_session_auth_hash()`` at creation,
    so a new password, like a rotated SECRET_KEY, ends every token).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("What the token is for, e.g. the program using it."),
        verbose_name=_("name"),
    )
    key_hash = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=8,
        editable=False,
        help_text=_("The key's first characters, to tell tokens apart; not secret."),
        verbose_name=_("prefix"),
    )
    fingerprint = models.CharField(
        max_length=128,
        editable=False,
        help_text=_("The user's credentials at creation; a password change ends the token."),
        verbose_name=_("fingerprint"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("revoked at"))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("API tokens")
        verbose_name = _("API token")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'API token'}, {self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class PasswordResetRequest(models.Model):
    """A request for a password-reset e-mail, kept an hour or so to limit them (PASSWORD_RESET_LIMIT_PER_HOUR).

    The e-mail address asked for is kept as its SHA-256 only: anyone may type any address.
    """

    email_hash = models.CharField(_("SHA-256 of the e-mail address"), max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True, verbose_name=_("IP address"))
    requested_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("requested at"))

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.ip_address} at {self.requested_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash_email(email: str) -> str:
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()
