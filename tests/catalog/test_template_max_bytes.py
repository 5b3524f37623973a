"""STUDIO_TEMPLATE_MAX_BYTES is read by settings like the other limits: a number of bytes, at least
1024, 10 MiB when unset. Each case imports the settings in a fresh interpreter with its environment."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def settings_value(**env: str) -> subprocess.CompletedProcess:
    code = "import tests.settings as s; print(s.STUDIO_TEMPLATE_MAX_BYTES)"
    environ = {key: value for key, value in os.environ.items() if key != "STUDIO_TEMPLATE_MAX_BYTES"} | env
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=environ, capture_output=True, text=True)


def test_template_max_bytes_defaults_to_10_mib():
    assert settings_value().stdout.strip() == str(10 * 1024 * 1024)


def test_template_max_bytes_comes_from_the_environment():
    assert settings_value(STUDIO_TEMPLATE_MAX_BYTES="4096").stdout.strip() == "4096"


def test_template_max_bytes_below_1024_is_refused_naming_the_variable():
    result = settings_value(STUDIO_TEMPLATE_MAX_BYTES="100")
    assert result.returncode != 0
    assert "STUDIO_TEMPLATE_MAX_BYTES must be at least 1024, got 100" in result.stderr
