"""Template packs from their sources: `templates list` shows the packs committed in
studio/catalog/packs/; `templates fetch PACK... | --default` downloads, verifies and imports them (idempotent)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...pack_fetch import (
    PackFetchError,
    PackManifest,
    PackManifestError,
    pack_fetch,
    pack_imported_count,
    pack_manifest_list,
    pack_manifest_read,
)


class Command(BaseCommand):
    help = "List the template packs, or fetch and import them (python manage.py templates fetch --default)."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,fetch}")
        actions.add_parser("list", help="the packs: default or not, licence, files, whether imported")
        fetch = actions.add_parser("fetch", help="download, verify and import packs")
        fetch.add_argument("packs", nargs="*", metavar="PACK", help="pack names (templates list)")
        fetch.add_argument("--default", action="store_true", help="the default packs")
        fetch.add_argument("--manifest", action="append", type=Path, default=[], metavar="PATH",
                           help="a manifest file outside the repository (may be given more than once)")
        fetch.add_argument("--mirror", metavar="URL",
                           help="a base URL laid out like https://raw.githubusercontent.com/ (or STUDIO_PACK_MIRROR)")
        fetch.add_argument("--timeout", type=float, metavar="SECONDS", help="the most one file's download may take")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "list":
                self.list()
            else:
                self.fetch(**options)
        except (PackManifestError, PackFetchError) as exc:
            raise CommandError(str(exc), returncode=1) from exc

    def list(self) -> None:
        for manifest in pack_manifest_list():
            imported = pack_imported_count(manifest=manifest)
            state = "not imported" if not imported else f"{imported} imported"
            state = "imported" if imported == len(manifest.files) else state
            self.stdout.write(
                f"{manifest.name:<18} {'default' if manifest.default else 'optional':<8} {manifest.licence:<10} "
                f"{len(manifest.files):>3} files  {len(manifest.styles):>2} styles  {state:<14} "
                f"{manifest.title} ({manifest.source})"
            )

    def fetch(self, *, packs: list[str], default: bool, manifest: list[Path], mirror: str | None,
              timeout: float | None, **options) -> None:
        manifests = self.chosen(packs=packs, default=default, paths=manifest)
        rejected = 0
        for chosen in manifests:
            fetched = pack_fetch(manifest=chosen, mirror=mirror, timeout=timeout)
            for line in fetched.lines:
                if line.outcome != "skipped":
                    self.stdout.write(str(line))
            rejected += fetched.rejected
            source = f"{fetched.downloaded} downloaded, {len(chosen.files) - fetched.downloaded} from the cache"
            verdict = "imported" if fetched.changed else "nothing changed (already imported)"
            self.stdout.write(f"{chosen.name}: {len(chosen.files)} files verified ({source}); {verdict}")
        if rejected:
            raise CommandError(f"{rejected} file(s) rejected by the template check (above)", returncode=1)

    def chosen(self, *, packs: list[str], default: bool, paths: list[Path]) -> list[PackManifest]:
        if not (packs or default or paths):
            raise CommandError("name the packs to fetch, or --default, or --manifest PATH (templates list)")
        manifests = [m for m in pack_manifest_list() if m.default] if default else []
        manifests += [pack_manifest_read(name) for name in packs]
        manifests += [pack_manifest_read(path) for path in paths]
        unique = {m.name: m for m in manifests}
        return list(unique.values())
