"""What every command of the CLI shares: the typer app (Indonesian help and usage errors,
:mod:`iki_xlsx.cli.help`), the consoles, the options defined once, the helpers that print
texts from templates/, and finding the workspace a command needs (never creating an
empty one). The commands live in one module per group (see :mod:`iki_xlsx.cli.app`)."""

from __future__ import annotations

import os
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


def usage_error(texts, key: str, **params) -> typer.Exit:
    """An Indonesian usage error line on stderr; raise what it returns (exit status 2)."""
    err.print(texts.t("cli.galat_umum", message=texts.t(key, **params)))
    return typer.Exit(2)


def mail_error(exc: BaseException, texts) -> None:
    """A mail error (:class:`iki_xlsx.collect.MailError`: an IMAP or SMTP server refusing,
    an address missing) becomes one Indonesian line and exit status 2."""
    from ..collect import MailError

    if isinstance(exc, MailError):
        raise usage_error(texts, f"galat.{exc.code}", **exc.params)


# --------------------------------------------------------------------------- the workspace

def origin_of(workspace: Optional[Path], texts) -> str:
    from ..workspace import ENV_VAR

    if workspace:
        return texts.t("ruang_kerja.asal.opsi")
    if os.environ.get(ENV_VAR):
        return texts.t("ruang_kerja.asal.env", env=ENV_VAR)
    return texts.t("ruang_kerja.asal.bawaan")


def nearby_workspaces(*starts: Path, limit: int = 3) -> list[Path]:
    """Workspaces (a folder with the key) near each of ``starts`` (where the command was
    run, the folder it writes into): in a parent folder, or one level below — a child
    that is a workspace or holds one — what the officer probably meant."""
    from ..workspace import DEFAULT_DIR, KEY_FILE

    found = []
    for start in starts:
        start = start.absolute()
        for folder in [start, *start.parents][:6]:
            candidate = folder / DEFAULT_DIR
            if (candidate / KEY_FILE).is_file():
                found.append(candidate)
        try:
            for child in sorted(start.iterdir())[:200]:
                for candidate in (child, child / DEFAULT_DIR):
                    if child.is_dir() and (candidate / KEY_FILE).is_file():
                        found.append(candidate)
        except OSError:
            pass
    return list(dict.fromkeys(found))[:limit]


def existing_workspace(workspace: Optional[Path], texts, *, lost_ok: bool = False):
    """The workspace a command needs to exist: when there is none, say where we looked
    and how to point at the right one (exit 2), never create an empty one. When its key
    exists but its ledger is lost, stop too (see :func:`refuse_lost`)."""
    from ..workspace import Workspace

    ws = Workspace(workspace)
    if not ws.exists():
        err.print(texts.t("ruang_kerja.tidak_ada", path=ws.path.resolve(),
                          asal=origin_of(workspace, texts)))
        for near in nearby_workspaces(Path.cwd()):
            err.print(texts.t("ruang_kerja.mungkin", path=near))
        err.print(texts.t("ruang_kerja.saran"))
        raise typer.Exit(2)
    if not lost_ok:
        refuse_lost(ws, texts)
    return ws


def refuse_lost(ws, texts) -> None:
    """The key exists, the ledger is missing or empty: starting afresh would accept old
    files with false notes and refuse current ones — stop and say how to recover."""
    if ws.ledger_lost():
        err.print(texts.t("ruang_kerja.ledger_hilang", path=ws.path.resolve()))
        raise typer.Exit(2)


def workspace_with_forms(workspace: Optional[Path], texts):
    """The existing workspace (:func:`existing_workspace`) that has issued forms, else
    say so (exit 2)."""
    ws = existing_workspace(workspace, texts)
    if not ws.issued.years():
        err.print(texts.t("cli.tanpa_formulir", path=ws.path))
        raise typer.Exit(2)
    return ws
