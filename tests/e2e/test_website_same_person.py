"""The photo check as photos arrive, in a real browser with a real django-q2 worker, desktop and
390x844: a photo of someone else turns red on the new-avatar page before any training; a photo that
passes with a soft problem (glasses) says how to do better."""
from __future__ import annotations

import pytest

from accounts.services import user_get_or_create

from .conftest import PASSWORD, log_in, shot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SAME = [f"faces/obama/{i}.jpg" for i in (1, 2, 3)]
OTHER = "faces/biden/1.jpg"


@pytest.fixture
def customer(catalog):  # noqa: F811
    user = user_get_or_create(email="sameperson@example.com")[0]
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_photo_of_someone_else_turns_red_as_it_arrives(live_server, module_worker, customer, sized_page,  # noqa: F811
                                                          shared_data, viewport):
    page, url = sized_page, live_server.url
    log_in(page, url, "sameperson@example.com")
    page.goto(url + "/avatars/new/")

    page.set_input_files("#id_photos", [str(shared_data / path) for path in SAME])
    page.locator("#photos .photo.pass").nth(2).wait_for(timeout=60_000)
    page.set_input_files("#id_photos", [str(shared_data / OTHER)])

    other = page.locator("#photos .photo.fail")
    other.wait_for(timeout=60_000)
    assert "different person" in other.inner_text() or "not the same person" in other.inner_text()
    assert page.locator("#photos .photo.pass").count() == 3
    other.scroll_into_view_if_needed()
    shot(page, f"new-avatar-other-person-{viewport}", full_page=False)


def test_a_photo_with_glasses_passes_with_advice(live_server, module_worker, customer, sized_page,  # noqa: F811
                                                  shared_data, viewport):
    page, url = sized_page, live_server.url
    log_in(page, url, "sameperson@example.com")
    page.goto(url + "/avatars/new/")

    page.set_input_files("#id_photos", [str(shared_data / "faces/sundar_pichai/1.jpg")])

    advice = page.locator("#photos .photo.pass .reasons.advice")
    advice.wait_for(timeout=60_000)
    assert "Glasses:" in advice.inner_text()
    advice.scroll_into_view_if_needed()
    shot(page, f"new-avatar-glasses-advice-{viewport}", full_page=False)
