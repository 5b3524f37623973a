"""engine.faces.analyze_faces: faces found, their mesh, pose and identity embedding."""
from __future__ import annotations

import numpy as np
import pytest

from engine import imaging
from engine.check import SAME_PERSON_THRESHOLD
from engine.faces import Face, analyze_faces, distance


def faces_in(data: bytes) -> list[Face]:
    return analyze_faces(imaging.decode(data).rgb)


@pytest.fixture(scope="module")
def astronaut_faces(astronaut_png) -> list[Face]:
    return faces_in(astronaut_png)


@pytest.fixture(scope="module")
def astronaut_face(astronaut_faces) -> Face:
    assert len(astronaut_faces) == 1
    return astronaut_faces[0]


def test_astronaut_has_exactly_one_face(astronaut_faces):
    assert len(astronaut_faces) == 1


def test_face_has_478_mesh_points(astronaut_face):
    assert astronaut_face.points.shape == (478, 3)


def test_face_mesh_sits_on_the_astronauts_face(astronaut_face):
    # Her face spans about x 180-270, y 70-180 of the 512 x 512 picture.
    x0, y0, x1, y1 = astronaut_face.box
    nose_x, nose_y = astronaut_face.points[1, :2]

    assert 170 < x0 < nose_x < x1 < 290 and 60 < y0 < nose_y < y1 < 190


def test_astronaut_face_looks_at_the_camera(astronaut_face):
    assert abs(astronaut_face.pose.yaw) <= 15


def test_face_has_finite_128_d_embedding(astronaut_face):
    assert astronaut_face.embedding.shape == (128,)
    assert np.all(np.isfinite(astronaut_face.embedding))


def test_coffee_has_no_face(coffee_png):
    assert faces_in(coffee_png) == []


def test_mirrored_photo_is_the_same_person(astronaut, astronaut_face, encode_png):
    (mirrored,) = faces_in(encode_png(np.ascontiguousarray(astronaut[:, ::-1])))

    assert distance(mirrored.embedding, astronaut_face.embedding) < SAME_PERSON_THRESHOLD


def test_cameraman_is_another_person_than_the_astronaut(cameraman_png, astronaut_face):
    (cameraman,) = faces_in(cameraman_png)

    assert distance(cameraman.embedding, astronaut_face.embedding) > SAME_PERSON_THRESHOLD


# --- ../shared/data ---------------------------------------------------------------------------

PHOTOS = [
    "faces/obama/1.jpg", "faces/obama/2.jpg", "faces/obama/3.jpg",
    "faces/biden/1.jpg", "faces/biden/2.jpg",
    "faces/kit_harington/1.jpeg", "faces/rose_leslie/1.jpg",
    "faces/alex_lacamoire/2.jpg", "faces/alex_lacamoire/3.jpg",
]


@pytest.fixture(scope="module")
def embeddings(shared_data) -> dict[str, np.ndarray]:
    found = {name: analyze_faces(imaging.read(shared_data / name).rgb) for name in PHOTOS}
    assert {name: len(faces) for name, faces in found.items()} == {name: 1 for name in PHOTOS}
    return {name: faces[0].embedding for name, faces in found.items()}


def test_two_people_are_found_left_to_right(shared_data, embeddings):
    faces = analyze_faces(imaging.read(shared_data / "multi_face/two_people.jpg").rgb)

    assert len(faces) == 2
    assert (faces[0].box[0] + faces[0].box[2]) < (faces[1].box[0] + faces[1].box[2])
    # The picture is a composite of obama/3.jpg's face (left) and biden/1.jpg's (right).
    assert distance(faces[0].embedding, embeddings["faces/obama/3.jpg"]) < 0.2
    assert distance(faces[1].embedding, embeddings["faces/biden/1.jpg"]) < 0.2


def test_photos_without_people_have_no_face(shared_data):
    counts = {path.name: len(analyze_faces(imaging.read(path).rgb, embed=False)) for path in (shared_data / "no_face").iterdir()}

    assert len(counts) >= 7
    assert counts == dict.fromkeys(counts, 0)


@pytest.mark.parametrize(
    "first, second",
    [
        ("faces/obama/1.jpg", "faces/obama/2.jpg"),
        ("faces/obama/2.jpg", "faces/obama/3.jpg"),
        ("faces/biden/1.jpg", "faces/biden/2.jpg"),
        ("faces/alex_lacamoire/2.jpg", "faces/alex_lacamoire/3.jpg"),
    ],
)
def test_photos_of_one_person_are_closer_than_the_threshold(embeddings, first, second):
    assert distance(embeddings[first], embeddings[second]) < SAME_PERSON_THRESHOLD


@pytest.mark.parametrize(
    "first, second",
    [
        ("faces/obama/1.jpg", "faces/biden/1.jpg"),
        ("faces/obama/2.jpg", "faces/biden/2.jpg"),
        ("faces/kit_harington/1.jpeg", "faces/rose_leslie/1.jpg"),
        ("faces/obama/3.jpg", "faces/alex_lacamoire/3.jpg"),
    ],
)
def test_photos_of_different_people_are_farther_than_the_threshold(embeddings, first, second):
    assert distance(embeddings[first], embeddings[second]) > SAME_PERSON_THRESHOLD
