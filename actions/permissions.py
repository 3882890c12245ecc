"""Who may see and do what with plans, activities and status entries.

The HTML views, the API and the services all ask this module; nothing else decides.

- CTED staff: everything, on any organization's behalf; their own entries need no review.
- Focal point: logs entries for their own organization only, on activities that name it
  or are open to its kind; sees restricted entries of their own organization only.
- Secretariat: what a viewer may, plus stocktaking cycles, exports and reminders.
- Viewer: reads, never restricted entries.
"""

from django.db.models import Q

from organizations.models import FocalPoint, Organization
from organizations.roles import Role, user_role


def user_organization(user) -> Organization | None:
    """The organization a focal point's account belongs to, or None."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_tracker_organization", False)
    if cached is not False:
        return cached
    focal_point = FocalPoint.objects.filter(user=user, is_active=True).select_related("organization").first()
    organization = focal_point.organization if focal_point else None
    user._tracker_organization = organization
    return organization


def is_staff(user) -> bool:
    return user_role(user) == Role.STAFF


def sees_all_entries(user) -> bool:
    return is_staff(user)


def entry_visibility(user, prefix: str = "") -> Q:
    """The status entries ``user`` may read, as a filter on StatusEntry (or on a relation
    to it, with ``prefix`` such as ``"superseded_by__"``).

    Restricted entries are for CTED staff and the reporting organization only.
    """
    from actions.models import Confidentiality

    if not user.is_authenticated:
        return Q(**{f"{prefix}pk__in": []})
    if sees_all_entries(user):
        return Q()
    visible = Q(**{f"{prefix}confidentiality__in": [Confidentiality.PUBLIC, Confidentiality.PARTICIPANTS]})
    organization = _own_organization(user)
    if organization is not None:
        visible |= Q(**{f"{prefix}organization_id": organization.pk})
    return visible


def entry_visible_to(user, entry) -> bool:
    """The same rule as ``entry_visibility``, for one entry already in memory."""
    from actions.models import Confidentiality

    if entry is None or not user.is_authenticated:
        return False
    if sees_all_entries(user) or entry.confidentiality != Confidentiality.RESTRICTED:
        return True
    organization = _own_organization(user)
    return organization is not None and organization.pk == entry.organization_id


def _own_organization(user) -> Organization | None:
    return user_organization(user) if user_role(user) == Role.FOCAL_POINT else None


def may_log_for(user, organization: Organization) -> bool:
    """Whether ``user`` may log progress on ``organization``'s behalf (on any activity open to it)."""
    role = user_role(user)
    if role == Role.STAFF:
        return True
    if role == Role.FOCAL_POINT:
        own = user_organization(user)
        return own is not None and own.pk == organization.pk
    return False


def may_log_progress(user) -> bool:
    """Whether ``user`` logs progress at all: CTED staff, and focal points of an organization."""
    role = user_role(user)
    return role == Role.STAFF or (role == Role.FOCAL_POINT and user_organization(user) is not None)


def organizations_for_logging(user, activity) -> list[Organization]:
    """The organizations on whose behalf ``user`` may log progress on ``activity``."""
    role = user_role(user)
    if role == Role.STAFF:
        from actions.querysets import organizations_open_to

        return list(organizations_open_to(activity))
    if role == Role.FOCAL_POINT:
        own = user_organization(user)
        if own is not None and activity.is_open_to(own):
            return [own]
    return []


def may_review(user) -> bool:
    return is_staff(user)
