"""Routes of the native API (mounted at /api/): resources under studio/v1/, the schema and its docs."""
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views_catalog as catalog
from . import views_gallery as gallery
from . import views_webhooks as webhooks
from . import views_work as work

PREFIX = "studio/v1/"

urlpatterns = [
    path(PREFIX + "photo-checks/", work.PhotoCheckListView.as_view(), name="native-photo-checks"),
    path(PREFIX + "photo-checks/<int:job_id>/", work.PhotoCheckDetailView.as_view(), name="native-photo-check"),
    path(PREFIX + "avatars/", gallery.AvatarListView.as_view(), name="native-avatars"),
    path(PREFIX + "avatars/<uuid:model_id>/", gallery.AvatarDetailView.as_view(), name="native-avatar"),
    path(PREFIX + "portraits/", gallery.PortraitListView.as_view(), name="native-portraits"),
    path(PREFIX + "portraits/<int:portrait_id>/", gallery.PortraitDetailView.as_view(), name="native-portrait"),
    path(PREFIX + "stylizations/", work.StylizationListView.as_view(), name="native-stylizations"),
    path(PREFIX + "idphotos/", work.IdPhotoListView.as_view(), name="native-idphotos"),
    path(PREFIX + "jobs/", gallery.JobListView.as_view(), name="native-jobs"),
    path(PREFIX + "jobs/<int:job_id>/", gallery.JobDetailView.as_view(), name="native-job"),
    path(PREFIX + "jobs/<int:job_id>/cancel/", gallery.JobCancelView.as_view(), name="native-job-cancel"),
    path(PREFIX + "styles/", catalog.StyleListView.as_view(), name="native-styles"),
    path(PREFIX + "styles/<slug:key>/", catalog.StyleDetailView.as_view(), name="native-style"),
    path(PREFIX + "templates/", catalog.TemplateListView.as_view(), name="native-templates"),
    path(PREFIX + "templates/<int:template_id>/", catalog.TemplateDetailView.as_view(), name="native-template"),
    path(PREFIX + "api-keys/", catalog.ApiKeyListView.as_view(), name="native-api-keys"),
    path(PREFIX + "api-keys/<int:key_id>/", catalog.ApiKeyDetailView.as_view(), name="native-api-key"),
    path(PREFIX + "callback-secret/", catalog.CallbackSecretView.as_view(), name="native-callback-secret"),
    path(PREFIX + "webhooks/", webhooks.WebhookListView.as_view(), name="native-webhooks"),
    path(PREFIX + "webhooks/<int:endpoint_id>/", webhooks.WebhookDetailView.as_view(), name="native-webhook"),
    path(PREFIX + "webhooks/<int:endpoint_id>/rotate-secret/", webhooks.WebhookRotateView.as_view(),
         name="native-webhook-rotate-secret"),
    path(PREFIX + "webhooks/<int:endpoint_id>/test/", webhooks.WebhookTestView.as_view(), name="native-webhook-test"),
    path(PREFIX + "webhooks/<int:endpoint_id>/deliveries/", webhooks.WebhookDeliveryListView.as_view(),
         name="native-webhook-deliveries"),
    path(PREFIX + "webhook-deliveries/<int:delivery_id>/redeliver/", webhooks.WebhookRedeliverView.as_view(),
         name="native-webhook-redeliver"),
    path("schema/", SpectacularAPIView.as_view(), name="native-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="native-schema"), name="native-docs"),
]
