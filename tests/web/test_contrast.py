"""WCAG AA contrast of the colours site.css gives the badges, verdicts and the focus ring, computed
with WCAG 2.2's relative-luminance formula from the stylesheet itself (the browser suite's axe-core
run checks the rendered pages as well)."""
from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

CSS = (REPO / "static/studio/site.css").read_text()
VARIABLES = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))
PAGE, CARD = VARIABLES["bg"], "#ffffff"


def colour(value: str) -> str:
    value = value.strip()
    return VARIABLES[value[6:-1]] if value.startswith("var(--") else value


def declaration(selector: str, prop: str) -> str:
    """The value of ``prop`` in the rule whose selector list holds ``selector``."""
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        if selector in [part.strip() for part in selectors.split(",")]:
            found = re.search(rf"(?:^|;)\s*{prop}:\s*([^;]+)", body)
            if found:
                return found.group(1).strip()
    raise AssertionError(f"no {prop} for {selector} in site.css")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_wcag_reference_values():
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#9db4ff", "#ffffff") == pytest.approx(2.02, abs=0.01)  # the old focus ring


@pytest.mark.parametrize("selector", [".badge.ready", ".badge.failed"])
def test_badge_text_has_4_5_to_1_on_its_own_background(selector):
    text, background = colour(declaration(selector, "color")), colour(declaration(selector, "background"))

    assert ratio(text, background) >= 4.5


@pytest.mark.parametrize("background", [PAGE, CARD])
def test_focus_ring_has_3_to_1_against_the_page_and_the_cards(background):
    ring = colour(declaration("button:focus-visible", "outline").split()[-1])

    assert ratio(ring, background) >= 3.0


@pytest.mark.parametrize("name", ["ok", "bad", "muted", "accent"])
def test_text_colours_have_4_5_to_1_on_the_page_and_the_cards(name):
    assert min(ratio(VARIABLES[name], PAGE), ratio(VARIABLES[name], CARD)) >= 4.5
