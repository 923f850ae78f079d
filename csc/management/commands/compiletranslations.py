"""Compile every .po file to .mo in pure Python, so no gettext is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

from csc.lib.translations import locale_dirs


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po → .mo) without gettext."

    def handle(self, *args, **options) -> None:
        compiled = 0
        for po_path in sorted(
            p for d in locale_dirs(Path(settings.BASE_DIR)) for p in d.rglob("*.po")
        ):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
        self.stdout.write(f"compiled {compiled} catalogue(s)")
