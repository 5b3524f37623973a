"""The website's main pages in a real browser, desktop and 390x844, without a worker: axe-core finds
no serious or critical violation, nothing scrolls sideways, the gallery of 25 portraits weighs under
2 MB and favourites toggle in place, uploads keep their order and their Remove, revocations ask
first, and the password rules show before any failure. Screenshots go where conftest.shot says."""
from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image
from skimage import data as samples

from accounts.services import apikey_create, user_get_or_create
from studio.catalog.models import Style
from studio.portraits.models import Avatar, AvatarStatus, Portrait

from .conftest import VIEWPORTS, shot

pytest.importorskip("playwright.sync_api")
axe = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PORTRAITS = 25
PUBLIC_PAGES = {"landing": "/", "signup": "/accounts/signup/"}
CUSTOMER_PAGES = {"avatars": "/avatars/", "new-avatar": "/avatars/new/", "styles": "/styles/",
                  "gallery": "/gallery/", "account": "/account/"}


def _jpeg(image: Image.Image, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# A portrait as the engine writes one: 1024 x 1280, about 250 kB.
PORTRAIT_JPEG = _jpeg(Image.fromarray(samples.astronaut()).resize((1024, 1280), Image.Resampling.LANCZOS))


@pytest.fixture
def shopper(catalog):
    """A customer with a trained avatar, 25 portraits and an API key, made directly (no engine)."""
    user = user_get_or_create(email="shopper@example.com")[0]
    avatar = Avatar.objects.create(owner=user, name="Ann", status=AvatarStatus.READY)
    style = Style.objects.filter(key="studio_demo").first() or Style.objects.order_by("id").first()
    for index in range(PORTRAITS):
        portrait = Portrait(owner=user, style=style, identity_distance=0.3, is_favourite=False)
        portrait.image.save("portrait.jpg", ContentFile(PORTRAIT_JPEG + str(index).encode()))
        portrait.avatars.set([avatar])
    apikey_create(owner=user, name="shop")
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _sign_in(context, live_server, session: str) -> None:
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


@pytest.fixture
def shopper_page(shopper, browser_context, live_server, viewport):
    """A page of the shopper's, signed in, at the test's viewport."""
    _sign_in(browser_context, live_server, shopper)
    page = browser_context.new_page()
    page.set_viewport_size(VIEWPORTS[viewport])
    return page


def _serious(page) -> list[str]:
    results = axe.Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def _all_images_loaded(page) -> None:
    """Scrolled down a screen at a time, so that every lazy image is asked for, and all loaded."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
            window.scrollTo(0, y);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }""")
    page.wait_for_function("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


def test_main_pages_pass_axe_and_fit_the_screen(shopper, browser_context, live_server, viewport):
    page = browser_context.new_page()
    page.set_viewport_size(VIEWPORTS[viewport])
    found: dict[str, list[str]] = {}
    for signed_in, pages in ((False, PUBLIC_PAGES), (True, CUSTOMER_PAGES)):
        if signed_in:
            _sign_in(browser_context, live_server, shopper)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            _all_images_loaded(page)
            found[name] = _serious(page) + (["scrolls sideways"] if _scrolls_sideways(page) else [])
            page.evaluate("window.scrollTo(0, 0)")
            shot(page, f"{name}-{viewport}")

    assert found == {name: [] for name in found}, json.dumps(found, indent=1)


@pytest.mark.parametrize("viewport, scale", [("desktop", 1), ("phone", 3)])
def test_gallery_of_25_portraits_weighs_under_2_mb(shopper, browser_context, live_server, viewport, scale):
    context = browser_context.browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=scale)
    _sign_in(context, live_server, shopper)
    page = context.new_page()
    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body())) if response.ok else None)

    page.goto(live_server.url + "/gallery/")
    _all_images_loaded(page)
    page.wait_for_load_state("networkidle")
    context.close()

    print(f"gallery weight {viewport} x{scale}: {len(sizes)} responses, {sum(sizes):,} bytes")
    assert len(sizes) >= PORTRAITS and sum(sizes) < 2 * 2**20, f"{len(sizes)} responses, {sum(sizes):,} bytes"


