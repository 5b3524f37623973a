"""The diffusion backend's weights: `models list` shows each model of engine/diffusion/models.json
(present or not, size on disk, licence); `models fetch [NAME...] | --all` downloads and verifies them
into STUDIO_MODELS_DIR (the defaults when no name is given; idempotent)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from engine.diffusion.weights import models_dir, models_fetch, models_status
from engine.errors import EngineError


class Command(BaseCommand):
    help = "List the diffusion models, or fetch them from the Hugging Face Hub (python manage.py models fetch)."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,fetch}")
        actions.add_parser("list", help="each model: present or not, size on disk, default or not, licence")
        fetch = actions.add_parser("fetch", help="download and verify models (the defaults when none is named)")
        fetch.add_argument("names", nargs="*", metavar="NAME", help="model names (models list)")
        fetch.add_argument("--all", action="store_true",
                           help="every model on the Hub (the non-commercial ones too with --allow-noncommercial)")
        fetch.add_argument("--allow-noncommercial", action="store_true",
                           help="allow models licensed for non-commercial use only (their licence is printed)")
        fetch.add_argument("--endpoint", metavar="URL", help="a Hugging Face Hub mirror (or HF_ENDPOINT)")
        fetch.add_argument("--trust-on-first-use", action="store_true",
                           help="fetch files without a published sha256 and lock the digest they arrive with")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "list":
                self.list()
            else:
                self.fetch(**options)
        except EngineError as exc:
            raise CommandError(exc.message, returncode=1) from exc

    def list(self) -> None:
        self.stdout.write(f"models folder: {models_dir()}")
        for status in models_status():
            spec = status.spec
            state = "present" if status.present else f"missing {len(status.missing)}/{len(spec.files)} files"
            use = "commercial" if spec.commercial_use else "NON-COMMERCIAL"
            self.stdout.write(
                f"{spec.name:<24} {'default' if spec.default else 'optional':<8} {spec.role:<13} {state:<22} "
                f"{_size(status.bytes_on_disk):>9}  {spec.licence} ({use})"
            )

    def fetch(self, *, names: list[str], all: bool, allow_noncommercial: bool, endpoint: str | None,
              trust_on_first_use: bool, **options) -> None:
        if all:
            names = names + [status.spec.name for status in models_status() if status.spec.repo_id
                             and (status.spec.commercial_use or allow_noncommercial)]
        models_fetch(names or None, allow_noncommercial=allow_noncommercial, endpoint=endpoint,
                     trust_on_first_use=trust_on_first_use, on_line=self.stdout.write)


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return ""
