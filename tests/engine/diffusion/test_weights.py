"""The diffusion weights: fetched with the real huggingface_hub client from a loopback server that
answers like the Hub's resolve endpoint, verified file by file; and the committed manifest."""
from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.diffusion import weights
from engine.diffusion.weights import manifest, model_path, models_fetch, models_status
from engine.errors import EngineError, ErrorCode
from tests.file_server import loopback_server

pytest.importorskip("huggingface_hub")

COMMIT = "0123456789abcdef0123456789abcdef01234567"
FILES = {  # repo -> {path: bytes}
    "studio-tests/tiny-base": {"model_index.json": b'{"_class_name": "TinyPipeline"}\n',
                               "unet/diffusion_pytorch_model.safetensors": bytes(range(256)) * 40},
    "studio-tests/tiny-faceid": {"faceid.bin": b"\x01\x02 non-commercial weights" * 10},
    "studio-tests/tiny-lora": {"pytorch_lora_weights.safetensors": b"lora" * 100},
}


class Hub:
    """What the loopback Hub served (``requests``: (method, path)); ``corrupt`` paths get other bytes."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.corrupt: set[str] = set()

    def gets(self) -> list[str]:
        return [path for method, path in self.requests if method == "GET"]


@contextlib.contextmanager
def hub_server(files: dict[str, dict[str, bytes]] = FILES) -> Iterator[tuple[str, Hub]]:
    """Serves HEAD and GET /{repo_id}/resolve/{revision}/{filename} with the headers huggingface_hub
    reads (X-Repo-Commit, X-Linked-Etag for LFS-style files, Content-Length); yields (URL, Hub)."""
    hub = Hub()
    route = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:
            return None

        def answer(self, with_body: bool) -> None:
            hub.requests.append((self.command, self.path))
            match = route.match(self.path.split("?")[0])
            body = files.get(match[1], {}).get(match[3]) if match else None
            if body is None or match[2] not in (COMMIT, "main"):
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if match[3] in hub.corrupt:
                body = bytes(b ^ 0xFF for b in body)  # same size: only the digest can tell
            self.send_response(200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("X-Linked-Etag", f'"{hashlib.sha256(files[match[1]][match[3]]).hexdigest()}"')
            self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()}"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.answer(with_body=False)

        def do_GET(self) -> None:
            self.answer(with_body=True)

    with loopback_server(Handler) as url:
        yield url, hub


def entry(name: str, repo: str, *, default: bool = True, commercial: bool = True, pinned: bool = True,
          revision: str | None = COMMIT) -> dict:
    files = [{"path": path, "size": len(body) if pinned else None,
              "sha256": hashlib.sha256(body).hexdigest() if pinned else None,
              **({} if pinned else {"note": "no published digest"})}
             for path, body in FILES[repo].items()]
    return {
        "name": name, "title": f"test model {name}", "role": "base", "default": default,
        "commercial_use": commercial, "licence": "Apache-2.0" if commercial else "LicenseRef-Test-NC",
        "licence_url": "https://example.com/licence", "use_restrictions": None if commercial else "research only",
        "repo_id": repo, "revision": revision, "revision_note": None if revision else "none published",
        "source_url": None, "layout": "diffusers", "variant": None, "load": "from_pretrained(path)",
        "files": files, "source_of_checksums": "the test's own bytes", "note": None,
    }


@pytest.fixture
def models(tmp_path, monkeypatch) -> Path:
    """A test manifest (tiny-base default, tiny-faceid non-commercial, tiny-lora without digests) and an
    empty models folder; returns the folder."""
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"models": [
        entry("tiny-base", "studio-tests/tiny-base"),
        entry("tiny-faceid", "studio-tests/tiny-faceid", default=False, commercial=False),
        entry("tiny-lora", "studio-tests/tiny-lora", default=False, pinned=False, revision=None),
    ]}))
    monkeypatch.setattr(weights, "MANIFEST_PATH", path)
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return tmp_path / "models"


def test_fetch_downloads_every_file_of_the_defaults_and_verifies_it(models):
    with hub_server() as (url, hub):
        fetched = models_fetch(endpoint=url, on_line=lambda line: None)
    assert [(f.name, f.downloaded, f.verified) for f in fetched] == [("tiny-base", 2, 2)]
    folder = model_path("tiny-base")
    assert folder == models / "tiny-base"
    for path, body in FILES["studio-tests/tiny-base"].items():
        assert (folder / path).read_bytes() == body
    assert sorted(hub.gets()) == sorted(f"/studio-tests/tiny-base/resolve/{COMMIT}/{p}"
                                        for p in FILES["studio-tests/tiny-base"])


def test_second_fetch_downloads_nothing(models):
    with hub_server() as (url, hub):
        models_fetch(["tiny-base"], endpoint=url, on_line=lambda line: None)
        served = len(hub.requests)
        again = models_fetch(["tiny-base"], endpoint=url, on_line=lambda line: None)
    assert again[0].downloaded == 0
    assert len(hub.requests) == served


def test_corrupted_file_is_refused_with_both_digests_and_not_left_on_disk(models):
    path = "unet/diffusion_pytorch_model.safetensors"
    body = FILES["studio-tests/tiny-base"][path]
    with hub_server() as (url, hub):
        hub.corrupt.add(path)
        with pytest.raises(EngineError) as refused:
            models_fetch(["tiny-base"], endpoint=url, on_line=lambda line: None)
    assert hashlib.sha256(body).hexdigest() in refused.value.message
    assert hashlib.sha256(bytes(b ^ 0xFF for b in body)).hexdigest() in refused.value.message
    assert not (models / "tiny-base" / path).exists()
    with pytest.raises(EngineError, match="models fetch tiny-base"):
        model_path("tiny-base")


def test_file_changed_after_fetch_makes_the_model_missing_and_is_fetched_again(models):
    with hub_server() as (url, _hub):
        models_fetch(["tiny-base"], endpoint=url, on_line=lambda line: None)
        (models / "tiny-base" / "model_index.json").write_bytes(b'{"tampered": true}\n')
        assert not models_status()[0].present
        fetched = models_fetch(["tiny-base"], endpoint=url, on_line=lambda line: None)
    assert fetched[0].downloaded == 1
    assert model_path("tiny-base") == models / "tiny-base"


def test_noncommercial_model_is_refused_without_the_flag_and_its_licence_printed(models):
    lines: list[str] = []
    with hub_server() as (url, hub):
        with pytest.raises(EngineError, match="non-commercial use only"):
            models_fetch(["tiny-faceid"], endpoint=url, on_line=lines.append)
        assert hub.requests == []
        fetched = models_fetch(["tiny-faceid"], allow_noncommercial=True, endpoint=url, on_line=lines.append)
    assert "LicenseRef-Test-NC" in lines[0] and "research only" in lines[0]
    assert fetched[0].downloaded == 1
    assert model_path("tiny-faceid").is_dir()


def test_file_without_published_digest_needs_trust_and_is_then_locked(models):
    with hub_server() as (url, hub):
        with pytest.raises(EngineError, match="--trust-on-first-use"):
            models_fetch(["tiny-lora"], endpoint=url, on_line=lambda line: None)
        assert hub.requests == []
        lines: list[str] = []
        fetched = models_fetch(["tiny-lora"], trust_on_first_use=True, endpoint=url, on_line=lines.append)
        # Locked: a later fetch needs no trust, and finds the file verified.
        again = models_fetch(["tiny-lora"], endpoint=url, on_line=lambda line: None)
    body = FILES["studio-tests/tiny-lora"]["pytorch_lora_weights.safetensors"]
    lock = json.loads((models / "models.lock.json").read_text())
    assert lock["tiny-lora"]["revision"] == COMMIT
    assert lock["tiny-lora"]["files"]["pytorch_lora_weights.safetensors"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert fetched[0].trusted == ("pytorch_lora_weights.safetensors",)
    assert any("trusted on first use" in line for line in lines)
    assert again[0].downloaded == 0


def test_model_path_of_a_missing_model_names_the_fetch_command(models):
    with pytest.raises(EngineError) as missing:
        model_path("tiny-base")
    assert missing.value.code is ErrorCode.MODEL_MISSING
    assert "python manage.py models fetch tiny-base" in missing.value.message


def test_unreachable_hub_fails_with_the_file_named(models):
    with hub_server(files={}) as (url, _hub), pytest.raises(EngineError, match="download from studio-tests/tiny-base"):
        models_fetch(["tiny-base"], endpoint=url, on_line=lambda line: None)


def test_manifest_refuses_a_noncommercial_default(tmp_path):
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"models": [entry("bad", "studio-tests/tiny-faceid", default=True, commercial=False)]}))
    with pytest.raises(EngineError, match="never be a default"):
        manifest(path)


# --- The committed manifest --------------------------------------------------------------------------

def test_committed_manifest_is_valid_and_complete():
    specs = manifest()
    assert {"sd15", "sd15-inpaint", "controlnet-canny-sd15", "sdxl", "lcm-lora-sd15", "lcm-lora-sdxl",
            "ip-adapter-sd15"} <= {spec.name for spec in specs}
    for spec in specs:
        assert spec.revision is None or re.fullmatch(r"[0-9a-f]{40}", spec.revision), spec.name
        assert spec.revision or spec.revision_note, spec.name
        assert all(f.sha256 or f.note for f in spec.files), spec.name
        assert spec.licence and spec.licence_url.startswith("https://") and spec.source_of_checksums, spec.name


def test_committed_manifest_never_defaults_a_noncommercial_model():
    specs = manifest()
    noncommercial = {spec.name for spec in specs if not spec.commercial_use}
    assert {"insightface-antelopev2", "insightface-buffalo-l", "ip-adapter-faceid-sd15", "instantid",
            "flux1-dev"} <= noncommercial
    assert not [spec.name for spec in specs if spec.default and not spec.commercial_use]


def test_committed_base_model_is_pinned_whole():
    sd15 = next(spec for spec in manifest() if spec.name == "sd15")
    assert sd15.pinned and sd15.default
    assert {"model_index.json", "unet/diffusion_pytorch_model.fp16.safetensors"} <= {f.path for f in sd15.files}
