from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # Sign-ins, lockouts, tokens, roles and cycles are announced by their apps; this app records them.
        from audit import receivers  # noqa: F401
