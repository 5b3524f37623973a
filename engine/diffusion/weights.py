"""The diffusion backend's weights: the manifest committed beside this module (models.json), fetched
once from the Hugging Face Hub into STUDIO_MODELS_DIR, verified file by file, and found offline after.

No Django and no torch here; ``huggingface_hub`` is imported only when something is downloaded.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError, ErrorCode

MANIFEST_PATH = Path(__file__).resolve().parent / "models.json"
MODELS_DIR_ENV = "STUDIO_MODELS_DIR"
DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[2] / "var" / "models"
LOCK_NAME = "models.lock.json"  # digests recorded by --trust-on-first-use, beside the models
VERIFIED_NAME = ".verified.json"  # in each model's folder: what was verified, so nothing is hashed twice

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
REPO_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
REVISION_PATTERN = re.compile(r"^[0-9a-f]{40}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
ROLES = ("base", "inpaint", "controlnet", "lcm-lora", "ip-adapter", "face-analysis")
LAYOUTS = ("diffusers", "diffusers-component", "lora", "ip-adapter", "files")
MODEL_KEYS = {"name", "title", "role", "default", "commercial_use", "licence", "licence_url", "use_restrictions",
              "repo_id", "revision", "revision_note", "source_url", "layout", "variant", "load", "files",
              "source_of_checksums", "note"}
FILE_KEYS = {"path", "size", "sha256", "note"}


@dataclass(frozen=True)
class ModelFile:
    path: str  # within the repository, and within the model's folder
    size: int | None
    sha256: str | None  # None: no published digest; fetched only on trust, then locked
    note: str | None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    role: str
    default: bool
    commercial_use: bool
    licence: str
    licence_url: str
    use_restrictions: str | None
    repo_id: str | None  # None: not on the Hub (listed for its licence, never fetched)
    revision: str | None
    revision_note: str | None
    source_url: str | None
    layout: str
    variant: str | None  # diffusers' variant of the weight files ("fp16"), for from_pretrained
    load: str
    files: tuple[ModelFile, ...]
    source_of_checksums: str
    note: str | None

    @property
    def licence_line(self) -> str:
        return f"{self.name}: {self.licence} ({self.licence_url}) - {self.use_restrictions or 'no use restrictions'}"

    @property
    def pinned(self) -> bool:
        """Every file has a published digest and the revision is a commit: nothing is taken on trust."""
        return self.revision is not None and all(f.sha256 for f in self.files)


@dataclass(frozen=True)
class ModelStatus:
    spec: ModelSpec
    present: bool
    bytes_on_disk: int
    missing: tuple[str, ...]  # files not yet verified in the folder


@dataclass(frozen=True)
class ModelFetched:
    name: str
    downloaded: int  # files fetched over the network; the others were already verified here
    verified: int
    trusted: tuple[str, ...]  # files whose digest was recorded on trust (the lock file)
    path: Path


# --- The manifest ------------------------------------------------------------------------------------

def models_dir() -> Path:
    return Path(os.environ.get(MODELS_DIR_ENV) or DEFAULT_MODELS_DIR)


def manifest(path: Path | None = None) -> list[ModelSpec]:
    """The models of the committed manifest (or of ``path``), validated strictly."""
    path = path or MANIFEST_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(ErrorCode.INVALID_OPTION, f"{path}: not a readable JSON manifest ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise EngineError(ErrorCode.INVALID_OPTION, f"{path}: expected an object with a list 'models'")
    specs = [_spec(entry, where=f"{path.name}[{index}]") for index, entry in enumerate(data["models"])]
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise EngineError(ErrorCode.INVALID_OPTION, f"{path}: models named twice: {', '.join(duplicates)}")
    return specs


def model_spec(name: str, *, specs: list[ModelSpec] | None = None) -> ModelSpec:
    specs = manifest() if specs is None else specs
    for spec in specs:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in specs)
    raise EngineError(ErrorCode.INVALID_OPTION, f"no model named {name!r} (known: {known})")


def _spec(entry: object, *, where: str) -> ModelSpec:
    def fail(problem: str) -> EngineError:
        return EngineError(ErrorCode.INVALID_OPTION, f"{where}: {problem}")

    if not isinstance(entry, dict) or set(entry) != MODEL_KEYS:
        keys = set(entry) if isinstance(entry, dict) else set()
        raise fail(f"keys must be exactly {sorted(MODEL_KEYS)}; missing {sorted(MODEL_KEYS - keys)}, "
                   f"unknown {sorted(keys - MODEL_KEYS)}")
    name = entry["name"]
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise fail(f"name {name!r} must be lower-case letters, digits and dashes")
    where = f"{where} ({name})"
    for key in ("title", "licence", "licence_url", "load", "source_of_checksums"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise fail(f"{key} must be a non-empty string")
    for key in ("use_restrictions", "revision_note", "source_url", "variant", "note"):
        if entry[key] is not None and not isinstance(entry[key], str):
            raise fail(f"{key} must be a string or null")
    if not entry["licence_url"].startswith("https://"):
        raise fail("licence_url must be an https URL")
    if entry["role"] not in ROLES or entry["layout"] not in LAYOUTS:
        raise fail(f"role must be one of {ROLES} and layout one of {LAYOUTS}")
    if not isinstance(entry["default"], bool) or not isinstance(entry["commercial_use"], bool):
        raise fail("default and commercial_use must be true or false")
    if entry["default"] and not entry["commercial_use"]:
        raise fail("a model not licensed for commercial use can never be a default")
    repo_id, revision = entry["repo_id"], entry["revision"]
    if repo_id is None:
        if not entry["source_url"] or entry["default"]:
            raise fail("a model not on the Hub needs a source_url and cannot be a default")
    elif not isinstance(repo_id, str) or not REPO_PATTERN.match(repo_id):
        raise fail(f"repo_id {repo_id!r} is not owner/name")
    if revision is None:
        if not entry["revision_note"]:
            raise fail("a null revision needs a revision_note saying why")
    elif not isinstance(revision, str) or not REVISION_PATTERN.match(revision):
        raise fail(f"revision {revision!r} must be a 40-hex commit or null")
    files = entry["files"]
    if not isinstance(files, list) or not files:
        raise fail("files must be a non-empty list")
    return ModelSpec(
        name=name, title=entry["title"], role=entry["role"], default=entry["default"],
        commercial_use=entry["commercial_use"], licence=entry["licence"], licence_url=entry["licence_url"],
        use_restrictions=entry["use_restrictions"], repo_id=repo_id, revision=revision,
        revision_note=entry["revision_note"], source_url=entry["source_url"], layout=entry["layout"],
        variant=entry["variant"], load=entry["load"], files=tuple(_file(item, fail=fail) for item in files),
        source_of_checksums=entry["source_of_checksums"], note=entry["note"],
    )


def _file(item: object, *, fail: Callable[[str], EngineError]) -> ModelFile:
    if not isinstance(item, dict) or not {"path", "size", "sha256"} <= set(item) <= FILE_KEYS:
        raise fail(f"a file needs path, size and sha256 (and may have a note): {item!r}")
    path, size, sha256, note = item["path"], item["size"], item["sha256"], item.get("note")
    parts = path.split("/") if isinstance(path, str) else []
    if not parts or any(part in ("", ".", "..") for part in parts) or "\\" in path:
        raise fail(f"file path {path!r} must be a relative path inside the repository")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size <= 0):
        raise fail(f"{path}: size must be a positive integer or null")
    if sha256 is not None and (not isinstance(sha256, str) or not SHA256_PATTERN.match(sha256)):
        raise fail(f"{path}: sha256 must be 64 lower-case hex digits or null")
    if sha256 is None and not note:
        raise fail(f"{path}: a null sha256 needs a note saying why")
    return ModelFile(path=path, size=size, sha256=sha256, note=note)


# --- What is on disk ---------------------------------------------------------------------------------

def model_path(name: str) -> Path:
    """The model's folder, if every file in it was verified; else EngineError naming the fetch command."""
    spec = model_spec(name)
    folder = models_dir() / spec.name
    missing = _unverified(spec, folder, _lock_entry(spec.name))
    if missing:
        raise EngineError(
            ErrorCode.MODEL_MISSING,
            f"the model {spec.name} ({spec.title}) is not in {folder} ({len(missing)} of {len(spec.files)} files "
            f"missing or unverified): run `python manage.py models fetch {spec.name}`",
        )
    return folder


