from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "phasebook.security"
    verbose_name = "Security at the edges"
