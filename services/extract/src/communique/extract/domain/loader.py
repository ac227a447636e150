"""Reads the dictionary data files (the only module of domain/ that does I/O)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from communique.extract.domain.model import SUPPORTED_LANGUAGES, ActorEntry, CodeInfo, TriggerPattern
from communique.extract.domain.resources import DictionaryRows

PACKAGED_DATA = Path(__file__).resolve().parent.parent / "data"


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a TSV file with a header; `#` comment lines and blank lines skipped."""
    if not path.is_file():
        return []
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    header = [h.strip() for h in lines[0].split("\t")]
    out = []
    for ln in lines[1:]:
        cells = ln.split("\t")
        cells += [""] * (len(header) - len(cells))
        out.append({h: c.strip() for h, c in zip(header, cells[:len(header)], strict=True)})
    return out


# libyaml's parser when PyYAML was built with it: the same documents, ~10x faster to load
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> object:
    if not path.is_file():
        return None
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def _date(s: str) -> date | None:
    s = (s or "").strip()
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def _merged_tsv(rel: str, dirs: list[Path], key: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows from the packaged file then overlays; a later row with the same key replaces the earlier."""
    merged: dict[tuple[str, ...], dict[str, str]] = {}
    for d in dirs:
        for row in read_tsv(d / rel):
            merged[tuple(row.get(k, "") for k in key)] = row
    return list(merged.values())


def load_rows(data_dir: Path = PACKAGED_DATA, overlay_dir: Path | None = None) -> DictionaryRows:
    dirs = [data_dir] + ([overlay_dir] if overlay_dir else [])
    codes: dict[str, CodeInfo] = {}
    for row in _merged_tsv("cameo.tsv", dirs, ("code",)):
        try:
            codes[row["code"]] = CodeInfo(
                code=row["code"], name=row.get("name", ""), goldstein=float(row.get("goldstein") or 0.0),
                quad_class=int(row.get("quad_class") or 1), plover=row.get("plover") or None,
                plover_mode=row.get("plover_mode") or None)
        except (KeyError, ValueError):
            continue
    igos: dict[str, dict[str, str]] = {}
    for d in dirs:
        raw = read_yaml(d / "actors" / "igos.yaml")
        if isinstance(raw, dict):
            for k, v in raw.items():
                igos[str(k)] = v if isinstance(v, dict) else {}
    actors: dict[str, list[tuple[str, ActorEntry]]] = {}
    lexicons: dict[str, list[TriggerPattern]] = {}
    markers: dict[str, dict[str, object]] = {}
    for lang in SUPPORTED_LANGUAGES:
        items: list[tuple[str, ActorEntry]] = []
        for row in _merged_tsv(f"actors/countries/{lang}.tsv", dirs, ("text",)):
            if row.get("code") and row.get("text"):
                items.append((row["text"], ActorEntry(code=row["code"], kind="state", type=row.get("type", "alias"))))
        for row in _merged_tsv(f"actors/igos/{lang}.tsv", dirs, ("text",)):
            if row.get("code") and row.get("text"):
                items.append((row["text"], ActorEntry(code=row["code"], kind="igo", type=row.get("type", "alias"))))
        for row in _merged_tsv(f"actors/titles/{lang}.tsv", dirs, ("text",)):
            if row.get("text"):
                items.append((row["text"], ActorEntry(code=None, kind="state", type="title",
                                                      sector=row.get("sector") or None, role=row.get("role") or None)))
        actors[lang] = items
        lexicons[lang] = [
            TriggerPattern(cameo=row["cameo"], pattern=" ".join(row["pattern"].split()),
                           flags=frozenset(f.strip() for f in row.get("flags", "").split(",") if f.strip()))
            for row in _merged_tsv(f"lexicon/{lang}.tsv", dirs, ("pattern", "cameo"))
            if row.get("cameo") and row.get("pattern")
        ]
        m: dict[str, object] = {}
        for d in dirs:
            raw = read_yaml(d / "markers" / f"{lang}.yaml")
            if isinstance(raw, dict):
                m.update(raw)
        markers[lang] = m
    persons: list[tuple[str, ActorEntry]] = []
    for row in _merged_tsv("actors/persons.tsv", dirs, ("name", "code", "start")):
        if not row.get("name") or not row.get("code"):
            continue
        kind = "igo" if row["code"] in igos else "state"
        entry = ActorEntry(code=row["code"], kind=kind, type="person", sector=row.get("sector") or None,
                           role=row.get("role") or None, name=row["name"],
                           start=_date(row.get("start", "")), end=_date(row.get("end", "")))
        forms = {row["name"]} | {a.strip() for a in row.get("aliases", "").split("|") if a.strip()}
        persons.extend((f, entry) for f in sorted(forms))
    return DictionaryRows(codes=codes, igos=igos, actors=actors, persons=persons, lexicons=lexicons, markers=markers)
