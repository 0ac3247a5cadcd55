"""``backup``, ``restore`` and ``recover``: the whole workspace into one zip and back,
and a lost ledger rebuilt from the form files. Thin layers over :mod:`iki_xlsx.year`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..core.problems import Status
from .base import (
    JobsOpt,
    TemplatesOpt,
    WorkspaceOpt,
    app,
    doc,
    err,
    existing_workspace,
    load_texts,
    missing_paths,
    say,
)
from .help import IdCommand


@app.command(cls=IdCommand, help=doc("perintah.backup"))
def backup(archive: Path = typer.Argument(..., help=doc("opsi.arsip_cadangan")),
           workspace: Optional[Path] = WorkspaceOpt,
           templates: Optional[Path] = TemplatesOpt) -> None:
    """Write the whole workspace into one zip (safe while other commands run)."""
    from ..year import BackupError
    from ..year import backup as run_backup

    texts = load_texts(templates)
    ws = existing_workspace(workspace, texts, lost_ok=True)
    try:
        got = run_backup(ws, archive, texts)
    except BackupError as exc:
        err.print(str(exc))
        raise typer.Exit(2)
    say(texts.t("cadangan.selesai", path=got.path, berkas=got.files,
                 ukuran=f"{got.size / 1e6:.1f}".replace(".", ",")))


@app.command(cls=IdCommand, help=doc("perintah.restore"))
def restore(archive: Path = typer.Argument(..., help=doc("opsi.arsip_cadangan")),
            workspace: Optional[Path] = WorkspaceOpt,
            templates: Optional[Path] = TemplatesOpt) -> None:
    """Restore a backup into an empty workspace folder."""
    from ..workspace import default_workspace
    from ..year import BackupError
    from ..year import restore as run_restore

    texts = load_texts(templates)
    missing_paths([archive], texts)
    try:
        got = run_restore(archive, workspace or default_workspace(), texts)
    except BackupError as exc:
        err.print(str(exc))
        raise typer.Exit(2)
    say(texts.t("cadangan.dipulihkan", path=got.path.resolve(), berkas=got.files))


@app.command(cls=IdCommand, help=doc("perintah.recover"))
def recover(forms: list[Path] = typer.Argument(..., help=doc("opsi.folder_formulir")),
            returned: list[Path] = typer.Option([], "--kembali", "-k",
                                                help=doc("opsi.folder_kembali")),
            workspace: Optional[Path] = WorkspaceOpt,
            jobs: Optional[int] = JobsOpt,
            templates: Optional[Path] = TemplatesOpt) -> None:
    """Rebuild a lost ledger from the generated forms, then collect again."""
    from ..year import RecoveryError
    from ..year import recover as run_recover

    texts = load_texts(templates)
    missing_paths([*forms, *returned], texts)
    ws = existing_workspace(workspace, texts, lost_ok=True)
    try:
        got = run_recover(ws, forms, returned, texts, jobs=jobs)
    except RecoveryError as exc:
        err.print(str(exc))
        raise typer.Exit(2)
    for name, why in got.refused:
        say(texts.t("pulih.ditolak", berkas=name, alasan=why))
    collected = got.collect.count(Status.OK) + got.collect.count(Status.NOTE) \
        if got.collect is not None else 0
    say(texts.t("pulih.selesai", formulir=got.forms, revisi=got.revisions,
                 ditolak=len(got.refused), lain=got.skipped, berkas=collected))
    if got.journal:  # issue 23: the ledger as it was
        say(texts.t("pulih.jurnal", berkas=got.replayed, rusak=got.unread))
        for name in got.lost:
            say(texts.t("pulih.hilang", berkas=name))
        for form_id, revision in got.missing:
            say(texts.t("pulih.revisi_hilang", formulir=form_id, revisi=revision))
    else:
        say(texts.t("pulih.selanjutnya"))
    problems = got.refused or not got.forms or got.lost or got.missing or got.unread
    raise typer.Exit(1 if problems else 0)
