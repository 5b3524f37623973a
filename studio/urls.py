from django.contrib import admin
from django.urls import include, path

from studio.lib.media_urls import media_signed

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("studio.api.pai_urls")),
    path("billing/", include("billing.urls")),
    path("api/", include("studio.api.native.urls")),
    path("api/v1/", include("studio.api.dashscope_urls")),
    path("m/<str:token>/<str:filename>", media_signed, name="media-signed"),
    path("", include("studio.web.urls")),
]
