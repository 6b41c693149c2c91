"""Forms of the portal's own pages. They collect plain values; the booking service checks
them (customer details, phone numbers) and decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phasebook.salons.models import Service


class NewAppointmentForm(forms.Form):
    service = forms.ChoiceField(label=_("Leistung"), widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name der Kundin / des Kunden"), max_length=200)
    phone = forms.CharField(
        label=_("Telefon"), required=False, max_length=30, help_text=_("z. B. 0171 2345678")
    )
    email = forms.EmailField(label=_("E-Mail"), required=False)

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            (str(service.pk), f"{service.name} ({service.duration_minutes} min)")
            for service in services
        ]
