from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from phasebook.api.v1 import api as api_v1
from phasebook.calsync import views as calsync_views
from phasebook.monitoring import views as monitoring_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_v1.urls),
    path("", include("phasebook.health.urls")),
    path("webhooks/calcom/<slug:company_slug>", calsync_views.calcom_webhook),
    path("retell/<slug:company_slug>/", include("phasebook.phone.urls")),
    path("metrics", monitoring_views.metrics),
]
