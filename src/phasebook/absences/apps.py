from django.apps import AppConfig


class AbsencesConfig(AppConfig):
    name = "phasebook.absences"
    verbose_name = "Absences"
