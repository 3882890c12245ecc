"""Writes to accounts and organizations."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organizations.models import FocalPoint, Organization, Profile
from organizations.roles import GROUP_NAMES, Role, ensure_role_groups


@transaction.atomic
def user_create(
    *,
    username: str,
    role: Role,
    password: str,
    email: str = "",
    organization: Organization | None = None,
    name: str = "",
    check_password: bool = True,
) -> User:
    """Create an account with one role; a focal point also enters the organization's directory."""
    User = get_user_model()
    role = Role(role)
    errors: dict[str, list[str]] = {}
    if role == Role.FOCAL_POINT and organization is None:
        errors["organization"] = ["A focal point belongs to an organization: give its acronym."]
    if role != Role.FOCAL_POINT and organization is not None:
        errors["organization"] = ["Only focal points belong to an organization."]
    if role == Role.FOCAL_POINT and not email:
        errors["email"] = ["A focal point needs an e-mail address for the directory and reminders."]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"An account named {username} already exists."]
    user = User(username=username, email=email, is_staff=role == Role.STAFF)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password"] = list(error.messages)
    try:
        user.full_clean(exclude=["password", "username"] if "username" in errors else ["password"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    user.set_password(password)
    user.save()
    ensure_role_groups()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    if role == Role.FOCAL_POINT:
        focal_point = FocalPoint(organization=organization, name=name or username, email=email, user=user)
        focal_point.full_clean()
        focal_point.save()
    return user


def profile_update(*, user: User, mail: str) -> Profile:
    """Save what ``user`` wants by e-mail: reminders only, or reminders and digests."""
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    profile.mail = mail
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def focal_point_confirm(*, focal_point: FocalPoint, name: str, title: str, email: str, phone: str) -> FocalPoint:
    """The focal point's yearly check of their contact details: saved, and dated today."""
    focal_point.name, focal_point.title, focal_point.email, focal_point.phone = name, title, email, phone
    focal_point.confirmed_on = timezone.localdate()
    focal_point.full_clean()
    focal_point.save()
    return focal_point
