from __future__ import annotations

from django.urls import path

from phasebook.phone import views

urlpatterns = [
    path("webhook", views.webhook, name="retell-webhook"),
    path("inbound", views.inbound, name="retell-inbound"),
    path("functions/<str:tool_name>", views.function, name="retell-function"),
    path("tools.json", views.tools_json, name="retell-tools"),
]
