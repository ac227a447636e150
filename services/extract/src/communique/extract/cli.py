"""Command-line roles of the extract service: `extract` (Kafka worker), `code`, `eval`."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _coder(overlay_dir: Path | None):  # type: ignore[no-untyped-def]
    from communique.extract.factory import build_coder

    return build_coder("rules", overlay_dir=overlay_dir)


@click.command("code")
@click.option("--input", "input_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSON Lines of articles (id, text, optional title, language, published); default stdin")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="where to write one JSON line per article; default stdout")
@click.option("--overlay-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              envvar="EXTRACT_OVERLAY_DIR", help="extra dictionaries that add to or override the packaged ones")
def code(input_path: Path | None, output_path: Path | None, overlay_dir: Path | None) -> None:
    """Code articles offline: JSON Lines in, {"id", "events"} JSON Lines out, in input order."""
    from communique.extract.offline import code_jsonl

    coder = _coder(overlay_dir)
    inp = open(input_path, encoding="utf-8") if input_path else sys.stdin
    out = open(output_path, "w", encoding="utf-8") if output_path else sys.stdout
    try:
        code_jsonl(inp, out, coder)
    finally:
        if input_path:
            inp.close()
        if output_path:
            out.close()


@click.command("eval")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", default=None, help="score only articles of this language")
@click.option("--overlay-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              envvar="EXTRACT_OVERLAY_DIR")
@click.option("--errors/--no-errors", default=False, help="also list false positives and misses per article")
def eval_command(corpus: Path, language: str | None, overlay_dir: Path | None, errors: bool) -> None:
    """Score the coder on a labelled corpus (event-coding.md §5)."""
    from communique.extract.offline import evaluate

    report = evaluate(corpus, _coder(overlay_dir), language=language)
    click.echo(report.format(errors=errors))


@click.command("extract")
@click.pass_context
def extract(ctx: click.Context) -> None:
    """Run the extract service: consume articles, publish events."""
    from communique.extract.service import main as service_main

    service_main()
