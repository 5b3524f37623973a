"""Import a template pack: one folder per style, holding style.json and the template images
(the format is in the README, "Styles and template packs"). Safe to run again."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...services import pack_import


class Command(BaseCommand):
    help = "Import template packs from DIR/<style_key>/ (style.json plus images); exit status 1 if any file is rejected."

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path, help="the pack: one folder per style, or one style folder")
        parser.add_argument(
            "--replace", action="store_true",
            help="deactivate the catalog templates of each imported style that are no longer in its folder",
        )

    def handle(self, *args, directory: Path, replace: bool, **options) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        lines = pack_import(directory=directory, replace=replace)
        for line in lines:
            self.stdout.write(str(line))
        rejected = sum(line.rejected for line in lines)
        if rejected:
            raise CommandError(f"{rejected} file(s) rejected", returncode=1)
        if not lines:
            self.stdout.write(f"no style folders in {directory}")
