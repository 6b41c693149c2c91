"""The portal's pages, mounted under /admin/ next to the model pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from phasebook.portal import views

app_name = "portal"

urlpatterns = [
    path("", admin.site.admin_view(views.start_page), name="start"),
    path("terminbuch/", admin.site.admin_view(views.daybook), name="daybook"),
    path("terminbuch/neu/", admin.site.admin_view(views.new_appointment), name="new_appointment"),
]
