"""manage.py templates and pack_fetch: packs downloaded from a real loopback server laid out like
raw.githubusercontent.com, serving ../shared/data/templates; and the manifests committed in the repo."""
from __future__ import annotations

import hashlib
import http.server
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from studio.catalog.models import Style, Template
from studio.catalog.pack_fetch import (
    ALLOWED_LICENCES,
    PackFetchError,
    PackManifestError,
    pack_fetch,
    pack_manifest_list,
    pack_manifest_read,
)
from tests.file_server import loopback_server

from .conftest import run_command

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
REVISION = "0123456789abcdef0123456789abcdef01234567"
SOURCE = ("studio-tests", "templates")
# The test pack: two women's templates, a man's, and a two-person one, from ../shared/data/templates.
FILES = [
    ("facechain_styles/Working_suit.jpg", "test_business_female", "female", 1),
    ("facechain_styles/Model_style.jpg", "test_business_female", "female", 1),
    ("facechain_styles/Men_suit.jpg", "test_business_male", "male", 1),
    ("facechain_inpaint/00_20230125X0028177.jpg", "test_couple", "any", 2),
]
DASHSCOPE_TEMPLATE_PRESETS = {
    "f_business_male": "male", "f_business_female": "female", "m_springflower_female": "female",
    "f_summersport_female": "female", "f_autumnleaf_female": "female", "m_winterchinese_female": "female",
    "f_hongkongvintage_female": "female", "f_lightportray_female": "female",
}


