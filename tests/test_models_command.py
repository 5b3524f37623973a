"""manage.py models list|fetch: the committed manifest listed, and a fetch from the loopback Hub."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.engine.diffusion.test_weights import hub_server, models  # noqa: F401 (fixture)

pytest.importorskip("huggingface_hub")


def run(*args) -> tuple[str, int, str]:
    """The command's output, exit status and one-line reason (a CommandError's, as manage.py exits)."""
    out = io.StringIO()
    try:
        call_command("models", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode, str(error)
    return out.getvalue(), 0, ""


def test_list_shows_every_committed_model_missing_with_its_licence(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path))
    output, status, _ = run("list")
    lines = {line.split()[0]: line for line in output.splitlines()[1:]}
    assert status == 0 and output.startswith(f"models folder: {tmp_path}")
    assert "default" in lines["sd15"] and "CreativeML-OpenRAIL-M (commercial)" in lines["sd15"]
    assert "missing 13/13 files" in lines["sd15"]
    assert "optional" in lines["flux1-dev"] and "NON-COMMERCIAL" in lines["flux1-dev"]


def test_fetch_then_list_shows_the_model_present_with_its_size(models):  # noqa: F811
    with hub_server() as (url, _hub):
        output, status, _ = run("fetch", "--endpoint", url)
    assert status == 0 and "tiny-base: 2 files verified (2 downloaded)" in output
    listed, _, _ = run("list")
    line = next(line for line in listed.splitlines() if line.startswith("tiny-base"))
    assert "present" in line and "10.0 KB" in line


def test_fetch_of_a_noncommercial_model_fails_with_one_line_unless_allowed(models):  # noqa: F811
    with hub_server() as (url, _hub):
        output, status, reason = run("fetch", "tiny-faceid", "--endpoint", url)
        assert status == 1 and "--allow-noncommercial" in reason and "\n" not in reason
        assert "LicenseRef-Test-NC" in output
        allowed, status, _ = run("fetch", "tiny-faceid", "--allow-noncommercial", "--endpoint", url)
    assert status == 0 and "tiny-faceid: 1 files verified (1 downloaded)" in allowed


def test_fetch_of_an_unknown_model_names_the_known_ones(models):  # noqa: F811
    _, status, reason = run("fetch", "nope")
    assert status == 1 and "no model named 'nope'" in reason and "tiny-base" in reason
