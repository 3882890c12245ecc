"""The roles of the tracker, held as Django groups.

A user's role is the group they belong to; superusers count as CTED staff. The rights
each role has are decided in the permission modules of the apps, not here: this module
only names the roles and keeps their groups in place.
"""

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("CTED staff")
    SECRETARIAT = "secretariat", _("Secretariat")
    FOCAL_POINT = "focal_point", _("Focal point")
    VIEWER = "viewer", _("Viewer")


# The groups' names in the database: English, whatever language a page is in.
GROUP_NAMES = {
    Role.STAFF: "CTED staff",
    Role.SECRETARIAT: "Secretariat",
    Role.FOCAL_POINT: "Focal point",
    Role.VIEWER: "Viewer",
}

# CTED staff edit plans (with their participants), objectives, activities and organizations in the admin.
_STAFF_MODEL_PERMISSIONS = {
    "actions": ["plan", "objective", "activity", "responsibility", "activityopenkind", "theme", "participation"],
    "organizations": ["organization", "focalpoint", "apitoken"],
}


def user_role(user: Any) -> Role | None:
    """The role of ``user``, read once per request object and kept on it."""
    if not user.is_authenticated:
        return None
    if "_tracker_role" in user.__dict__:
        return user.__dict__["_tracker_role"]
    # From the groups prefetched with the user when a job reads many users, else one query.
    names = set() if user.is_superuser else {group.name for group in user.groups.all()}
    return remember_role(user, names)


def remember_role(user: Any, group_names: set[str]) -> Role | None:
    """Keep on ``user`` the role its groups named ``group_names`` give it, for ``user_role``."""
    # The most capable role wins when an account was put in several groups.
    most_capable = next((r for r in Role if GROUP_NAMES[r] in group_names), None)
    role = Role.STAFF if user.is_superuser else most_capable
    user.__dict__["_tracker_role"] = role
    return role


def remember_role_group(user: Any, group: str | None) -> Role | None:
    """``remember_role`` for a user read with its ``role_group`` (the name annotated, or None)."""
    return remember_role(user, {group} if group else set())


def role_group(user: str) -> Subquery:
    """The name of the user's group that gives it its role (the most capable, as ``remember_role``
    picks), ``user`` naming the user's id in the outer query: to read a role with its user (then
    ``remember_role_group``)."""
    rank = Case(*(When(name=GROUP_NAMES[r], then=Value(n)) for n, r in enumerate(Role)), default=Value(len(Role)))
    groups = Group.objects.filter(user=OuterRef(user), name__in=GROUP_NAMES.values())
    return Subquery(groups.annotate(rank=rank).order_by("rank").values("name")[:1])


def ensure_role_groups(**kwargs) -> None:
    # Run after migrate for this app, which comes before actions: on a new database the
    # permissions of the later apps are not made yet, so make them first.
    for app_label in _STAFF_MODEL_PERMISSIONS:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    for role in Role:
        Group.objects.get_or_create(name=GROUP_NAMES[role])
    staff = Group.objects.get(name=GROUP_NAMES[Role.STAFF])
    permissions = Permission.objects.filter(
        models.Q(
            *[
                models.Q(content_type__app_label=app, content_type__model__in=names)
                for app, names in _STAFF_MODEL_PERMISSIONS.items()
            ],
            _connector=models.Q.OR,
        )
    )
    staff.permissions.add(*permissions)
