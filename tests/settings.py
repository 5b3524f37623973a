"""Test settings: studio.settings with a throw-away folder for the database, media and secrets.

Only the environment is set here; every value still comes from studio/settings.py. Worker
processes started by the tests inherit this environment and so share the same folder.
"""
import atexit
import os
import shutil
import tempfile

if "STUDIO_VAR_DIR" not in os.environ:
    os.environ["STUDIO_VAR_DIR"] = tempfile.mkdtemp(prefix="studio-tests-")
    atexit.register(shutil.rmtree, os.environ["STUDIO_VAR_DIR"], ignore_errors=True)
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("STUDIO_JOB_LEASE", "30")
# Tests run with DEBUG off, as production does, but over the test client's plain HTTP, and without
# collectstatic's manifest of hashed names; tests/serving turns both on where they are the subject.
os.environ.setdefault("STUDIO_HTTPS", "0")
os.environ.setdefault("STUDIO_STATIC_MANIFEST", "0")

from studio.settings import *  # noqa: E402, F401, F403

# WhiteNoise warns (an error in tests) when STATIC_ROOT is missing; tests collect nothing into it.
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405 - from studio.settings
