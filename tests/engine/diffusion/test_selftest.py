"""The self-test a user runs: tiny models built, a LoRA trained, saved and loaded, one portrait made
through both passes, timings and shapes printed as JSON."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine.__main__ import main

pytestmark = pytest.mark.slow


def test_selftest_command_trains_loads_and_creates(tmp_path, capsys):
    status = main(["diffusion-selftest", "--workdir", str(tmp_path), "--json"])
    report = json.loads(capsys.readouterr().out)

    assert status == 0 and report["ok"] is True
    assert report["train"]["steps"] == 4 and report["train"]["checkpoints"] == [2, 4]
    assert report["generate"] == {"shape": [64, 64, 3], "lora_changes_output": True}
    creation = report["creation"]
    assert creation["diffusion_passes"] == 2
    assert creation["portrait_shape"][2] == 3 and creation["template_shape"] == [512, 512, 3]
    assert set(report["timings"]) >= {"build_models", "train", "generate", "load_lora", "creation"}
    assert all(seconds >= 0 for seconds in report["timings"].values())
    assert (tmp_path / "lora" / "lora.safetensors").is_file()


def test_engine_command_line_loads_without_torch():
    code = "import sys, engine.__main__ as m; m.build_parser(); print(sorted({'torch', 'diffusers'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
