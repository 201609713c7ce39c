"""Import HR's org chart from a CSV file: the same service as the officer's upload page."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from saypro.core.org_import import COLUMNS, org_import_apply, org_import_parse


class Command(BaseCommand):
    help = (
        "Import the org chart from HR's CSV file: people are created or updated by e-mail. "
        "Any bad row refuses the whole file and nothing is written. "
        f"Columns: {', '.join(COLUMNS)}."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8, comma or semicolon separated); - reads standard input.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count the changes, but write nothing."
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        content = self._read(file)
        verbosity = options.get("verbosity", 1)

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"checked {done} of {total} rows")

        summary = org_import_apply(
            parsed=org_import_parse(content=content), by=None, dry_run=dry_run, progress=progress, source=file
        )
        if summary.refused:
            for error in summary.errors:
                self.stderr.write(f"row {error.row}, {error.column or 'whole row'}: {error.reason}")
            bad_rows = len({error.row for error in summary.errors})
            problems = len(summary.errors)
            raise CommandError(
                ngettext("Import refused: %(n)d problem", "Import refused: %(n)d problems", problems) % {"n": problems}
                + ngettext(" on %(n)d row.", " on %(n)d rows.", bad_rows) % {"n": bad_rows}
                + " Nothing was written."
            )
        if dry_run:
            self.stdout.write(f"Dry run, nothing was written. The import would have: {summary.counts()}")
        else:
            self.stdout.write(self.style.SUCCESS(summary.counts()))

    def _read(self, file: str) -> bytes:
        if file == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
