"""Identity validation of training checkpoints: the score is how close the drawn face is to the
avatar by the engine's embedding, an image without a face scores worst, and the real validator runs
on the tiny models (which draw no face) without failing the training."""
from __future__ import annotations

import numpy as np

from engine.diffusion.training import lora_train
from engine.diffusion.validation import WORST_SCORE, identity_score, identity_validator
from engine.faces import analyze_faces
from engine.imaging import read

FAST = {"resolution": 64, "rank": 4}
BLANK = np.full((64, 64, 3), 128, np.uint8)


def _photo(shared_data, person: str, number: int) -> np.ndarray:
    return read(shared_data / "faces" / person / f"{number}.jpg").rgb


def _mean_embedding(photos: list[np.ndarray]) -> np.ndarray:
    return np.mean([analyze_faces(photo, limit=1)[0].embedding for photo in photos], axis=0)


def test_the_avatars_own_face_scores_above_another_persons(shared_data):
    obama = _mean_embedding([_photo(shared_data, "obama", n) for n in (1, 2, 3)])

    own = identity_score([_photo(shared_data, "obama", 4)], obama)
    other = identity_score([_photo(shared_data, "biden", 1)], obama)

    assert WORST_SCORE < other < own < 0


def test_an_image_without_a_face_scores_worst():
    assert identity_score([BLANK, BLANK], np.zeros(128, np.float32)) == WORST_SCORE


def test_a_faceless_image_pulls_the_score_below_a_face_alone(shared_data):
    obama = _mean_embedding([_photo(shared_data, "obama", n) for n in (1, 2)])
    face = _photo(shared_data, "obama", 3)

    assert WORST_SCORE < identity_score([face, BLANK], obama) < identity_score([face], obama)


def test_the_real_validator_scores_each_tiny_checkpoint_worst_and_keeps_the_last(tiny_models, face_crops, tmp_path):
    validate = identity_validator(base=tiny_models, mean_embedding=np.zeros(128, np.float32), resolution=64, steps=2)

    trained = lora_train(base=tiny_models, images=face_crops, out=tmp_path, steps=4, checkpoint_every=2,
                         validate=validate, **FAST)

    assert trained.scores == {2: WORST_SCORE, 4: WORST_SCORE}
    assert trained.merged == (4,)  # equal scores rank nothing: the last checkpoint, as without validation
