"""The likeness scale: a similarity people read, calibrated on the engine's same-person threshold."""
from __future__ import annotations

import pytest

from engine.check import SAME_PERSON_THRESHOLD
from studio.portraits.likeness import likeness_basis, likeness_of, likeness_percent


def test_the_same_person_threshold_reads_sixty_percent():
    assert likeness_percent(SAME_PERSON_THRESHOLD) == 60


@pytest.mark.parametrize(("distance", "percent"), [(0.0, 100), (0.3, 80), (0.45, 70), (0.8, 30), (1.0, 0), (1.4, 0)])
def test_percent_falls_as_the_distance_grows(distance, percent):
    assert likeness_percent(distance) == percent


@pytest.mark.parametrize(("distance", "word"), [(0.22, "great"), (0.4, "good"), (0.55, "fair"), (0.7, "weak"),
                                                (0.9, "unlike")])
def test_five_words_split_the_scale(distance, word):
    assert likeness_of(distance).word == word


def test_a_portrait_reads_as_a_percentage_with_its_word():
    assert str(likeness_of(0.22)) == "likeness 85 % (great)"


def test_a_stylization_never_reads_great_likeness():
    styled = likeness_of(0.07, basis=likeness_basis("stylize"))
    assert styled.basis == "photo" and "great" not in str(styled) and "likeness" not in str(styled)
    assert str(styled) == "95 % of your photo's face kept (very close)"


def test_an_id_photo_reads_as_the_face_of_its_photo_kept():
    assert likeness_basis("idphoto") == "photo"
    assert str(likeness_of(0.1, basis=likeness_basis("idphoto"))).endswith("of your photo's face kept (very close)")


def test_unmeasured_has_no_likeness():
    assert likeness_of(None) is None


def test_the_raw_distance_is_kept():
    assert likeness_of(0.4321).distance == 0.4321