class Mirror:
    """What the loopback mirror served, and files it serves other bytes for (``corrupt``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        self.corrupt: set[str] = set()


@pytest.fixture
def mirror(shared_data, settings, tmp_path):
    """A loopback server laid out like raw.githubusercontent.com (<owner>/<repo>/<commit>/<path>),
    private addresses allowed and the download cache in tmp_path; yields (base URL, Mirror)."""
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    settings.STUDIO_PACK_CACHE_DIR = str(tmp_path / "cache")
    state = Mirror(shared_data / "templates")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:
            return None

        def do_GET(self) -> None:
            state.requests.append(self.path)
            relative = self.path.split("/", 4)[-1]
            path = state.root / relative
            if ".." in relative or not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            if relative in state.corrupt:
                body = body[:-100] + b"\0" * 100
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with loopback_server(Handler) as url:
        yield url, state


def write_manifest(folder: Path, root: Path, files=FILES, **changes) -> Path:
    """A manifest of ``files`` (paths under ../shared/data/templates) with their real sizes and sha256."""
    owner, repo = SOURCE
    styles = {}
    entries = []
    for path, style, gender, faces in files:
        content = (root / path).read_bytes()
        styles.setdefault(style, {"key": style, "title": style.replace("_", " ").title(), "gender": gender,
                                  "position": 60 + len(styles), "description": ""})
        entries.append({
            "url": f"https://raw.githubusercontent.com/{owner}/{repo}/{REVISION}/{path}", "path": path,
            "sha256": hashlib.sha256(content).hexdigest(), "size": len(content), "licence": "Apache-2.0",
            "title": Path(path).stem, "style": style, "gender": gender, "face_count": faces,
        })
    data = {
        "name": "test-pack", "title": "Test pack", "source": f"https://github.com/{owner}/{repo}",
        "revision": REVISION, "licence": "Apache-2.0", "licence_url": "https://www.apache.org/licenses/LICENSE-2.0",
        "default": False, "styles": list(styles.values()), "files": entries,
    } | changes
    target = folder / "test-pack.json"
    target.write_text(json.dumps(data))
    return target


@pytest.fixture
def manifest(tmp_path, shared_data):
    return pack_manifest_read(write_manifest(tmp_path, shared_data / "templates"))


def catalog_state() -> list[tuple]:
    return sorted(Template.objects.values_list("style__key", "digest", "face_count", "is_active", "image", "title"))


def test_fetch_imports_styles_templates_and_previews(mirror, manifest):
    url, _ = mirror

    fetched = pack_fetch(manifest=manifest, mirror=url)

    styles = {style.key: style for style in Style.objects.filter(key__startswith="test_")}
    assert sorted(styles) == ["test_business_female", "test_business_male", "test_couple"]
    assert all(style.is_active and style.preview for style in styles.values())
    assert styles["test_business_male"].gender == "male" and styles["test_couple"].gender == "any"
    assert styles["test_business_female"].templates.filter(is_active=True).count() == 2
    assert list(styles["test_couple"].templates.values_list("face_count", flat=True)) == [2]
    assert [line.outcome for line in fetched.lines].count("imported") == 4 and fetched.downloaded == 4


def test_fetch_stores_templates_with_the_pinned_sha256(mirror, manifest):
    pack_fetch(manifest=manifest, mirror=mirror[0])

    stored = {}
    for template in Template.objects.all():
        with template.image.open("rb") as image:
            stored[template.digest] = hashlib.sha256(image.read()).hexdigest()
    assert set(stored) == {file.sha256 for file in manifest.files}
    assert all(digest == actual for digest, actual in stored.items())


def test_corrupted_file_refuses_the_pack_and_imports_nothing(mirror, manifest):
    url, state = mirror
    state.corrupt.add("facechain_styles/Men_suit.jpg")
    expected = next(file.sha256 for file in manifest.files if file.path.endswith("Men_suit.jpg"))

    with pytest.raises(PackFetchError) as refused:
        pack_fetch(manifest=manifest, mirror=url)

    assert "facechain_styles/Men_suit.jpg" in str(refused.value) and expected in str(refused.value)
    actual = re.search(r"got ([0-9a-f]{64})", str(refused.value))[1]
    assert actual != expected
    assert not Template.objects.exists() and not Style.objects.filter(key__startswith="test_").exists()


def test_missing_file_refuses_the_pack_and_imports_nothing(mirror, tmp_path, shared_data):
    url, _ = mirror
    data = json.loads(write_manifest(tmp_path, shared_data / "templates", files=FILES[:3]).read_text())
    men_suit = data["files"][2]
    men_suit |= {"path": "facechain_styles/Not_there.jpg", "url": men_suit["url"].replace("Men_suit", "Not_there")}
    (tmp_path / "test-pack.json").write_text(json.dumps(data))

    with pytest.raises(PackFetchError, match="Not_there.jpg could not be downloaded.*404"):
        pack_fetch(manifest=pack_manifest_read(tmp_path / "test-pack.json"), mirror=url)

    assert not Template.objects.exists() and not Style.objects.filter(key__startswith="test_").exists()


def test_second_fetch_downloads_nothing_and_changes_nothing(mirror, manifest):
    url, state = mirror
    pack_fetch(manifest=manifest, mirror=url)
    before, served = catalog_state(), len(state.requests)

    again = pack_fetch(manifest=manifest, mirror=url)

    assert len(state.requests) == served and again.downloaded == 0
    assert not again.changed and {line.outcome for line in again.lines} == {"skipped"}
    assert catalog_state() == before


def test_existing_style_keeps_its_edits_and_is_shown_once_it_has_templates(mirror, manifest):
    Style.objects.create(key="test_business_male", title="Suits by our admin", gender="male", position=3,
                         is_active=False)

    pack_fetch(manifest=manifest, mirror=mirror[0])

    style = Style.objects.get(key="test_business_male")
    assert (style.title, style.position, style.is_active) == ("Suits by our admin", 3, True)


def test_private_mirror_is_refused_unless_private_urls_are_allowed(mirror, manifest, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False

    with pytest.raises(PackFetchError, match="could not be downloaded"):
        pack_fetch(manifest=manifest, mirror=mirror[0])

    assert mirror[1].requests == [] and not Template.objects.exists()


def test_mirror_from_the_environment_is_used(mirror, manifest, monkeypatch):
    url, state = mirror
    monkeypatch.setenv("STUDIO_PACK_MIRROR", url)

    pack_fetch(manifest=manifest)

    assert len(state.requests) == 4
    assert all(path.startswith(f"/{SOURCE[0]}/{SOURCE[1]}/{REVISION}/") for path in state.requests)


def test_templates_fetch_command_uses_manifest_and_mirror(mirror, tmp_path, shared_data):
    path = write_manifest(tmp_path, shared_data / "templates")

    output, status = run_command("templates", "fetch", "--manifest", str(path), "--mirror", mirror[0])
    again, again_status = run_command("templates", "fetch", "--manifest", str(path), "--mirror", mirror[0])

    assert status == 0 and "test_couple/00_20230125X0028177.jpg: imported" in output
    assert "test-pack: 4 files verified (4 downloaded, 0 from the cache); imported" in output
    assert again_status == 0 and "(0 downloaded, 4 from the cache); nothing changed" in again


def test_templates_fetch_command_fails_with_one_line(mirror, tmp_path, shared_data):
    mirror[1].corrupt.add("facechain_styles/Working_suit.jpg")
    path = write_manifest(tmp_path, shared_data / "templates")

    with pytest.raises(CommandError) as failed:
        call_command("templates", "fetch", "--manifest", str(path), "--mirror", mirror[0])

    assert failed.value.returncode == 1 and "\n" not in str(failed.value)
    assert "Working_suit.jpg is not the pinned file" in str(failed.value)


def test_templates_list_shows_each_pack():
    output, status = run_command("templates", "list")

    assert status == 0
    lines = {line.split()[0]: line for line in output.splitlines()}
    assert set(lines) == {manifest.name for manifest in pack_manifest_list()} >= {"facechain-styles", "easyphoto"}
    assert "default" in lines["facechain-styles"] and "Apache-2.0" in lines["facechain-styles"]
    assert "optional" in lines["easyphoto"] and "not imported" in lines["easyphoto"]


def test_manifest_with_unpinned_url_is_refused(tmp_path, shared_data):
    path = write_manifest(tmp_path, shared_data / "templates")
    data = json.loads(path.read_text())
    data["files"][0]["url"] = data["files"][0]["url"].replace(REVISION, "main")
    path.write_text(json.dumps(data))

    with pytest.raises(PackManifestError, match=r"files\[0\]: url must be .*/" + REVISION + "/"):
        pack_manifest_read(path)


def test_committed_manifests_are_complete_and_pinned():
    manifests = pack_manifest_list()  # each is validated strictly as it is read

    assert {manifest.name for manifest in manifests} >= {"facechain-styles", "facechain-multi", "easyphoto"}
    for manifest in manifests:
        assert re.fullmatch(r"[0-9a-f]{40}", manifest.revision)
        assert manifest.licence in ALLOWED_LICENCES and manifest.licence in ("Apache-2.0", "CC0-1.0", "CC-PDDC")
        for file in manifest.files:
            repository = manifest.source.removeprefix("https://github.com/")
            assert file.url == f"https://raw.githubusercontent.com/{repository}/{manifest.revision}/{file.path}"
            assert file.licence in ALLOWED_LICENCES and re.fullmatch(r"[0-9a-f]{64}", file.sha256) and file.size > 0


def test_committed_manifests_agree_with_the_shared_copies(shared_data):
    """../shared/data/templates holds byte-for-byte copies of some of the packs' files (SOURCES.md)."""
    copies = {path.name: path for path in (shared_data / "templates").glob("*/*.jpg")}
    compared = 0
    for manifest in pack_manifest_list():
        for file in manifest.files:
            copy = copies.get(Path(file.path).name)
            if copy is not None:
                content = copy.read_bytes()
                assert (hashlib.sha256(content).hexdigest(), len(content)) == (file.sha256, file.size), file.path
                compared += 1
    assert compared >= 20


