"""Errors as each kind of client sees them: the three API families get JSON in their own shape on
unknown paths, wrong methods and crashes (DEBUG on or off); people get the site's branded pages."""
from __future__ import annotations

import json
from http import HTTPStatus

import dashscope
import pytest
from dashscope.client.base_api import BaseAsyncApi
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import path

import studio.urls


def _crash(request):
    raise RuntimeError("a bug, with a secret: postgres://studio:hunter2@db.internal/studio")


def _denied(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("tampered")


# The studio's urlconf with views that fail, under each family's prefix and on the website.
urlpatterns = [
    path("api/v1/aigc_images/crash", _crash),
    path("api/v1/services/aigc/crash", _crash),
    path("api/studio/v1/crash/", _crash),
    path("crash/", _crash),
    path("denied/", _denied),
    path("suspicious/", _suspicious),
    *studio.urls.urlpatterns,
]
handler400, handler403 = studio.urls.handler400, studio.urls.handler403
handler404, handler500 = studio.urls.handler404, studio.urls.handler500


@pytest.fixture
def failing(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def _json(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_pai_path_is_404_in_the_pai_envelope(client, settings, debug, method):
    settings.DEBUG = debug
    response = getattr(client, method)("/api/v1/aigc_images/chek")
    body = _json(response)
    assert response.status_code == 404
    assert set(body) == {"request_id", "code", "message", "data"}
    assert (body["code"], body["data"]) == ("error", {})
    assert "/api/v1/aigc_images/chek" in body["message"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/services/aigc/album/gen_portrait", "/api/v1/tasks/x/y/z",
                                  "/api/v1/fine-tunes/a/b/c", "/api/v1/nowhere"])
def test_unknown_dashscope_path_is_404_in_dashscope_error_body(client, settings, debug, path):
    settings.DEBUG = debug
    response = client.post(path)
    body = _json(response)
    assert response.status_code == 404
    assert set(body) == {"request_id", "code", "message"} and body["code"] == "NotFound"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/studio/v1/nothing/", "/api/studio/v2/avatars/", "/api/else"])
def test_unknown_native_path_is_404_in_the_native_error_shape(client, settings, debug, path):
    settings.DEBUG = debug
    response = client.get(path)
    assert response.status_code == 404
    assert _json(response)["error"]["code"] == "not_found"


def test_native_path_without_its_slash_says_so(client):
    message = _json(client.post("/api/studio/v1/avatars"))["error"]["message"]
    assert "end with a slash" in message


def test_pai_endpoint_answers_a_get_with_405_in_the_pai_envelope(client):
    response = client.get("/api/v1/async_jobs/42")
    body = _json(response)
    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert body["code"] == "error" and "POST" in body["message"]


@pytest.mark.parametrize(("path", "family"), [("/api/v1/aigc_images/crash", "pai"),
                                              ("/api/v1/services/aigc/crash", "dashscope"),
                                              ("/api/studio/v1/crash/", "native")])
def test_a_crash_under_an_api_is_500_in_its_shape_without_details(failing, path, family):
    response = failing.get(path)
    body = _json(response)
    assert response.status_code == 500
    code = {"pai": body.get("code"), "dashscope": body.get("code"), "native": body.get("error", {}).get("code")}
    assert code[family] == {"pai": "error", "dashscope": "InternalError", "native": "server_error"}[family]
    assert "hunter2" not in response.content.decode() and "RuntimeError" not in response.content.decode()


def test_a_bad_host_on_an_api_path_is_400_in_its_shape(client):
    response = client.get("/api/v1/tasks/x", HTTP_HOST="attacker.example")
    assert (response.status_code, _json(response)["code"]) == (400, "InvalidParameter")


def test_dashscope_sdk_reports_not_found_for_an_unknown_service(live_server, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr(dashscope, "base_http_api_url", live_server.url + "/api/v1")
    monkeypatch.setattr(dashscope, "api_key", "sk-anything")

    answer = BaseAsyncApi.async_call(model="wanx-style-repaint-v1", input={"image_url": "http://x/1.jpg"},
                                     task_group="aigc", task="no-such-task", function="generation")

    assert answer.status_code == HTTPStatus.NOT_FOUND
    assert answer.code == "NotFound" and "no-such-task" in answer.message
    assert answer.request_id


def test_unknown_page_is_the_branded_404(failing, db):
    response = failing.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and 'class="brand"' in page and "site.css" in page


def test_a_crash_on_the_website_is_the_static_500_page_without_the_database(failing, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = failing.get("/crash/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and "Portrait studio" in page
    assert "hunter2" not in page


def test_a_refusal_on_the_website_is_the_branded_403(failing, db):
    response = failing.get("/denied/")
    assert response.status_code == 403 and "Not allowed" in response.content.decode()


def test_a_tampered_request_on_the_website_is_the_branded_400(failing, db):
    response = failing.get("/suspicious/")
    assert response.status_code == 400 and "Bad request" in response.content.decode()
