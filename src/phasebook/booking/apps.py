from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "phasebook.booking"
    verbose_name = "Booking"
