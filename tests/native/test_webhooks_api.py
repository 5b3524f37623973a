"""Webhook endpoints through the native API: register (secret once), change, rotate, test events,
the delivery log in cursor pages and redelivery, each scoped to the key's owner."""
from __future__ import annotations

import pytest
from django.test import Client

from studio.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from studio.webhooks.services import endpoint_create, endpoint_test_send

from .conftest import API

pytestmark = pytest.mark.django_db
HOOK = "http://127.0.0.1:9/hook"  # loopback: accepted only with STUDIO_ALLOW_PRIVATE_URLS


@pytest.fixture
def private_allowed(settings) -> None:
    settings.STUDIO_ALLOW_PRIVATE_URLS = True


def endpoint_of(user) -> WebhookEndpoint:
    return endpoint_create(owner=user, url=HOOK, events=["portrait.created"]).endpoint


def test_create_answers_the_secret_once(api, private_allowed):
    created = api.post(f"{API}/webhooks/", {"url": HOOK, "events": ["avatar.trained"]}, content_type="application/json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["avatar.trained"] and body["enabled"]
    listed = api.get(f"{API}/webhooks/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]
    assert "secret" not in api.get(f"{API}/webhooks/{body['id']}/").json()


def test_private_url_is_refused_with_its_reason(api):
    response = api.post(f"{API}/webhooks/", {"url": "http://10.0.0.7/hook"}, content_type="application/json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "url_refused" and "public hosts" in error["fields"]["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_unknown_event_type_is_invalid(api, private_allowed):
    response = api.post(f"{API}/webhooks/", {"url": HOOK, "events": ["avatar.exploded"]},
                        content_type="application/json")

    assert response.status_code == 400
    assert "events" in response.json()["error"]["fields"]


def test_patch_changes_events_and_disables_then_enables(api, owner, private_allowed):
    endpoint = endpoint_of(owner)
    url = f"{API}/webhooks/{endpoint.id}/"

    disabled = api.patch(url, {"events": ["job.failed"], "enabled": False}, content_type="application/json")
    assert disabled.status_code == 200, disabled.content
    assert disabled.json()["events"] == ["job.failed"]
    assert (disabled.json()["enabled"], disabled.json()["disabled_reason"]) == (False, "Disabled through the API.")

    enabled = api.patch(url, {"enabled": True}, content_type="application/json").json()
    assert (enabled["enabled"], enabled["disabled_reason"]) == (True, "")


def test_patch_refuses_a_private_url_and_changes_nothing(api, owner, private_allowed, settings):
    endpoint = endpoint_of(owner)
    settings.STUDIO_ALLOW_PRIVATE_URLS = False

    response = api.patch(f"{API}/webhooks/{endpoint.id}/", {"url": "http://192.168.0.2/", "enabled": False},
                         content_type="application/json")

    assert response.status_code == 422
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.enabled) == (HOOK, True)


def test_delete(api, owner, private_allowed):
    endpoint = endpoint_of(owner)

    assert api.delete(f"{API}/webhooks/{endpoint.id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_rotate_answers_a_new_secret(api, owner, private_allowed):
    issued = endpoint_create(owner=owner, url=HOOK)

    rotated = api.post(f"{API}/webhooks/{issued.endpoint.id}/rotate-secret/")

    assert rotated.status_code == 201
    assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != issued.secret


def test_test_event_is_a_new_delivery(api, owner, private_allowed):
    endpoint = endpoint_of(owner)

    response = api.post(f"{API}/webhooks/{endpoint.id}/test/")

    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert response.json()["id"] == delivery.id and response.json()["type"] == "webhook.test"


def test_deliveries_come_newest_first_in_cursor_pages_with_their_attempts(api, owner, private_allowed):
    endpoint = endpoint_of(owner)
    deliveries = [endpoint_test_send(endpoint=endpoint) for _ in range(3)]
    WebhookAttempt.objects.create(delivery=deliveries[0], url=HOOK, status_code=500, duration=0.1,
                                  response_excerpt="boom")

    first = api.get(f"{API}/webhooks/{endpoint.id}/deliveries/?page_size=2").json()
    second = api.get(first["next"]).json()

    ids = [d["id"] for d in first["results"] + second["results"]]
    assert ids == [d.id for d in reversed(deliveries)]
    (attempt,) = second["results"][-1]["attempt_log"]
    assert (attempt["status_code"], attempt["response_excerpt"]) == (500, "boom")


def test_redeliver_makes_a_new_delivery_with_the_same_event_id(api, owner, private_allowed):
    first = endpoint_test_send(endpoint=endpoint_of(owner))
    WebhookDelivery.objects.filter(id=first.id).update(state=DeliveryState.FAILED)

    response = api.post(f"{API}/webhook-deliveries/{first.id}/redeliver/")

    assert response.status_code == 202
    again = response.json()
    assert again["id"] != first.id
    assert (again["event_id"], again["redelivery_of"], again["state"]) == (first.event_id, first.id, "pending")


def test_another_users_endpoint_and_delivery_are_404(stranger_api, owner, private_allowed):
    endpoint = endpoint_of(owner)
    delivery = endpoint_test_send(endpoint=endpoint)
    base = f"{API}/webhooks/{endpoint.id}"

    answers = [
        stranger_api.get(f"{base}/"),
        stranger_api.patch(f"{base}/", {"enabled": False}, content_type="application/json"),
        stranger_api.delete(f"{base}/"),
        stranger_api.post(f"{base}/rotate-secret/"),
        stranger_api.post(f"{base}/test/"),
        stranger_api.get(f"{base}/deliveries/"),
        stranger_api.post(f"{API}/webhook-deliveries/{delivery.id}/redeliver/"),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert answers[0].json()["error"]["code"] == "not_found"
    assert stranger_api.get(f"{API}/webhooks/").json()["results"] == []
    endpoint.refresh_from_db()
    assert endpoint.enabled and WebhookDelivery.objects.count() == 1


def test_no_key_is_401(owner, private_allowed):
    endpoint = endpoint_of(owner)

    answers = [Client().get(f"{API}/webhooks/"), Client().post(f"{API}/webhooks/", {"url": HOOK}),
               Client().post(f"{API}/webhooks/{endpoint.id}/test/")]

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert answers[0].json()["error"]["code"] == "not_authenticated"
