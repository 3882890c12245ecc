from actions import permissions
from organizations.permissions import may_manage_accounts
from organizations.roles import user_role


def navigation(request) -> dict:
    """What the navigation bar needs to know about the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_role": user_role(user),
        "user_organization": permissions.actor_of(user).organization,
        "may_review": permissions.may_review(user),
        "may_read_audit": permissions.may_read_audit(user),
        "may_manage_accounts": may_manage_accounts(user),
    }
