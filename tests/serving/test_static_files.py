"""Static files with DEBUG off: collectstatic's hashed, gzipped copies, served by WhiteNoise."""
from __future__ import annotations

import re

from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client


def test_whitenoise_serves_hashed_compressed_static_files_with_debug_off(settings, tmp_path):
    assert not settings.DEBUG
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    # The studio's own files only: the admin's and the API docs' would take seconds to compress.
    call_command("collectstatic", "--no-input", verbosity=0,
                 ignore_patterns=["admin", "rest_framework", "drf_spectacular_sidecar"])
    url = static("studio/site.css")
    assert re.fullmatch(r"/static/studio/site\.[0-9a-f]{12}\.css", url)
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")  # a new client: WhiteNoise scans at start
    response.close()  # WhiteNoise streams the open file; left open, it warns later in another test
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
