"""The account's webhook pages: endpoints with their secret shown once, private URLs refused, the
delivery log with test events and redelivery, owner-scoped and CSRF-protected."""
from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from studio.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from studio.webhooks.services import endpoint_create, endpoint_test_send

from .conftest import logged_in

pytestmark = pytest.mark.django_db
HOOK = "http://127.0.0.1:9/hook"  # loopback: accepted only with STUDIO_ALLOW_PRIVATE_URLS


@pytest.fixture
def private_allowed(settings) -> None:
    settings.STUDIO_ALLOW_PRIVATE_URLS = True


def endpoint_of(customer, url: str = HOOK) -> WebhookEndpoint:
    return endpoint_create(owner=customer.user, url=url, events=["portrait.created"]).endpoint


def test_account_page_links_to_webhooks(alice):
    page = logged_in(alice.user).get("/account/").content.decode()

    assert 'href="/account/webhooks/"' in page


def test_new_endpoint_shows_its_secret_once(alice, private_allowed):
    client = logged_in(alice.user)

    created = client.post("/account/webhooks/new/", {"url": HOOK, "events": ["avatar.trained", "job.failed"]})

    assert created.status_code == 200
    secret = created.context["issued"].secret
    assert secret.startswith("whsec_") and secret in created.content.decode()
    endpoint = WebhookEndpoint.objects.get(owner=alice.user)
    assert endpoint.events == ["avatar.trained", "job.failed"]
    Webhook(secret)  # the off-the-shelf library takes it as it is
    assert secret not in client.get("/account/webhooks/").content.decode()
    assert secret not in client.get(f"/account/webhooks/{endpoint.id}/").content.decode()


def test_private_url_is_refused_with_its_reason(alice):
    response = logged_in(alice.user).post("/account/webhooks/new/", {"url": "http://10.0.0.7/hook"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Webhooks go to public hosts." in page
    assert 'value="http://10.0.0.7/hook"' in page
    assert not WebhookEndpoint.objects.exists()


def test_malformed_url_is_refused(alice):
    response = logged_in(alice.user).post("/account/webhooks/new/", {"url": "ftp://example.com/x"})

    assert response.status_code == 400
    assert response.context["form"].errors["url"]
    assert not WebhookEndpoint.objects.exists()


def test_rotate_shows_a_new_secret_once(alice, private_allowed):
    issued = endpoint_create(owner=alice.user, url=HOOK)
    client = logged_in(alice.user)

    rotated = client.post(f"/account/webhooks/{issued.endpoint.id}/rotate-secret/")

    secret = rotated.context["issued_secret"]
    assert secret != issued.secret and secret in rotated.content.decode()
    assert secret not in client.get(f"/account/webhooks/{issued.endpoint.id}/").content.decode()


def test_disable_then_enable(alice, private_allowed):
    endpoint = endpoint_of(alice)
    client = logged_in(alice.user)

    client.post(f"/account/webhooks/{endpoint.id}/disable/")
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "Disabled by you.")
    assert "Disabled by you." in client.get("/account/webhooks/").content.decode()

    client.post(f"/account/webhooks/{endpoint.id}/enable/")
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (True, "")


def test_edit_changes_events_and_refuses_a_private_url(alice, private_allowed, settings):
    endpoint = endpoint_of(alice)
    client = logged_in(alice.user)

    client.post(f"/account/webhooks/{endpoint.id}/edit/", {"url": HOOK, "events": ["balance.low"]})
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    refused = client.post(f"/account/webhooks/{endpoint.id}/edit/", {"url": "http://192.168.1.2/"})

    assert refused.status_code == 400 and "Webhooks go to public hosts." in refused.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == (HOOK, ["balance.low"])


def test_delete_removes_the_endpoint(alice, private_allowed):
    endpoint = endpoint_of(alice)

    response = logged_in(alice.user).post(f"/account/webhooks/{endpoint.id}/delete/")

    assert response.status_code == 302
    assert not WebhookEndpoint.objects.filter(id=endpoint.id).exists()


def test_test_event_appears_in_the_delivery_log(alice, private_allowed):
    endpoint = endpoint_of(alice)
    client = logged_in(alice.user)

    client.post(f"/account/webhooks/{endpoint.id}/test/")

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.type == "webhook.test"
    page = client.get(f"/account/webhooks/{endpoint.id}/").content.decode()
    assert f'id="delivery-{delivery.id}"' in page and "webhook.test" in page


def test_delivery_log_shows_each_attempt(alice, private_allowed):
    endpoint = endpoint_of(alice)
    delivery = endpoint_test_send(endpoint=endpoint)
    WebhookAttempt.objects.create(delivery=delivery, url=HOOK, status_code=503, duration=0.25,
                                  response_excerpt="upstream down")

    page = logged_in(alice.user).get(f"/account/webhooks/{endpoint.id}/").content.decode()

    assert "503" in page and "0.25 s" in page and "upstream down" in page


def test_redeliver_makes_a_new_delivery_with_the_same_event_id(alice, private_allowed):
    endpoint = endpoint_of(alice)
    first = endpoint_test_send(endpoint=endpoint)
    WebhookDelivery.objects.filter(id=first.id).update(state=DeliveryState.FAILED)

    response = logged_in(alice.user).post(f"/account/webhook-deliveries/{first.id}/redeliver/")

    assert response.status_code == 302
    again = WebhookDelivery.objects.exclude(id=first.id).get()
    assert (again.event_id, again.redelivery_of_id, again.state) == (first.event_id, first.id, DeliveryState.PENDING)


def test_callback_secret_is_shown_once(alice):
    client = logged_in(alice.user)

    issued = client.post("/account/webhooks/callback-secret/")

    secret = issued.context["issued_callback_secret"]
    assert secret.startswith("whsec_") and secret in issued.content.decode()
    assert secret not in client.get("/account/webhooks/").content.decode()


def test_another_users_endpoint_and_delivery_are_404_on_every_action(alice, bob, private_allowed):
    endpoint = endpoint_of(bob)
    delivery = endpoint_test_send(endpoint=endpoint)
    client = logged_in(alice.user)

    assert client.get(f"/account/webhooks/{endpoint.id}/").status_code == 404
    for action in ("edit", "rotate-secret", "enable", "disable", "delete", "test"):
        url = f"/account/webhooks/{endpoint.id}/{action}/"
        assert client.post(url, {"url": HOOK}).status_code == 404, action
    assert client.post(f"/account/webhook-deliveries/{delivery.id}/redeliver/").status_code == 404
    assert endpoint.url not in client.get("/account/webhooks/").content.decode()
    endpoint.refresh_from_db()
    assert endpoint.enabled and WebhookDelivery.objects.count() == 1


def test_every_webhook_form_refuses_a_post_without_the_token(alice, private_allowed):
    endpoint = endpoint_of(alice)
    delivery = endpoint_test_send(endpoint=endpoint)
    client = logged_in(alice.user, enforce_csrf_checks=True)
    posts = ["/account/webhooks/new/", "/account/webhooks/callback-secret/",
             f"/account/webhook-deliveries/{delivery.id}/redeliver/",
             *(f"/account/webhooks/{endpoint.id}/{action}/"
               for action in ("edit", "rotate-secret", "enable", "disable", "delete", "test"))]

    for url in posts:
        assert client.post(url, {"url": HOOK}).status_code == 403, url
    assert WebhookEndpoint.objects.filter(id=endpoint.id, enabled=True).exists()
    assert WebhookDelivery.objects.count() == 1


def test_pages_need_a_login(client):
    assert client.get("/account/webhooks/").status_code == 302
