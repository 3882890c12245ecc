from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("E-mail and background jobs")

    def ready(self) -> None:
        # The domain apps announce what happened; this app decides whom to tell.
        from notifications import receivers  # noqa: F401
