"""The website in a real browser (Playwright driving Debian's chromium) against a live studio with a
real django-q2 worker: sign up, upload real photos (one bad), train, create, gallery, favourite, ZIP.
Screenshots of the main pages go to var/screenshots/ (STUDIO_SCREENSHOTS: another folder, e.g.
docs/screenshots to refresh the README's)."""
from __future__ import annotations

import re
import zipfile

import pytest
from django.core import mail

from .conftest import shot

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SELFIES = [f"faces/john_simm/{i}.jpg" for i in range(1, 6)]
BAD = "no_face/coffee.png"


def test_from_sign_up_to_a_zip_of_favourites(live_server, module_worker, browser_page, shared_data):
    page, url = browser_page, live_server.url

    page.goto(url + "/")
    assert page.locator("h1").inner_text() == "Professional portraits from a few selfies"
    page.wait_for_function("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    shot(page, "landing")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "landing-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email address").fill("browser@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-enough-password")
    page.get_by_label("Password again").fill("a-long-enough-password")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/avatars/new/")
    # The free trial, which pays for the training below, comes with the email confirmation.
    page.get_by_text("Confirm your email to get your free trial").wait_for()
    page.goto(url + re.search(r"(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1))
    page.get_by_text("your free trial is ready").wait_for()
    page.goto(url + "/avatars/new/")

    page.set_input_files("#id_photos", [str(shared_data / path) for path in [*SELFIES, BAD]])
    page.locator("#photos .photo.pass").nth(4).wait_for()
    bad = page.locator("#photos .photo.fail")
    bad.wait_for()
    assert "Number of face is not 1." in bad.inner_text()
    assert page.locator("#photos .photo.pass").count() == 5
    shot(page, "new-avatar")

    page.get_by_label("Name of the avatar").fill("John")
    page.get_by_role("button", name="Train avatar").click()
    page.wait_for_url("**/avatars/*/")
    shot(page, "avatar-training")
    page.locator(".badge.ready").wait_for(timeout=60_000)  # the page reloads itself when the job ends

    page.goto(url + "/styles/")
    shot(page, "styles")
    page.get_by_role("link", name="Studio demo").click()
    page.get_by_label("Grace Hopper (US Navy)").check()
    page.locator("#id_n").select_option("1")
    page.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_url("**/jobs/*/")
    page.locator(".grid img").first.wait_for(timeout=60_000)

    page.goto(url + "/gallery/")
    card = page.locator(".gallery .card").first
    assert "likeness" in card.inner_text()
    card.get_by_role("button", name="☆ Favourite").click()
    page.locator('.gallery .fav[aria-pressed="true"]').wait_for()
    shot(page, "gallery")

    with page.expect_download() as download_info:
        page.locator("#zip-favourites").click()
    archive = zipfile.ZipFile(download_info.value.path())
    names = archive.namelist()
    assert len(names) == 1 and names[0].startswith("portrait-") and archive.read(names[0])[:3] == b"\xff\xd8\xff"

    page.locator(".gallery .card a").first.click()
    page.locator(".compare-range").fill("55")
    shot(page, "portrait-compare")
    page.goto(url + "/account/")
    page.get_by_role("button", name="New credential").click()
    assert page.locator("#new-token").input_value()
    shot(page, "account")
