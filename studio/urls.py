from django.contrib import admin
from django.urls import include, path, re_path

from studio import error_views
from studio.lib.media_urls import media_signed

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("studio.api.pai_urls")),
    path("billing/", include("billing.urls")),
    path("api/", include("studio.api.native.urls")),
    path("api/v1/", include("studio.api.dashscope_urls")),
    # After every API route: an unknown API path is answered in its family's JSON, DEBUG or not.
    re_path(r"^api/", error_views.api_not_found),
    path("m/<str:token>/<str:filename>", media_signed, name="media-signed"),
    path("", include("studio.web.urls")),
]

handler400 = error_views.bad_request
handler403 = error_views.permission_denied
handler404 = error_views.page_not_found
handler500 = error_views.server_error
