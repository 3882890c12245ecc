"""A password set or changed, as a security event.

Django tells each configured password validator when a user's password has been set
(``password_changed``), wherever it was set: the password-change and reset pages, the admin,
``create_user``, ``changepassword``. This one validates nothing; it only records.
"""

from typing import Any

from audit.models import SecurityEventKind
from audit.records import security_event_record


class RecordPasswordChange:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            security_event_record(SecurityEventKind.PASSWORD_CHANGED, username=user.get_username())

    def get_help_text(self) -> str:
        return ""
