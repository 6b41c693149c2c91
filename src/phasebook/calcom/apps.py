from django.apps import AppConfig


class CalcomConfig(AppConfig):
    name = "phasebook.calcom"
    verbose_name = "Cal.com connection"

    def ready(self) -> None:
        # Registers the `calcom` system check (runs with `check --deploy` only).
        from phasebook.calcom import setup_check  # noqa: F401
