"""Writes to accounts and organizations."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from organizations import signals
from organizations.invitations import invitation_token
from organizations.models import (
    ApiToken,
    FocalPoint,
    MailPreference,
    Organization,
    PasswordResetRequest,
    Profile,
    wants_digests,
)
from organizations.permissions import require_account_manager
from organizations.roles import GROUP_NAMES, Role, ensure_role_groups, user_role


@transaction.atomic
def user_create(
    *,
    username: str,
    role: Role,
    password: str | None,
    email: str = "",
    organization: Organization | None = None,
    name: str = "",
    check_password: bool = True,
) -> User:
    """Create an account with one role; a focal point also enters the organization's directory.

    ``password`` None: the account has none until its owner sets one (an invitation).
    """
    User = get_user_model()
    role = Role(role)
    errors: dict[str, list[str]] = {}
    if role == Role.FOCAL_POINT and organization is None:
        errors["organization"] = [gettext("A focal point belongs to an organization: give its acronym.")]
    if role != Role.FOCAL_POINT and organization is not None:
        errors["organization"] = [gettext("Only focal points belong to an organization.")]
    if role == Role.FOCAL_POINT and not email:
        errors["email"] = [gettext("A focal point needs an e-mail address for the directory and reminders.")]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [gettext("An account named %(username)s already exists.") % {"username": username}]
    user = User(username=username, email=email, is_staff=role == Role.STAFF)
    if check_password and password is not None:
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

    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    ensure_role_groups()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    if role == Role.FOCAL_POINT:
        focal_point = FocalPoint(organization=organization, name=name or username, email=email, user=user)
        focal_point.full_clean()
        focal_point.save()
    return user


@transaction.atomic
def user_invite(
    *,
    email: str,
    name: str,
    role: Role,
    organization: Organization | None,
    invited_by: User,
    language: str | None = None,
) -> User:
    """Make the account of a person invited by e-mail, with no password: the e-mail (written by the
    notifications app, which hears ``user_invited``) links to the page where they set one. ``language``,
    where given, is theirs from the start: the invitation's, their pages' and their e-mails'.

    Their username is their e-mail address, which the e-mail tells them.
    """
    require_account_manager(invited_by)
    email = get_user_model().objects.normalize_email(email.strip())
    taken = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if taken is not None:
        already = gettext("%(email)s already has an account: %(username)s.")
        raise ValidationError({"email": [already % {"email": email, "username": taken.username}]})
    user = user_create(
        username=email.lower(),
        role=role,
        password=None,
        email=email,
        organization=organization,
        name=name,
    )
    user.first_name, user.last_name = _split_name(name)
    user.save(update_fields=["first_name", "last_name"])
    if language:
        language_choose(user=user, language=language)
    signals.user_invited.send(sender=User, user=user, invited_by=invited_by, link=_invitation_link(user))
    return user


@transaction.atomic
def invitation_resend(*, user: User, actor: User) -> User:
    """Invite again someone who has not set a password yet: a new link, and the earlier one no longer works."""
    require_account_manager(actor)
    if user.has_usable_password():
        raise ValidationError(
            gettext("%(username)s has set a password already: they sign in, or reset it.") % {"username": user.username}
        )
    if not user.is_active:
        raise ValidationError(
            gettext("%(username)s's account is deactivated: reactivate it first.") % {"username": user.username}
        )
    user.set_unusable_password()  # a new random one: the earlier link no longer matches
    user.save(update_fields=["password"])
    signals.user_invited.send(sender=User, user=user, invited_by=actor, link=_invitation_link(user))
    return user


def _invitation_link(user: User) -> str:
    return reverse("invitation-accept", args=[invitation_token(user)])


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first[:150], last[:150]


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """Close an account: it can no longer sign in (its sessions end at the next request) nor use its API
    tokens, and it leaves its organization's directory; its history stays as it was."""
    require_account_manager(actor)
    if user.pk == actor.pk:
        raise ValidationError(gettext("You cannot deactivate your own account: ask another member of CTED staff."))
    if not user.is_active:
        raise ValidationError(gettext("%(username)s's account is already deactivated.") % {"username": user.username})
    user.is_active = False
    if not user.has_usable_password():
        user.set_unusable_password()  # a new random one: an invitation sent before does not come back with it
    user.save(update_fields=["is_active", "password"])
    FocalPoint.objects.filter(user=user).update(is_active=False)
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        api_token_revoke(token=token, actor=actor)
    signals.account_deactivated.send(sender=User, user=user, actor=actor)
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> User:
    """Open a deactivated account again; a focal point is back in their organization's directory.
    Its API tokens stay revoked: the owner makes new ones."""
    require_account_manager(actor)
    if user.is_active:
        raise ValidationError(gettext("%(username)s's account is active.") % {"username": user.username})
    user.is_active = True
    user.save(update_fields=["is_active"])
    FocalPoint.objects.filter(user=user).update(is_active=True)
    signals.account_reactivated.send(sender=User, user=user, actor=actor)
    return user


def profile_of(user: User) -> Profile:
    """``user``'s profile; a new one, not saved, with what their role receives by default where they have none."""
    return Profile.objects.filter(user=user).first() or Profile(
        user=user, mail=MailPreference.REMINDERS_AND_DIGESTS if wants_digests(user) else MailPreference.REMINDERS
    )


def profile_update(*, user: User, mail: str, language: str | None = None) -> Profile:
    """Save what ``user`` wants by e-mail (reminders only, or reminders and digests) and, when given, the
    language they read ("": none chosen, their browser's)."""
    return _profile_saved(user, mail=mail, **({} if language is None else {"language": language}))


def language_choose(*, user: User, language: str) -> Profile:
    """Save the language ``user`` reads the site and their e-mails in (one of settings.LANGUAGES)."""
    return _profile_saved(user, language=language)


def _profile_saved(user: User, **choices: str) -> Profile:
    profile = profile_of(user)
    for name, value in choices.items():
        setattr(profile, name, value)
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
        raise PermissionDenied(gettext("Only the token's owner or CTED staff may revoke it."))
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