def models_status(*, specs: list[ModelSpec] | None = None) -> list[ModelStatus]:
    """Each model of the manifest: present (every file verified) or not, and its bytes on disk."""
    statuses = []
    for spec in manifest() if specs is None else specs:
        folder = models_dir() / spec.name
        missing = _unverified(spec, folder, _lock_entry(spec.name))
        on_disk = sum((folder / f.path).stat().st_size for f in spec.files if (folder / f.path).is_file())
        statuses.append(ModelStatus(spec=spec, present=not missing, bytes_on_disk=on_disk, missing=tuple(missing)))
    return statuses


def _expected(spec: ModelSpec, lock: dict) -> dict[str, tuple[int | None, str | None]]:
    """Each file's (size, sha256): the manifest's, else what a trusted fetch locked."""
    locked = lock.get("files", {})
    return {f.path: (f.size or locked.get(f.path, {}).get("size"), f.sha256 or locked.get(f.path, {}).get("sha256"))
            for f in spec.files}


def _unverified(spec: ModelSpec, folder: Path, lock: dict) -> list[str]:
    """Files not verified against their digest, or changed since (size or modification time)."""
    record = _read_json(folder / VERIFIED_NAME)
    revision = spec.revision or lock.get("revision")
    if record.get("revision") != revision:
        return [f.path for f in spec.files]
    missing = []
    for path, (size, sha256) in _expected(spec, lock).items():
        seen = record.get("files", {}).get(path, {})
        target = folder / path
        if (sha256 is None or seen.get("sha256") != sha256 or not target.is_file()
                or [target.stat().st_size, target.stat().st_mtime_ns] != [seen.get("size"), seen.get("mtime_ns")]
                or (size is not None and size != seen.get("size"))):
            missing.append(path)
    return missing


