from django.apps import AppConfig


class CalcomConfig(AppConfig):
    name = "phasebook.calcom"
    verbose_name = "Cal.com connection"
