from __future__ import annotations

from django.urls import path

from phasebook.phone import views

urlpatterns = [
    path("webhook", views.webhook, name="retell-webhook"),
    path("inbound", views.inbound, name="retell-inbound"),
]