# --- Fetching ----------------------------------------------------------------------------------------

def models_fetch(names: list[str] | None = None, *, allow_noncommercial: bool = False, endpoint: str | None = None,
                 trust_on_first_use: bool = False, on_line: Callable[[str], None] = print) -> list[ModelFetched]:
    """Downloads the named models (or the defaults) and verifies every file's size and sha256.

    Idempotent: a file already verified here is not downloaded again. Everything is refused before
    any download when a model is non-commercial without ``allow_noncommercial``, not on the Hub, or
    has a file without a published digest without ``trust_on_first_use`` (then the digest received
    is recorded in STUDIO_MODELS_DIR/models.lock.json and checked from then on).
    """
    specs = manifest()
    chosen = [model_spec(name, specs=specs) for name in dict.fromkeys(names)] if names else [
        spec for spec in specs if spec.default]
    _refuse_before_download(chosen, allow_noncommercial=allow_noncommercial, trust_on_first_use=trust_on_first_use,
                            on_line=on_line)
    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or None
    return [_fetch_one(spec, endpoint=endpoint, on_line=on_line) for spec in chosen]


def _refuse_before_download(chosen: list[ModelSpec], *, allow_noncommercial: bool, trust_on_first_use: bool,
                            on_line: Callable[[str], None]) -> None:
    for spec in chosen:
        if not spec.commercial_use:
            on_line(f"licence of {spec.licence_line}")
            if not allow_noncommercial:
                raise EngineError(ErrorCode.INVALID_OPTION,
                                  f"{spec.name} is licensed for non-commercial use only ({spec.licence}, "
                                  f"{spec.licence_url}): fetch it with --allow-noncommercial if your use allows")
        if spec.repo_id is None:
            raise EngineError(ErrorCode.INVALID_OPTION,
                              f"{spec.name} is not on the Hugging Face Hub: download it by hand from {spec.source_url}")
        lock = _lock_entry(spec.name)
        unpinned = [path for path, (_, sha256) in _expected(spec, lock).items() if sha256 is None]
        if (unpinned or not (spec.revision or lock.get("revision"))) and not trust_on_first_use:
            what = f"{len(unpinned)} file(s) without a published sha256" if unpinned else "no pinned revision"
            raise EngineError(ErrorCode.MODEL_MISSING,
                              f"{spec.name} has {what} in the manifest ({', '.join(unpinned[:3]) or spec.repo_id}): "
                              f"fetch it with --trust-on-first-use to record the digests it gets")


