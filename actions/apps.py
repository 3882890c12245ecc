from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Plans and activities"

    def ready(self) -> None:
        from actions import generation

        generation.connect()
