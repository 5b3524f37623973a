"""The moderation hook: a no-op by default, the example check refuses blank and banner-shaped images."""
from __future__ import annotations

import numpy as np
import pytest

from studio.lib.moderation import Refused, moderation_check
from tests.images import encoded

NOISE = encoded(np.random.default_rng(1).integers(0, 255, (120, 100, 3), dtype=np.uint8), "PNG")
BLANK = encoded(np.full((120, 100, 3), 250, dtype=np.uint8), "PNG")
BANNER = encoded(np.random.default_rng(2).integers(0, 255, (100, 500, 3), dtype=np.uint8), "PNG")  # 5:1, within intake's 6:1


def test_default_hook_lets_everything_through():
    for content in (NOISE, BLANK, BANNER, b"not an image"):
        moderation_check(kind="photo", content=content)


@pytest.fixture
def example_hook(settings) -> None:
    settings.STUDIO_MODERATION_HOOK = "studio.lib.moderation.refuse_blank"


@pytest.mark.usefixtures("example_hook")
def test_example_refuses_a_blank_photo():
    with pytest.raises(Refused) as refused:
        moderation_check(kind="photo", content=BLANK)
    assert refused.value.code == "moderation_blank" and "photo" in refused.value.message


@pytest.mark.usefixtures("example_hook")
def test_example_refuses_a_banner_shaped_template():
    with pytest.raises(Refused, match="500x100"):
        moderation_check(kind="template", content=BANNER)


@pytest.mark.usefixtures("example_hook")
def test_example_accepts_a_real_image_and_leaves_undecodable_bytes_to_the_check():
    moderation_check(kind="photo", content=NOISE)
    moderation_check(kind="photo", content=b"not an image")


@pytest.mark.usefixtures("example_hook")
def test_example_accepts_every_real_photo(shared_data):
    for path in sorted((shared_data / "faces").rglob("*.jpg"))[:12]:
        moderation_check(kind="photo", content=path.read_bytes())
