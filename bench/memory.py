"""Peak memory of the engine on the largest and oddest images it admits, each in a fresh process.

Run: .venv/bin/python -m bench.memory [--repeat 3]
Writes bench/results/memory.json.

Each case runs in its own Python process (Linux), which resets its peak resident memory (VmHWM)
once the engine is imported and the file read, then reports the step's peak over what it held
before, and the process's peak in all. The baseline, measured in the same run, is a 12 MP phone
JPEG through the same step. The hardening goal: no admitted input takes a worker past 2 GB.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data as samples

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
GOAL_MB = 2048

# What each step does with the file, in the child process.
STEPS = {
    "admit": "admit(data)",  # what intake does on the web process
    "decode": "imaging.decode(data)",
    "stylize": "stylize(data, style_index=0)",
    "check": "check_photo(data, for_training=True)",  # loads the face models, as a worker does
}
CHILD = """
import sys
sys.path.insert(0, {repo!r})
from engine import imaging
from engine.check import check_photo
from engine.stylize import stylize
data = open({path!r}, "rb").read()
def admit(data):  # studio.portraits.services.intake.image_admit, without Django
    return imaging.decode(data, max_side=256)
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
open("/proc/self/clear_refs", "w").write("5")  # Linux: the peak (VmHWM) starts again from here
before = status("VmRSS")
try:
    {call}
    outcome = "done"
except Exception as exc:
    outcome = type(exc).__name__ + ": " + str(exc)[:80]
print(before, status("VmHWM"), outcome, sep="\t")
"""


def _save(image: Image.Image, path: Path, format: str) -> Path:
    image.save(path, format)
    return path


def make_inputs(folder: Path) -> dict[str, Path]:
    """The worst the limits admit (64 MP, 16-bit, alpha, a 6:1 strip) and a 12 MP phone photo."""
    face = Image.fromarray(samples.astronaut()).resize((3464, 3464), Image.Resampling.BICUBIC)  # 12 MP
    inputs = {"baseline: 12 MP JPEG": _save(face, folder / "phone.jpg", "JPEG")}
    inputs["64 MP JPEG"] = _save(Image.new("RGB", (9797, 6532), (120, 90, 80)), folder / "big.jpg", "JPEG")
    inputs["64 MP RGBA PNG"] = _save(Image.new("RGBA", (7999, 7999), (10, 20, 30, 128)), folder / "rgba.png", "PNG")
    grey = Image.fromarray(np.full((7999, 7999), 1000, np.uint16))
    inputs["64 MP 16-bit grey PNG"] = _save(grey, folder / "grey16.png", "PNG")
    inputs["6:1 strip, 64 MP JPEG"] = _save(Image.new("RGB", (19595, 3266), (100, 100, 100)), folder / "strip.jpg", "JPEG")
    inputs["refused 20000x50 PNG"] = _save(Image.new("RGB", (20000, 50), (1, 2, 3)), folder / "thin.png", "PNG")
    return inputs


def run_case(path: Path, call: str) -> tuple[int, int, str]:
    """(the step's peak over what the process held before it, the process's peak in all, outcome), MB."""
    script = CHILD.format(repo=str(REPO), path=str(path), call=call)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    before, peak, outcome = out.strip().split("\t")
    return int(peak) - int(before), int(peak), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict = {"goal_mb": GOAL_MB, "repeat": args.repeat, "cases": []}
    with tempfile.TemporaryDirectory() as folder:
        inputs = make_inputs(Path(folder))
        baselines: dict[str, float] = {}
        for name, path in inputs.items():
            for step, call in STEPS.items():
                runs = [run_case(path, call) for _ in range(args.repeat)]
                step_mb = statistics.median(run[0] for run in runs)
                process_mb = statistics.median(run[1] for run in runs)
                if name.startswith("baseline"):
                    baselines[step] = max(step_mb, 1)
                case = {"input": name, "step": step, "step_peak_mb_median": step_mb,
                        "process_peak_mb_median": process_mb, "outcome": runs[0][2],
                        "ratio_to_baseline": round(step_mb / baselines[step], 2)}
                report["cases"].append(case)
                print(f"{name:26} {step:8} step {step_mb:6.0f} MB  x{case['ratio_to_baseline']:<5} "
                      f"process {process_mb:6.0f} MB  {case['outcome']}")
    report["worst_mb"] = max(case["process_peak_mb_median"] for case in report["cases"])
    report["within_goal"] = report["worst_mb"] < GOAL_MB
    (RESULTS / "memory.json").write_text(json.dumps(report, indent=1))
    print(f"worst {report['worst_mb']:.0f} MB (goal under {GOAL_MB} MB) -> {RESULTS / 'memory.json'}")


if __name__ == "__main__":
    main()
