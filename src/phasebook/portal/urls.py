"""The portal's pages, mounted under /admin/ next to the model pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from phasebook.portal import absence, actions, views

app_name = "portal"

urlpatterns = [
    path("", admin.site.admin_view(views.start_page), name="start"),
    path("terminbuch/", admin.site.admin_view(views.daybook), name="daybook"),
    path("salon/<int:company_id>/", admin.site.admin_view(views.switch_salon), name="switch_salon"),
    path("sync-zustand/", admin.site.admin_view(views.sync_health), name="sync_health"),
    path(
        "mitarbeiter/<str:staff_id>/ausfall/",
        admin.site.admin_view(absence.absence),
        name="absence",
    ),
    path("terminbuch/neu/", admin.site.admin_view(views.new_appointment), name="new_appointment"),
    path(
        "termine/<str:appointment_id>/verschieben/",
        admin.site.admin_view(actions.reschedule),
        name="reschedule",
    ),
    path(
        "termine/<str:appointment_id>/stornieren/",
        admin.site.admin_view(actions.cancel),
        name="cancel",
    ),
    path(
        "termine/<str:appointment_id>/sync-wiederholen/",
        admin.site.admin_view(actions.retry_sync),
        name="retry_sync",
    ),
    path(
        "termine/<str:appointment_id>/cal-com-pruefen/",
        admin.site.admin_view(actions.verify_sync),
        name="verify_sync",
    ),
]