def test_favourite_toggles_in_place_without_reload_or_jump(shopper_page, live_server):
    page = shopper_page
    page.goto(live_server.url + "/gallery/")
    assert page.locator("#zip-favourites").is_hidden()
    card = page.locator(".gallery .card").nth(20)
    card.scroll_into_view_if_needed()
    page.evaluate("window.stillHere = true")
    where = card.bounding_box()["y"]  # on the screen: the ZIP button appearing above may move the page, not the card

    card.get_by_role("button", name="☆ Favourite").click()
    card.locator('.fav[aria-pressed="true"]').wait_for()

    assert page.evaluate("window.stillHere === true")  # no reload
    assert page.evaluate("window.scrollY") > 0 and card.bounding_box()["y"] == pytest.approx(where, abs=1)
    assert card.locator(".style-name").inner_text()
    assert page.locator("#zip-favourites").is_visible()
    page.reload()
    assert page.locator('.gallery .fav[aria-pressed="true"]').count() == 1


def test_uploaded_photos_get_remove_at_once_and_keep_their_order(shopper_page, live_server, tmp_path):
    files = []
    for name, pixels in (("a", samples.astronaut()), ("b", samples.chelsea()), ("c", samples.coffee())):
        files.append(tmp_path / f"{name}.jpg")
        files[-1].write_bytes(_jpeg(Image.fromarray(pixels)))
    page = shopper_page
    page.goto(live_server.url + "/avatars/new/")

    page.set_input_files("#id_photos", [str(path) for path in files])
    page.locator("#photos .photo[data-photo] form.remove").nth(2).wait_for()
    order = page.eval_on_selector_all("#photos .photo", "items => items.map(i => i.dataset.photo)")
    page.reload()

    assert page.eval_on_selector_all("#photos .photo", "items => items.map(i => i.dataset.photo)") == order
    page.locator("#photos .photo").first.get_by_role("button", name="Remove").click()
    page.wait_for_function(f"document.querySelectorAll('#photos .photo').length === {len(order) - 1}")
    assert page.eval_on_selector_all("#photos .photo", "items => items.map(i => i.dataset.photo)") == order[1:]
    assert not _scrolls_sideways(page)


def test_new_avatar_page_shows_the_upload_guide_before_the_first_upload(shopper_page, live_server):
    page = shopper_page
    page.goto(live_server.url + "/avatars/new/")

    examples = page.locator(".guide-examples li")
    assert examples.count() == 6
    page.wait_for_function("Array.from(document.querySelectorAll('.guide-examples img')).every(i => i.naturalWidth > 0)")
    assert "Face turned away" in page.locator(".guide").inner_text()


def test_revoking_an_api_key_asks_first(shopper_page, live_server):
    page = shopper_page
    page.goto(live_server.url + "/account/")

    page.get_by_role("link", name="Revoke…").first.click()
    page.get_by_role("heading", name="Revoke this API key?").wait_for()
    page.get_by_role("link", name="Keep it").click()
    assert page.locator(".badge.failed").count() == 0
    page.get_by_role("link", name="Revoke…").first.click()
    page.get_by_role("button", name="Revoke API key").click()
    page.locator(".badge.failed").wait_for()


def test_sign_up_shows_the_password_rules_before_any_failure(sized_page, live_server):
    browser_page = sized_page
    browser_page.goto(live_server.url + "/accounts/signup/")

    rules = browser_page.locator("#id_password1_helptext")
    assert rules.is_visible() and "at least 8 characters" in rules.inner_text()
    assert browser_page.get_by_label("Password", exact=True).get_attribute("aria-describedby") == "id_password1_helptext"


def test_focus_ring_is_drawn_in_the_contrasting_colour(browser_page, live_server):
    browser_page.goto(live_server.url + "/accounts/signup/")
    browser_page.keyboard.press("Tab")
    browser_page.keyboard.press("Tab")

    style = browser_page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert style == "rgb(29, 63, 184)"  # --focus, 8:1 on white (tests/web/test_contrast.py)
