"""`python -m communique.extract code|eval` without the umbrella CLI."""

import click

from communique.extract.cli import code, eval_command


@click.group()
def _group() -> None:
    """Offline extraction commands."""


_group.add_command(code)
_group.add_command(eval_command)

if __name__ == "__main__":
    _group()
