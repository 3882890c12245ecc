"""Who may run stocktaking: cycles, exports to circulate, reminders, spreadsheet imports."""

from actions import permissions as action_permissions
from organizations.models import Organization
from organizations.roles import Role, user_role


def may_run_stocktaking(user) -> bool:
    """Create, open and close cycles, and send reminders: the secretariat and CTED staff."""
    return user_role(user) in {Role.STAFF, Role.SECRETARIAT}


def may_import_for(user, organization: Organization) -> bool:
    """Fill in an organization's spreadsheet offline and upload it: whoever logs for it."""
    return action_permissions.may_log_for(user, organization)
