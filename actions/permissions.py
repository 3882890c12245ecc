"""Who may see and do what: one function per question, each the only place that answers it.

Pages, the API, the services, the spreadsheet import and the background jobs all ask here.
A question about doing something answers with a ``Decision``: allowed, or refused with the
reason. ``Decision.require()`` turns a refusal into the one answer every surface gives:

- 403 (``PermissionDenied``) when the thing is not the person's to do ("not yours");
- 400 (``ValidationError`` on a field) when the person may act but the input is wrong,
  e.g. an organization that is not responsible for the activity.

The rules:

- CTED staff: everything, on any organization's behalf; their own entries need no review.
- Focal point: logs entries for their own organization only, on activities that name it
  or are open to its kind; reads restricted entries of their own organization only.
- Secretariat: what a viewer may, plus running stocktaking cycles.
- Viewer: reads, never restricted entries.
- The audit trail (changes and security events): CTED staff only.
- The system (the scheduled jobs): reads everything, runs stocktaking; never logs or reviews.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from actions.choices import Confidentiality, ResponsibilityRole, ReviewState
from organizations.models import FocalPoint, Organization
from organizations.roles import Role, user_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from actions.models import Activity, Plan, StatusEntry


@dataclass(frozen=True)
class Actor:
    """Whoever reads or acts, as the rules see them: a role and, for a focal point, an organization.

    Pages and the API get one from the signed-in user (``actor_of``); the jobs use the
    explicit ``SYSTEM`` and ``PARTICIPANTS`` actors below.
    """

    role: Role | None
    organization: Organization | None = None
    user: "User | None" = None
    is_system: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None or self.is_system


ANONYMOUS = Actor(role=None)
# What is sent to every participant (the stored, distributed report): what any viewer may read.
PARTICIPANTS = Actor(role=Role.VIEWER)
# The scheduled jobs: whom to remind is decided on every entry, restricted ones included.
SYSTEM = Actor(role=None, is_system=True)

# A user, or an actor already made: every function below takes either.
Who = Union["User", "AnonymousUser", Actor]


def actor_of(who: Who) -> Actor:
    """The actor for ``who``, read once per user object (one query for a focal point's organization)."""
    if isinstance(who, Actor):
        return who
    if not who.is_authenticated:
        return ANONYMOUS
    cached: Actor | None = who.__dict__.get("_tracker_actor")
    if cached is not None:
        return cached
    role = user_role(who)
    organization = None
    if role == Role.FOCAL_POINT:
        focal_point = FocalPoint.objects.filter(user=who, is_active=True).select_related("organization").first()
        organization = focal_point.organization if focal_point else None
    actor = Actor(role=role, organization=organization, user=who)
    who.__dict__["_tracker_actor"] = actor
    return actor


def actors_of(users: "Iterable[User]") -> None:
    """Make the actor of each of ``users`` (``actor_of``) with one query for all the focal points'
    organizations, for a job that reads many users at once; each user keeps its actor."""
    focal = [u for u in users if "_tracker_actor" not in u.__dict__ and user_role(u) == Role.FOCAL_POINT]
    organizations: dict[int, Organization] = {}
    # The same focal point as actor_of's first(), for a person who is one for several organizations.
    first = FocalPoint._meta.ordering or ["pk"]
    taken = FocalPoint.objects.filter(user__in=focal, is_active=True).select_related("organization").order_by(*first)
    for focal_point in taken:
        if focal_point.user_id is not None:
            organizations.setdefault(focal_point.user_id, focal_point.organization)
    for user in focal:
        user.__dict__["_tracker_actor"] = Actor(
            role=Role.FOCAL_POINT, organization=organizations.get(user.pk), user=user
        )


@dataclass(frozen=True)
class Decision:
    """An answer to "may they?": allowed, or refused with the reason a person reads."""

    allowed: bool
    reason: str = ""
    # Set when the refusal is about the input, not the person: a 400 with an error on this field.
    field: str | None = None

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def forbidden(self) -> bool:
        """Refused because it is not the person's to do (a 403), not because of the input."""
        return not self.allowed and self.field is None

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """The refusal as field errors, for a refusal about the input; empty otherwise."""
        return {self.field: [self.reason]} if not self.allowed and self.field is not None else {}

    def require_permission(self) -> None:
        """Raise PermissionDenied (403) if refused as "not yours"; a refusal about the input is left
        to be reported with the other field errors."""
        if self.forbidden:
            raise PermissionDenied(self.reason)

    def require(self) -> None:
        """Raise the refusal: PermissionDenied (403), or ValidationError on ``field`` (400)."""
        self.require_permission()
        if not self.allowed:
            raise ValidationError(self.field_errors)


ALLOWED = Decision(True)


def _refused(reason: str, field: str | None = None) -> Decision:
    return Decision(False, reason, field)


# --- Reading status entries ---


def sees_restricted(who: Who) -> bool:
    """Whether ``who`` reads every organization's restricted entries: CTED staff and the system."""
    actor = actor_of(who)
    return actor.role == Role.STAFF or actor.is_system


def readable_entries(who: Who, prefix: str = "") -> Q:
    """The status entries ``who`` may read, as a filter on StatusEntry (or on a relation to
    it, with ``prefix`` such as ``"superseded_by__"``). The same rule as ``may_read``."""
    actor = actor_of(who)
    if not actor.is_authenticated:
        return Q(**{f"{prefix}pk__in": []})
    if sees_restricted(actor):
        return Q()
    visible = Q(**{f"{prefix}confidentiality__in": [Confidentiality.PUBLIC, Confidentiality.PARTICIPANTS]})
    if actor.organization is not None:
        visible |= Q(**{f"{prefix}organization_id": actor.organization.pk})
    return visible


def readership(who: Who) -> tuple[str, int | None]:
    """Which entries ``who`` reads, as a key: readers with the same key read the same entries, so they
    may share what is computed from them (an answer kept in the cache, an edition of the digest).
    The same rule as ``readable_entries``."""
    actor = actor_of(who)
    if not actor.is_authenticated:
        return ("nobody", None)
    if sees_restricted(actor):
        return ("everything", None)
    return ("organization", actor.organization.pk) if actor.organization is not None else ("participants", None)


def may_read(who: Who, entry: "StatusEntry | None") -> Decision:
    """May ``who`` read ``entry``? Restricted entries are for CTED staff and the reporting organization."""
    actor = actor_of(who)
    if entry is None or not actor.is_authenticated:
        return _refused(gettext("No such entry."))
    if sees_restricted(actor) or entry.confidentiality != Confidentiality.RESTRICTED:
        return ALLOWED
    if actor.organization is not None and actor.organization.pk == entry.organization_id:
        return ALLOWED
    return _refused(gettext("No such entry."))


# --- Logging progress ---


def may_log(who: Who, *, organization: Organization | None = None, activity: "Activity | None" = None) -> Decision:
    """May ``who`` log progress on ``activity`` for ``organization``?

    Leave out the activity to ask about an organization as a whole (its spreadsheet), and
    both to ask whether ``who`` logs progress at all.
    """
    actor = actor_of(who)
    if actor.role == Role.STAFF:
        pass
    elif actor.role == Role.FOCAL_POINT and actor.organization is not None:
        if organization is not None and organization.pk != actor.organization.pk:
            return _refused(
                gettext("You may not log progress on behalf of %(acronym)s.") % {"acronym": organization.acronym}
            )
    else:
        return _refused(gettext("You may not log progress: CTED staff and focal points of an organization do."))
    if organization is not None and activity is not None and not activity.is_open_to(organization):
        return _refused(
            gettext("%(acronym)s is not responsible for activity %(number)s.")
            % {"acronym": organization.acronym, "number": activity.number},
            field="organization",
        )
    return ALLOWED


def loggable_organizations(who: Who, activity: "Activity") -> list[Organization]:
    """The organizations on whose behalf ``who`` may log progress on ``activity``: its lead
    organizations, then its partners, then the others (open to their kind), each by acronym."""
    actor = actor_of(who)
    if actor.role == Role.STAFF:
        candidates = list(Organization.objects.reporting_on(activity))
    else:
        candidates = [actor.organization] if actor.organization is not None else []
    roles = {r.organization_id: r.role for r in activity.responsibilities.all()}
    rank: dict[str, int] = {ResponsibilityRole.LEAD: 0, ResponsibilityRole.PARTNER: 1}
    candidates.sort(key=lambda o: (rank.get(roles.get(o.pk, ""), 2), o.acronym))
    return [o for o in candidates if may_log(actor, organization=o, activity=activity)]


def needs_review(who: Who) -> bool:
    """Whether an entry ``who`` logs waits for CTED's review: CTED staff's own entries do not."""
    return actor_of(who).role != Role.STAFF


def may_declare_not_applicable(who: Who, *, organization: Organization, activity: "Activity") -> Decision:
    """May ``who`` declare that ``activity`` does not apply to ``organization``? Whoever logs for
    the organization, on an activity open to its kind that does not name it."""
    decision = may_log(who, organization=organization, activity=activity)
    if not decision:
        return decision
    if any(r.organization_id == organization.pk for r in activity.responsibilities.all()):
        return _refused(
            gettext("Activity %(number)s names %(acronym)s: it reports on it.")
            % {"number": activity.number, "acronym": organization.acronym},
            field="organization",
        )
    return ALLOWED


def may_withdraw_not_applicable(who: Who) -> Decision:
    """May ``who`` withdraw a not-applicable declaration, so the organization is expected again? CTED staff."""
    if actor_of(who).role != Role.STAFF:
        return _refused(gettext("Only CTED staff withdraw a declaration that an activity does not apply."))
    return ALLOWED


# --- Reviewing ---


def may_review(who: Who, entry: "StatusEntry | None" = None) -> Decision:
    """May ``who`` review ``entry`` (or review at all, without one)? CTED staff, an entry still submitted
    (not reviewed, nor corrected while it waited: then its correction is the one to review)."""
    if actor_of(who).role != Role.STAFF:
        return _refused(gettext("Only CTED staff review entries."))
    if entry is not None and entry.review_state == ReviewState.SUPERSEDED:
        return _refused(gettext("This entry was corrected; review the correction."), field="decision")
    if entry is not None and entry.review_state != ReviewState.SUBMITTED:
        return _refused(gettext("This entry has already been reviewed."), field="decision")
    return ALLOWED


# --- Stocktaking ---


def may_read_edition(who: Who, edition: str) -> Decision:
    """May ``who`` read a stocktaking report in ``edition``? The participants edition: anyone
    signed in; the internal edition, restricted entries included: CTED staff."""
    actor = actor_of(who)
    if not actor.is_authenticated:
        return _refused(gettext("Sign in to read stocktaking reports."))
    if edition == "internal" and actor.role != Role.STAFF and not actor.is_system:
        return _refused(gettext("The internal edition is CTED staff's: ask for the participants edition."))
    return ALLOWED


def may_run_stocktaking(who: Who, plan: "Plan | None" = None) -> Decision:
    """May ``who`` create, open and close ``plan``'s stocktaking cycles? The secretariat, CTED staff, the system."""
    actor = actor_of(who)
    if actor.is_system or actor.role in {Role.STAFF, Role.SECRETARIAT}:
        return ALLOWED
    return _refused(gettext("Only the secretariat and CTED staff run stocktaking cycles."))


# --- Participants ---


def may_read_audit(who: Who) -> Decision:
    """May ``who`` read the audit trail (every change and security event, with who made it)? CTED staff."""
    if actor_of(who).role != Role.STAFF:
        return _refused(gettext("Only CTED staff read the audit trail."))
    return ALLOWED


def may_manage_participants(who: Who, plan: "Plan") -> Decision:
    """May ``who`` add participants to ``plan`` and record that one left? CTED staff."""
    if actor_of(who).role != Role.STAFF:
        return _refused(gettext("Only CTED staff add participants to a plan and record that one left."))
    return ALLOWED
