"""What every command of the CLI shares: the typer app (Indonesian help and usage errors,
:mod:`iki_xlsx.cli.help`), the consoles, the options defined once, and the helpers that
print texts from templates/. The commands live in :mod:`iki_xlsx.cli.app` and
:mod:`iki_xlsx.cli.year`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ..core.texts import get_texts
from .help import IdGroup


def doc(key: str) -> str:
    """Help text from templates/cli.yaml (IKI_XLSX_TEMPLATES overrides it too)."""
    return get_texts().t(f"bantuan.{key}")


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help=doc("aplikasi"), cls=IdGroup, rich_markup_mode=None)
# markup=False: file names, names and cell values are printed as they are ("[/]" typed
# in a realisasi cell must not be read as rich markup).
console = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

# Options shared by several commands, defined once.
WorkspaceOpt = typer.Option(None, "--workspace", "-w",
                            help=doc("opsi.workspace"))
TemplatesOpt = typer.Option(None, "--templates",
                            help=doc("opsi.templates"))
JobsOpt = typer.Option(None, "--jobs", "-j", min=1, help=doc("opsi.jobs"))


def load_texts(templates: Optional[Path]):
    return get_texts(str(templates) if templates else None)


def print_problems(problems, texts) -> None:
    """One line per problem (programs and people grep them), then what to do."""
    for p in problems:
        level = texts.t(f"tingkat.{p.severity.value}")
        colour = "red" if p.is_error else "yellow"
        console.print(Text.assemble((level, colour), f" {p.location(texts)}: {p.message(texts)}"))
        advice = p.advice(texts)
        if advice:
            console.print(f"      → {advice}")


def say(text: str) -> None:
    """A sentence wrapped at spaces to the terminal (at most 120 columns); file paths are
    never cut."""
    import textwrap

    width = min(console.width, 120)
    for line in textwrap.wrap(text, width, break_long_words=False,
                              break_on_hyphens=False) or [""]:
        console.print(line)


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True,
                    disable=not err.is_terminal)


def missing_paths(paths: list[Path], texts) -> None:
    """A path that does not exist is a usage error (exit 2): nothing is read or written."""
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        err.print(texts.t("cli.tidak_ditemukan", path=p))
    if missing:
        raise typer.Exit(2)
