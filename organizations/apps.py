from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from organizations.languages import remembered_at_login
        from organizations.roles import ensure_role_groups

        # Signing in brings the language of the person's profile into their session.
        user_logged_in.connect(remembered_at_login, dispatch_uid="organizations-language-at-login")

        # Role groups need the permissions that migrate creates, so they are set up
        # after every migrate, once the whole project is migrated.
        post_migrate.connect(ensure_role_groups, sender=self)
