"""The face models, loaded once per thread from the packages that ship them.

Only models inside PyPI packages are used (no download at run time): MediaPipe 0.10's face
detection and face mesh, and dlib's ResNet embedding from ``face-recognition-models``. dlib's 68-point model is deliberately not used: its training data
forbids commercial use.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

from ..errors import EngineError, ErrorCode

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's C++ logging is noise for us
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_local = threading.local()
_shared_lock = threading.Lock()
_shared: dict[str, object] = {}


def _dlib_model_path(name: str) -> str:
    # face_recognition_models imports pkg_resources (gone from setuptools 81+): find its folder
    # without importing it.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        raise EngineError(ErrorCode.INTERNAL, "The package face-recognition-models is not installed.")
    path = Path(spec.origin).parent / "models" / name
    if not path.is_file():
        raise EngineError(ErrorCode.INTERNAL, f"Model file {name} is missing from face-recognition-models.")
    return str(path)


def _shared_model(key: str, factory):
    # dlib's ResNet is read-only after loading and safe to share across threads.
    with _shared_lock:
        if key not in _shared:
            _shared[key] = factory()
        return _shared[key]


def face_encoder():
    import dlib

    return _shared_model(
        "resnet",
        lambda: dlib.face_recognition_model_v1(_dlib_model_path("dlib_face_recognition_resnet_model_v1.dat")),
    )


def _thread_model(key: str, factory):
    # MediaPipe graphs keep state per call and are not thread-safe: one instance per thread.
    model = getattr(_local, key, None)
    if model is None:
        model = factory()
        setattr(_local, key, model)
    return model


def detector_full_range():
    """MediaPipe's full-range face detector: faces up to ~5 m away, small faces in big photos."""
    import mediapipe as mp

    return _thread_model(
        "fd_full",
        lambda: mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.4),
    )


def detector_short_range():
    """MediaPipe's short-range face detector: close-up selfies."""
    import mediapipe as mp

    return _thread_model(
        "fd_short",
        lambda: mp.solutions.face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5),
    )


def face_mesh():
    """MediaPipe's face mesh with iris refinement: 478 landmarks for one face per call."""
    import mediapipe as mp

    return _thread_model(
        "mesh",
        lambda: mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.3
        ),
    )


def hand_landmarks():
    """MediaPipe's hands (palm detection and 21 landmarks per hand), the lite model."""
    import mediapipe as mp

    return _thread_model(
        "hands",
        lambda: mp.solutions.hands.Hands(
            static_image_mode=True, max_num_hands=2, model_complexity=0, min_detection_confidence=0.5
        ),
    )
