from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from organizations.roles import ensure_role_groups

        # Role groups need the permissions that migrate creates, so they are set up
        # after every migrate, once the whole project is migrated.
        post_migrate.connect(ensure_role_groups, sender=self)
