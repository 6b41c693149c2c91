from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from phasebook.api.v1 import api as api_v1
from phasebook.calsync import views as calsync_views
from phasebook.monitoring import views as monitoring_views

urlpatterns = [
    # The portal's pages first: its start page answers /admin/ (the Terminbuch for salons).
    path("admin/", include("phasebook.portal.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api_v1.urls),
    path("", include("phasebook.health.urls")),
    path("webhooks/calcom/<slug:company_slug>", calsync_views.calcom_webhook),
    path("retell/<slug:company_slug>/", include("phasebook.phone.urls")),
    path("metrics", monitoring_views.metrics),
]
