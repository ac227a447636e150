"""JSON Schema export of the wire models; the files under ``schemas/`` are checked in."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from communique.contracts.alert import AlertV1
from communique.contracts.article import ArticleV1
from communique.contracts.event import EventV1

MODELS: dict[str, type[BaseModel]] = {
    "article.v1.json": ArticleV1,
    "event.v1.json": EventV1,
    "alert.v1.json": AlertV1,
}


ASYNCAPI_FILE = "asyncapi.json"


def render(model: type[BaseModel]) -> str:
    """The JSON Schema of ``model`` as stable, pretty text."""
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://communique.dev/schemas/{model.__name__}.json"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_dir() -> Path:
    """Folder of the checked-in schema files."""
    return Path(str(resources.files("communique.contracts").joinpath("schemas")))


def write_all(folder: Path | None = None) -> list[Path]:
    """Regenerate every schema file; returns the paths written."""
    folder = folder or schema_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = folder / name
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    from communique.contracts import asyncapi

    path = folder / ASYNCAPI_FILE
    path.write_text(asyncapi.render(), encoding="utf-8")
    written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p)
