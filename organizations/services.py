"""Writes to accounts and organizations."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organizations import signals
from organizations.models import ApiToken, FocalPoint, Organization, PasswordResetRequest, Profile
from organizations.roles import GROUP_NAMES, Role, ensure_role_groups, user_role


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


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for ``user``, valid API_TOKEN_DAYS days; returns it and its key.

    The key is returned here only: the database keeps its SHA-256 hash and first characters.
    """
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name.strip(),
        key_hash=ApiToken.hash_key(key),
        prefix=key[:8],
        fingerprint=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.API_TOKEN_DAYS),
    )
    token.full_clean()
    token.save()
    signals.token_created.send(sender=ApiToken, token=token)
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke ``token`` for good: its owner or CTED staff may; revoking it again changes nothing."""
    if token.user_id != actor.pk and user_role(actor) != Role.STAFF:
        raise PermissionDenied("Only the token's owner or CTED staff may revoke it.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        signals.token_revoked.send(sender=ApiToken, token=token, actor=actor)
    return token


def password_reset_request_record(*, email: str, ip_address: str | None) -> bool:
    """Record a request for a password-reset e-mail; True when it may be sent.

    At most PASSWORD_RESET_LIMIT_PER_HOUR an hour for one e-mail address and from one client
    address, counted in the database so that every process sees the same count. Refused requests
    are recorded too: asking again and again keeps the limit on. Requests older than a day go.
    """
    now = timezone.now()
    limit = settings.PASSWORD_RESET_LIMIT_PER_HOUR
    email_hash = PasswordResetRequest.hash_email(email)
    with transaction.atomic():
        PasswordResetRequest.objects.filter(requested_at__lt=now - datetime.timedelta(days=1)).delete()
        recent = PasswordResetRequest.objects.filter(requested_at__gte=now - datetime.timedelta(hours=1))
        allowed = recent.filter(email_hash=email_hash).count() < limit and (
            ip_address is None or recent.filter(ip_address=ip_address).count() < limit
        )
        PasswordResetRequest.objects.create(email_hash=email_hash, ip_address=ip_address, requested_at=now)
    return allowed
