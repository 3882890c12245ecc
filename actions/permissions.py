"""Who may see and do what with plans, activities and status entries.

The HTML views, the API and the services all ask this module; nothing else decides.
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


def sees_all_entries(user) -> bool:
    return user_role(user) == Role.STAFF


def entry_visibility(user) -> Q:
    """The status entries ``user`` may read, as a filter on StatusEntry.

    Restricted entries are for CTED staff and the reporting organization only.
    """
    from actions.models import Confidentiality

    if sees_all_entries(user):
        return Q()
    visible = Q(confidentiality__in=[Confidentiality.PUBLIC, Confidentiality.PARTICIPANTS])
    if user_role(user) == Role.FOCAL_POINT:
        organization = user_organization(user)
        if organization is not None:
            visible |= Q(organization_id=organization.pk)
    return visible
