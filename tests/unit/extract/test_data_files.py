"""Every dictionary file under data/ follows the schema of data/README.md."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from communique.extract.domain.loader import PACKAGED_DATA
from communique.extract.domain.model import SUPPORTED_LANGUAGES

DATA = PACKAGED_DATA
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "data"
ROOTS = [DATA, FIXTURE]

COUNTRY_TYPES = {"name", "short", "adjective", "demonym", "capital", "seat", "alias", "abbrev"}
IGO_TYPES = {"name", "acronym", "alias"}
SECTORS = {"GOV", "MIL", "DIP", "LEG", "JUD", "POL", "BUS", "MED", "CVL", "REB"}
TITLE_SECTORS = {"GOV", "MIL", "DIP", "LEG", "JUD"}
ROLES = {"head_of_state", "head_of_government", "foreign_minister", "defence_minister", "minister", "ambassador",
         "diplomat", "spokesperson", "military", "official", "legislator"}
FLAGS = {"modal", "sym", "visit", "passive", "intent", "noun", "weak", "active", "place"}
MARKER_KEYS = {"target_prep", "infinitive", "home_country", "source_case", "target_case", "place_case",
               "from_case", "genitive_case", "relative", "recent", "private",
               "word_order", "negation", "future", "conditional", "passive_by", "passive_aux", "with", "between",
               "and", "both_sides", "speech", "background", "locative", "pronouns", "third_place",
               "complementizer", "boilerplate"}
ISO3 = re.compile(r"^[A-Z]{3}$")
IGO_CODE = re.compile(r"^[A-Z][A-Z0-9+]{1,15}$")


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if not header:
            header = [c.strip() for c in cells]
            continue
        rows.append((n, cells))
    return header, rows


def _files(pattern: str) -> list[Path]:
    out: list[Path] = []
    for root in ROOTS:
        out.extend(sorted(root.glob(pattern)))
    return out


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(p.parents[3] if "fixtures" in p.parts else DATA.parent)) for p in paths]


def _cameo_codes() -> set[str]:
    _, rows = _rows(DATA / "cameo.tsv")
    return {cells[0].strip() for _, cells in rows}


def _igo_codes() -> set[str]:
    codes: set[str] = set()
    for root in ROOTS:
        path = root / "actors" / "igos.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
        if isinstance(raw, dict):
            codes |= set(map(str, raw))
    return codes


def test_cameo_table() -> None:
    header, rows = _rows(DATA / "cameo.tsv")
    assert header == ["code", "name", "goldstein", "quad_class", "plover", "plover_mode", "plover_context"]
    assert len(rows) > 250
    for n, cells in rows:
        code = cells[0]
        assert re.fullmatch(r"\d{2,4}", code), f"cameo.tsv:{n}: bad code {code!r}"
        assert -10.0 <= float(cells[2]) <= 10.0, f"cameo.tsv:{n}"
        assert cells[3] in {"1", "2", "3", "4"}, f"cameo.tsv:{n}"


@pytest.mark.parametrize("path", _files("actors/countries/*.tsv"), ids=_ids(_files("actors/countries/*.tsv")))
def test_country_files(path: Path) -> None:
    assert path.stem in SUPPORTED_LANGUAGES, f"{path.name}: not a supported language"
    header, rows = _rows(path)
    assert header[:3] == ["code", "type", "text"], f"{path}: header {header}"
    problems = []
    for n, cells in rows:
        if len(cells) < 3 or not cells[2].strip():
            problems.append(f"{n}: expected 3 non-empty columns")
            continue
        if not ISO3.match(cells[0]):
            problems.append(f"{n}: code {cells[0]!r} is not ISO alpha-3")
        if cells[1] not in COUNTRY_TYPES:
            problems.append(f"{n}: type {cells[1]!r}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems[:30])


@pytest.mark.parametrize("path", _files("actors/igos/*.tsv"), ids=_ids(_files("actors/igos/*.tsv")))
def test_igo_files(path: Path) -> None:
    assert path.stem in SUPPORTED_LANGUAGES
    known = _igo_codes()
    header, rows = _rows(path)
    assert header[:3] == ["code", "type", "text"], f"{path}: header {header}"
    problems = []
    for n, cells in rows:
        if len(cells) < 3 or not cells[2].strip():
            problems.append(f"{n}: expected 3 non-empty columns")
            continue
        if cells[0] not in known:
            problems.append(f"{n}: IGO code {cells[0]!r} not in igos.yaml")
        if cells[1] not in IGO_TYPES:
            problems.append(f"{n}: type {cells[1]!r}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems[:30])


def test_igos_yaml() -> None:
    for root in ROOTS:
        path = root / "actors" / "igos.yaml"
        if not path.is_file():
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(raw, dict) and raw, f"{path}: expected a mapping"
        for code, info in raw.items():
            assert IGO_CODE.match(str(code)), f"{path}: bad IGO code {code!r}"
            assert isinstance(info, dict) and info.get("name"), f"{path}: {code} needs a name"


@pytest.mark.parametrize("path", _files("actors/titles/*.tsv"), ids=_ids(_files("actors/titles/*.tsv")))
def test_title_files(path: Path) -> None:
    assert path.stem in SUPPORTED_LANGUAGES
    header, rows = _rows(path)
    assert header[:3] == ["text", "sector", "role"], f"{path}: header {header}"
    problems = []
    for n, cells in rows:
        if len(cells) < 3 or not cells[0].strip():
            problems.append(f"{n}: expected 3 columns")
            continue
        if cells[1] not in TITLE_SECTORS:
            problems.append(f"{n}: sector {cells[1]!r}")
        if cells[2].strip() not in ROLES:
            problems.append(f"{n}: role {cells[2]!r}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems[:30])


@pytest.mark.parametrize("path", _files("actors/persons.tsv"), ids=_ids(_files("actors/persons.tsv")))
def test_persons_file(path: Path) -> None:
    header, rows = _rows(path)
    assert header[:7] == ["name", "aliases", "code", "sector", "role", "start", "end"], f"{path}: header {header}"
    igos = _igo_codes()
    problems = []
    for n, cells in rows:
        cells += [""] * (7 - len(cells))
        name, _aliases, code, sector, role, start, end = (c.strip() for c in cells[:7])
        if not name:
            problems.append(f"{n}: empty name")
        if not (ISO3.match(code) or code in igos):
            problems.append(f"{n}: code {code!r}")
        if sector and sector not in SECTORS:
            problems.append(f"{n}: sector {sector!r}")
        if role and role not in ROLES:
            problems.append(f"{n}: role {role!r}")
        try:
            s = date.fromisoformat(start)
            if end:
                assert date.fromisoformat(end) >= s
        except (ValueError, AssertionError):
            problems.append(f"{n}: dates {start!r}..{end!r}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems[:30])


@pytest.mark.parametrize("path", _files("lexicon/*.tsv"), ids=_ids(_files("lexicon/*.tsv")))
def test_lexicon_files(path: Path) -> None:
    assert path.stem in SUPPORTED_LANGUAGES
    codes = _cameo_codes()
    header, rows = _rows(path)
    assert header[:3] == ["cameo", "pattern", "flags"], f"{path}: header {header}"
    problems = []
    for n, cells in rows:
        cells += [""] * (3 - len(cells))
        cameo, pattern, flags = cells[0].strip(), cells[1].strip(), cells[2].strip()
        if cameo not in codes:
            problems.append(f"{n}: CAMEO code {cameo!r} not in cameo.tsv")
        if not pattern:
            problems.append(f"{n}: empty pattern")
        elif path.stem not in ("zh", "ja") and pattern.split()[0] == "~":
            problems.append(f"{n}: a pattern may not start with ~")
        for f in filter(None, (x.strip() for x in flags.split(","))):
            if f not in FLAGS:
                problems.append(f"{n}: flag {f!r}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems[:30])


@pytest.mark.parametrize("path", _files("markers/*.yaml"), ids=_ids(_files("markers/*.yaml")))
def test_marker_files(path: Path) -> None:
    assert path.stem in SUPPORTED_LANGUAGES
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(raw, dict), f"{path}: expected a mapping"
    unknown = set(raw) - MARKER_KEYS
    assert not unknown, f"{path}: unknown keys {sorted(unknown)}"
    assert str(raw.get("word_order", "SVO")).upper() in {"SVO", "SOV", "VSO"}, f"{path}: word_order"
    for key, value in raw.items():
        if key == "word_order":
            continue
        if key == "home_country":
            assert re.fullmatch(r"[A-Z]{3}", str(value)), f"{path}: home_country must be ISO alpha-3"
            continue
        assert isinstance(value, list) and all(isinstance(v, (str, int)) for v in value), \
            f"{path}: {key} must be a list of strings"