def _fetch_one(spec: ModelSpec, *, endpoint: str | None, on_line: Callable[[str], None]) -> ModelFetched:
    folder = models_dir() / spec.name
    lock = _lock_entry(spec.name)
    revision = spec.revision or lock.get("revision")
    record = _read_json(folder / VERIFIED_NAME)
    if record.get("revision") != revision or not isinstance(record.get("files"), dict):
        record = {"revision": revision, "files": {}}
    stale = set(_unverified(spec, folder, lock))
    downloaded, trusted = 0, []
    for file in spec.files:
        if file.path not in stale:
            continue
        size, sha256 = _expected(spec, lock)[file.path]
        target = folder / file.path
        if target.is_file() and sha256 and _digest(target) == sha256 and size in (None, target.stat().st_size):
            record["files"][file.path] = _seen(target, sha256)  # present and right: just recorded
            continue
        target.unlink(missing_ok=True)  # else huggingface_hub would keep a changed file of the same commit
        got, commit = _download(spec, file, folder=folder, revision=revision, endpoint=endpoint)
        downloaded += 1
        digest, got_size = _digest(got), got.stat().st_size
        if sha256 is None:
            trusted.append(file.path)
            lock = _lock_record(spec.name, revision=revision or commit, path=file.path, size=got_size, sha256=digest)
            revision = revision or commit
            record["revision"] = revision
            on_line(f"{spec.name}/{file.path}: no published sha256; trusted on first use and locked as {digest}")
        elif digest != sha256 or size not in (None, got_size):
            got.unlink()
            raise EngineError(ErrorCode.MODEL_MISSING,
                              f"{spec.name}/{file.path} is not the file the manifest pins: sha256 {digest} "
                              f"({got_size} bytes) instead of {sha256} ({size or 'any'} bytes); deleted")
        record["files"][file.path] = _seen(got, digest)
        _write_json(folder / VERIFIED_NAME, record)
    _write_json(folder / VERIFIED_NAME, record)
    verified = len(spec.files)
    on_line(f"{spec.name}: {verified} files verified ({downloaded} downloaded) in {folder}")
    return ModelFetched(name=spec.name, downloaded=downloaded, verified=verified, trusted=tuple(trusted), path=folder)


def _download(spec: ModelSpec, file: ModelFile, *, folder: Path, revision: str | None,
              endpoint: str | None) -> tuple[Path, str | None]:
    """One file through huggingface_hub into the model's folder; returns its path and the commit served."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        commit = revision
        if commit is None:  # trusted on first use: pin the commit the Hub serves now, then fetch that
            url = hf_hub_url(spec.repo_id, file.path, revision="main", endpoint=endpoint)
            commit = get_hf_file_metadata(url).commit_hash
        path = hf_hub_download(spec.repo_id, file.path, revision=commit, local_dir=folder, endpoint=endpoint)
    except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as exc:
        raise EngineError(ErrorCode.MODEL_MISSING,
                          f"{spec.name}/{file.path}: download from {spec.repo_id}@{revision or 'main'} failed: "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
    return Path(path), commit


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _seen(path: Path, sha256: str) -> dict:
    stat = path.stat()
    return {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _lock_entry(name: str) -> dict:
    return _read_json(models_dir() / LOCK_NAME).get(name, {})


def _lock_record(name: str, *, revision: str | None, path: str, size: int, sha256: str) -> dict:
    lock = _read_json(models_dir() / LOCK_NAME)
    entry = lock.setdefault(name, {"revision": revision, "files": {}})
    entry["revision"] = entry.get("revision") or revision
    entry["files"][path] = {"size": size, "sha256": sha256}
    _write_json(models_dir() / LOCK_NAME, lock)
    return entry


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)
