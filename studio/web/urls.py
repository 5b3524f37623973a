"""The website's URLs (the accounts pages are included under accounts/)."""
from django.urls import include, path

from .views import account, avatars, catalog, gallery, jobs, landing

app_name = "web"

urlpatterns = [
    path("", landing.landing, name="landing"),
    path("accounts/", include("accounts.urls")),
    path("avatars/", avatars.avatar_list, name="avatars"),
    path("avatars/new/", avatars.avatar_new, name="avatar-new"),
    path("avatars/train/", avatars.avatar_train, name="avatar-train"),
    path("avatars/<str:model_id>/", avatars.avatar_detail, name="avatar-detail"),
    path("photos/upload/", avatars.photo_upload, name="photo-upload"),
    path("photos/<int:photo_id>.json", avatars.photo_status, name="photo-status"),
    path("photos/<int:photo_id>/delete/", avatars.photo_remove, name="photo-delete"),
    path("jobs/<int:job_id>/", jobs.job_detail, name="job-detail"),
    path("jobs/<int:job_id>.json", jobs.job_json, name="job-json"),
    path("jobs/<int:job_id>/cancel/", jobs.job_cancel_view, name="job-cancel"),
    path("styles/", catalog.style_catalog, name="styles"),
    path("styles/<slug:key>/", catalog.style_detail, name="style-detail"),
    path("templates/", catalog.templates_private, name="templates"),
    path("create/", catalog.portrait_create, name="portrait-create"),
    path("create/train-free/", catalog.portrait_train_free, name="portrait-train-free"),
    path("gallery/", gallery.gallery, name="gallery"),
    path("gallery/portraits.zip", gallery.gallery_zip, name="gallery-zip"),
    path("portraits/<int:portrait_id>/", gallery.portrait_detail, name="portrait-detail"),
    path("portraits/<int:portrait_id>/download/", gallery.portrait_download, name="portrait-download"),
    path("portraits/<int:portrait_id>/favourite/", gallery.portrait_favourite, name="portrait-favourite"),
    path("portraits/<int:portrait_id>/delete/", gallery.portrait_delete, name="portrait-delete"),
    path("account/", account.account, name="account"),
    path("account/credentials/", account.credential_new, name="credential-new"),
    path("account/credentials/<str:app_id>/revoke/", account.credential_revoke_view, name="credential-revoke"),
    path("account/api-keys/", account.apikey_new, name="apikey-new"),
    path("account/api-keys/<int:key_id>/revoke/", account.apikey_revoke_view, name="apikey-revoke"),
    path("account/delete/", account.account_delete_view, name="account-delete"),
]
