"""Who may manage accounts: the one place that answers it for the pages and the services."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from organizations.roles import Role, user_role


def may_manage_accounts(user: Any) -> bool:
    """CTED staff invite people, and deactivate and reactivate accounts."""
    return bool(getattr(user, "is_authenticated", False)) and user_role(user) == Role.STAFF


def require_account_manager(user: Any) -> None:
    if not may_manage_accounts(user):
        raise PermissionDenied(gettext("Only CTED staff invite people and deactivate accounts."))
