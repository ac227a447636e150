"""GDELT rows, API key handling and query helpers: pure code."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from communique.store.api.security import ApiKeyConfigError, find_key, hash_key, new_key, parse_keys
from communique.store.gdelt import COLUMNS, INDEX, ExportFields, GdeltRowError, from_gdelt_row, to_gdelt_row
from communique.store.storage.queries import CursorError, decode_cursor, encode_cursor, search_terms
from tests.store_helpers import event


def test_gdelt_has_61_columns_in_file_order() -> None:
    assert len(COLUMNS) == 61
    assert COLUMNS[:5] == ("GlobalEventID", "Day", "MonthYear", "Year", "FractionDate")
    assert COLUMNS[25:29] == ("IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode")
    assert COLUMNS[-2:] == ("DATEADDED", "SOURCEURL")


def test_export_row_round_trips_through_import() -> None:
    ev = event("art1", "CHN", "KAZ", "042", article_url="https://news.example/1")
    row = to_gdelt_row(ExportFields(ev.model_dump(mode="json"), 3, 2, 3, datetime(2025, 6, 16, 10, tzinfo=UTC),
                                    None))
    assert row[INDEX["Day"]] == "20250616" and row[INDEX["NumSources"]] == "2"
    assert row[INDEX["DATEADDED"]] == "20250616100000" and row[INDEX["AvgTone"]] == ""
    back = from_gdelt_row(row)
    assert (back.source.code, back.target.code if back.target else None, back.cameo) == ("CHN", "KAZ", "042")
    assert back.date == ev.date and back.article_url == "https://news.example/1"


@pytest.mark.parametrize("cells", [["1", "2"], ["x"] * 61])
def test_bad_gdelt_rows_are_rejected(cells: list[str]) -> None:
    with pytest.raises(GdeltRowError):
        from_gdelt_row(cells)


def test_keys_are_hashed_and_scoped() -> None:
    secret, digest = new_key()
    assert digest == hash_key(secret) and secret not in digest
    keys = parse_keys(json.dumps([{"name": "a", "sha256": digest, "scopes": ["admin"]},
                                  {"name": "b", "sha256": hash_key("other")}]), "test")
    found = find_key(keys, secret)
    assert found is not None and found.name == "a" and found.allows("read") and found.allows("admin")
    reader = find_key(keys, "other")
    assert reader is not None and reader.allows("read") and not reader.allows("admin")
    assert find_key(keys, "nope") is None


@pytest.mark.parametrize("raw", ["not json", '[{"name": "a"}]', '[{"name": "a", "sha256": "short"}]',
                                 f'[{{"name": "a", "sha256": "{"0" * 64}", "scopes": ["write"]}}]'])
def test_invalid_key_configuration(raw: str) -> None:
    with pytest.raises(ApiKeyConfigError):
        parse_keys(raw, "STORE_API_KEYS")


def test_cursors_and_search_terms() -> None:
    assert decode_cursor(encode_cursor("a", "b"), 2) == ["a", "b"]
    for bad in ["%%%", encode_cursor("a"), encode_cursor("a\x00", "b")]:
        with pytest.raises(CursorError):
            decode_cursor(bad, 2)
    assert search_terms('Xi "met" OR Tokayev*') == ["Xi", "met", "OR", "Tokayev"]
    assert search_terms("!!! ...") == []