def test_default_packs_cover_every_dashscope_template_preset_with_its_gender():
    defaults = [manifest for manifest in pack_manifest_list() if manifest.default]
    styles = {style.key: style for manifest in defaults for style in manifest.styles}
    files = [file for manifest in defaults for file in manifest.files]

    for key, gender in DASHSCOPE_TEMPLATE_PRESETS.items():
        assert styles[key].gender == gender, key
        assert [file for file in files if file.style == key and file.gender == gender and file.face_count == 1], key
    assert any(file.face_count == 2 for file in files)


def test_manifest_with_non_commercial_licence_is_refused(tmp_path, shared_data):
    path = write_manifest(tmp_path, shared_data / "templates", licence="CC-BY-NC-4.0")

    with pytest.raises(PackManifestError, match="licence 'CC-BY-NC-4.0' is not one of"):
        pack_manifest_read(path)


def load_run_studio():
    spec = importlib.util.spec_from_file_location("run_studio", REPO / "scripts" / "run_studio.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def launcher_env(tmp_path, **extra) -> dict[str, str]:
    # The packs' host is a closed loopback port: nothing here can reach the internet.
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "STUDIO_VAR_DIR": str(tmp_path),
            "STUDIO_PACK_MIRROR": "http://127.0.0.1:1/", "STUDIO_ALLOW_PRIVATE_URLS": "1", **extra}


def test_make_run_carries_on_with_one_line_when_the_packs_cannot_be_downloaded(tmp_path, capsys):
    run_studio = load_run_studio()

    run_studio._packs_fetch([sys.executable, str(REPO / "manage.py")], launcher_env(tmp_path), wanted_by_default=True)

    assert capsys.readouterr().out.splitlines() == [run_studio.OFFLINE]


@pytest.mark.parametrize(("switch", "wanted_by_default"), [("0", True), (None, False)], ids=["run-off", "serve"])
def test_packs_are_not_fetched_when_switched_off_or_under_make_serve(tmp_path, capsys, switch, wanted_by_default):
    run_studio = load_run_studio()
    env = {name: value for name, value in launcher_env(tmp_path).items() if name != "STUDIO_FETCH_PACKS"}
    if switch is not None:
        env["STUDIO_FETCH_PACKS"] = switch

    run_studio._packs_fetch([sys.executable, str(REPO / "manage.py")], env, wanted_by_default=wanted_by_default)

    assert capsys.readouterr().out == ""
