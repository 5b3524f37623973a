"""The ID photo page: one photo uploaded, the size, background and sheet chosen; the job's page
shows the result beside its compliance report, each failed check explained."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job

from .conftest import logged_in, upload

pytestmark = pytest.mark.django_db(transaction=True)

COMPLIANT = "faces/mark_zuckerberg/2.jpg"
OPEN_MOUTH = "faces/obama/1.jpg"


def _csrf_client(user):
    client = logged_in(user, enforce_csrf_checks=True)
    page = client.get("/idphoto/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client, page, token


def _shared(shared_data, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("me.jpg", (shared_data / name).read_bytes(), content_type="image/jpeg")


def test_page_offers_size_background_sheet_and_draft(alice):
    client, page, _ = _csrf_client(alice.user)

    html = page.content.decode()
    assert page.status_code == 200
    for field in ('name="photo"', 'name="size"', 'name="background"', 'name="sheet"', 'name="draft"', 'value="a6"',
                  'value="us"', 'value="custom"'):
        assert field in html, field


def test_page_shows_the_price_and_the_trial_left_before_the_click(alice):
    from billing.models import Account, Operation, Price

    Price.objects.update_or_create(operation=Operation.IDPHOTO, defaults={"points": 7})
    Account.objects.filter(user=alice.user).update(available=20, trial_creations=1)

    html = logged_in(alice.user).get("/idphoto/").content.decode()

    assert "1 image × 7 points = 7 points." in html and "Balance: 20 points." in html


def test_compliant_photo_shows_the_result_beside_a_passed_report(alice, sync_queue, shared_data):
    client, _, token = _csrf_client(alice.user)

    response = client.post("/idphoto/", {"csrfmiddlewaretoken": token, "photo": _shared(shared_data, COMPLIANT),
                                         "size": "us", "background": "white", "sheet": ""}, follow=True)

    html = response.content.decode()
    assert response.status_code == 200 and "Compliance report" in html
    assert "Compliant" in html and 'alt="ID photo' in html and "digital upload version (600x600 px)" in html


def test_failing_photo_is_refused_with_each_failed_check_explained(alice, sync_queue, shared_data):
    client, _, token = _csrf_client(alice.user)

    response = client.post("/idphoto/", {"csrfmiddlewaretoken": token, "photo": _shared(shared_data, OPEN_MOUTH),
                                         "size": "passport", "background": "blue"}, follow=True)

    html = response.content.decode()
    assert "Refused" in html and "nothing was charged" in html
    assert "Mouth closed</strong>: " in html and "close your mouth" in html.lower()
    assert Job.objects.filter(owner=alice.user).latest("id").state == "failed"


def test_draft_is_made_and_marked_not_compliant(alice, sync_queue, shared_data):
    client, _, token = _csrf_client(alice.user)

    response = client.post("/idphoto/", {"csrfmiddlewaretoken": token, "photo": _shared(shared_data, OPEN_MOUTH),
                                         "size": "passport", "background": "white", "sheet": "6x4", "draft": "on"},
                           follow=True)

    html = response.content.decode()
    assert "Draft, not compliant" in html and 'alt="ID photo' in html


def test_non_image_is_refused_on_the_page(alice):
    client, _, token = _csrf_client(alice.user)

    response = client.post("/idphoto/", {"csrfmiddlewaretoken": token, "photo": upload(b"not a photo", "x.jpg"),
                                         "size": "passport", "background": "white"})

    assert response.status_code == 200 and Job.objects.filter(owner=alice.user, kind="idphoto").count() == 0
    assert '<ul class="messages" role="status"><li class="error">x.jpg' in response.content.decode()


def test_custom_size_needs_its_millimetres(alice):
    client, _, token = _csrf_client(alice.user)

    response = client.post("/idphoto/", {"csrfmiddlewaretoken": token, "photo": upload(), "size": "custom",
                                         "background": "white"})

    assert response.status_code == 400 and "Give the custom size" in response.content.decode()
