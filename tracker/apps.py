from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from tracker.middleware import session_renewed_at_login

        user_logged_in.connect(session_renewed_at_login, dispatch_uid="tracker-session-renewed-at-login")
