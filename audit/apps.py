from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # Sign-ins, lockouts, tokens, roles and cycles are announced by their apps; this app records them.
        from audit import receivers  # noqa: F401
