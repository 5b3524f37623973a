"""engine.faces: faces found (small ones in tiles), their mesh, pose and identity embedding."""
from __future__ import annotations

import csv
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from engine import imaging
from engine.check import SAME_PERSON_THRESHOLD
from engine.faces import Face, analyze_faces, distance, models
from engine.faces.detect import detect_faces


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


def centre_x(face: Face) -> float:
    return (face.box[0] + face.box[2]) / 2


def test_faces_are_ordered_left_to_right_by_their_final_box():
    # The cameraman's head is turned: his mesh outline sits about 11 px left of the detector's box,
    # his mirror image's about 15 px right. Shifted 50 px left under the original, the mirror's
    # detector box is left of the original's but its mesh box is right of it.
    camera = np.repeat(samples.camera()[:, :, None], 3, axis=2)
    picture = np.vstack([camera, np.roll(camera[:, ::-1], -50, axis=1)])

    faces = analyze_faces(picture, embed=False)

    assert len(faces) == 2
    assert centre_x(faces[0]) < centre_x(faces[1])


@pytest.fixture
def full_range_runs(monkeypatch) -> list[tuple[int, ...]]:
    """The shapes the full-range detector is run on (the model itself still runs)."""
    detector = models.detector_full_range()
    runs: list[tuple[int, ...]] = []
    process = detector.process

    def counted(image):
        runs.append(image.shape)
        return process(image)

    monkeypatch.setattr(detector, "process", counted)
    return runs


def test_a_selfie_does_not_pay_for_tiles(astronaut, full_range_runs):
    selfie = np.asarray(Image.fromarray(astronaut).resize((1024, 1024), Image.Resampling.LANCZOS))

    assert len(detect_faces(selfie)) == 1
    assert full_range_runs == [(1024, 1024, 3)]


def test_a_picture_without_faces_is_searched_in_tiles(coffee_png, full_range_runs):
    assert faces_in(coffee_png) == []
    assert len(full_range_runs) == 5


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


def expected_faces(shared_data: Path, folder: str) -> dict[str, int]:
    with open(shared_data / "manifest.csv", newline="") as manifest:
        rows = list(csv.DictReader(manifest))
    return {row["file"]: int(row["expected_faces"]) for row in rows if row["file"].startswith(folder)}


def face_counts(shared_data: Path, names) -> dict[str, int]:
    return {name: len(detect_faces(imaging.read(shared_data / name).rgb)) for name in names}


def test_every_face_in_group_photos_is_found(shared_data):
    # The whole-picture pass alone found 61 of these 76 (bald_guys.jpg 12 of 24).
    expected = expected_faces(shared_data, "multi_face/")

    assert len(expected) >= 14
    assert face_counts(shared_data, expected) == expected


def test_photos_of_one_person_have_exactly_one_face(shared_data):
    expected = {**expected_faces(shared_data, "faces/"), **expected_faces(shared_data, "edge_cases/")}

    assert len(expected) >= 95
    assert face_counts(shared_data, expected) == expected


def annotated_boxes(folder: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    boxes = {}
    for name in ("training.xml", "testing.xml"):
        for image in ElementTree.parse(folder / name).getroot().iter("image"):
            boxes[image.get("file")] = [_corners(box) for box in image.iter("box")]
    return boxes


def _corners(box: ElementTree.Element) -> tuple[int, int, int, int]:
    left, top, width, height = (int(box.get(name)) for name in ("left", "top", "width", "height"))
    return left, top, left + width, top + height


def test_pascal_voc_faces_are_the_annotated_ones(shared_data):
    # dlib's hand-drawn boxes: each detection's centre falls in its own annotated box, so the
    # counts above are not one false alarm making up for one miss.
    folder = shared_data / "multi_face" / "pascal_voc"
    unmatched = {}
    for name, boxes in annotated_boxes(folder).items():
        left = list(boxes)
        for detection in detect_faces(imaging.read(folder / name).rgb):
            cx, cy = (detection.box[0] + detection.box[2]) / 2, (detection.box[1] + detection.box[3]) / 2
            inside = [box for box in left if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]]
            if inside:
                left.remove(inside[0])
            else:
                unmatched.setdefault(name, []).append("false alarm")
        unmatched.setdefault(name, []).extend(["missed"] * len(left))

    assert {name: problems for name, problems in unmatched.items() if problems} == {}
