"""The kept table of Norwegian postal codes: lookup and great-circle km."""

from __future__ import annotations

import csv

import pytest

from openings import postal


def test_a_postal_code_is_found_with_its_place_and_point():
    place = postal.lookup("1300")
    assert place is not None
    assert place.place == "Sandvika"
    assert place.latitude == pytest.approx(59.90, abs=0.05)
    assert place.longitude == pytest.approx(10.49, abs=0.05)
    # As people type it: spaces around, or the leading zero lost in a spreadsheet.
    assert postal.lookup(" 0457 ") == postal.lookup("457") == postal.lookup("0457")


@pytest.mark.parametrize("code", ["", None, "abcd", "12345", "9999", "0000"])
def test_an_unknown_or_malformed_code_gives_none(code):
    assert postal.lookup(code) is None
    assert postal.distance_km(code, "0150") is None
    assert postal.distance_km("0150", code) is None


def test_distances_between_postal_codes_are_great_circle_km():
    # Oslo sentrum to Bergen sentrum is about 305 km as the crow flies.
    assert postal.distance_km("0150", "5003") == pytest.approx(305, abs=5)
    # Sandvika to Oslo: about 14 km.
    assert postal.distance_km("1300", "0150") == pytest.approx(14, abs=2)
    assert postal.distance_km("0150", "0150") == 0
    assert postal.distance_km("5003", "0150") == postal.distance_km("0150", "5003")


def test_the_kept_file_is_the_whole_of_norway_once_per_code():
    with postal.DATA_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == postal.HEADER
    codes = [r[0] for r in rows[1:]]
    assert len(codes) > 4500
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 4 and c.isdigit() for c in codes)
    # Inside Norway's bounding box, mainland and Svalbard.
    assert all(57.5 < float(r[2]) < 81 and 4 < float(r[3]) < 32 for r in rows[1:])


def test_the_rebuild_reads_geonames_files(tmp_path):
    source = tmp_path / "NO.txt"
    source.write_text(
        "NO\t0150\tOslo\tOslo\t03\t\t\t\t\t59.9127\t10.7461\t4\n"
        "NO\t1300\tSandvika\tAkershus\t32\t\t\t\t\t59.8979\t10.4906\t\n"
        "SE\t11123\tStockholm\t\t\t\t\t\t\t59.33\t18.06\t4\n",
        encoding="utf-8",
    )
    rows = postal.read_source(source)
    assert rows == [("0150", "Oslo", 59.9127, 10.7461), ("1300", "Sandvika", 59.8979, 10.4906)]
    target = tmp_path / "out.csv"
    try:
        assert postal.write_table(rows, target) == 2
        assert target.read_text(encoding="utf-8").splitlines() == [
            "postal_code,place,latitude,longitude",
            "0150,Oslo,59.9127,10.7461",
            "1300,Sandvika,59.8979,10.4906",
        ]
    finally:
        postal._table.cache_clear()  # the real table is read again by the next test
