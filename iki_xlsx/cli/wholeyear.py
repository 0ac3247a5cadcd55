"""Commands and CLI helpers of the whole year (issue 11): ``backup``, ``restore``,
``recover``; finding an existing workspace instead of creating an empty one; refusing
to start afresh when the key exists but the ledger is lost; ``generate --dry-run``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from .base import (
    JobsOpt,
    TemplatesOpt,
    WorkspaceOpt,
    app,
    console,
    doc,
    err,
    load_texts,
    missing_paths,
    say,
)
from .help import IdCommand

# --------------------------------------------------------------------------- finding it

def _origin(workspace: Optional[Path], texts) -> str:
    from ..workspace import ENV_VAR

    if workspace:
        return texts.t("ruang_kerja.asal.opsi")
    if os.environ.get(ENV_VAR):
        return texts.t("ruang_kerja.asal.env", env=ENV_VAR)
    return texts.t("ruang_kerja.asal.bawaan")


def _nearby(start: Path) -> list[Path]:
    """Workspaces (a folder with the key) near where the command was run: in a parent
    folder or one level below — what the officer probably meant."""
    from ..workspace import DEFAULT_DIR, KEY_FILE

    found = []
    for folder in [start, *start.parents][:6]:
        candidate = folder / DEFAULT_DIR
        if (candidate / KEY_FILE).is_file():
            found.append(candidate)
    try:
        for child in sorted(start.iterdir())[:200]:
            if child.is_dir() and (child / DEFAULT_DIR / KEY_FILE).is_file():
                found.append(child / DEFAULT_DIR)
    except OSError:
        pass
    return list(dict.fromkeys(found))[:3]


def existing_workspace(workspace: Optional[Path], texts, *, lost_ok: bool = False):
    """The workspace a command needs to exist: when there is none, say where we looked
    and how to point at the right one (exit 2), never create an empty one. When its key
    exists but its ledger is lost, stop too (see :func:`refuse_lost`)."""
    from ..workspace import Workspace

    ws = Workspace(workspace)
    if not ws.exists():
        err.print(texts.t("ruang_kerja.tidak_ada", path=ws.path.resolve(),
                          asal=_origin(workspace, texts)))
        for near in _nearby(Path.cwd()):
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


def check_closed_upto(text: str, master, texts) -> None:
    """``--terisi-sampai``: a period of the year's scheme, else exit 2 (nothing done)."""
    from ..core.capaian import parse_period

    scheme = master.settings.periode
    if parse_period(text, scheme) is None:
        err.print(texts.t("terbit_ulang.periode_salah", periode=text,
                          pilihan=", ".join(scheme.periods)))
        raise typer.Exit(2)


# --------------------------------------------------------------------------- dry run

def print_dry_run(plan, texts) -> None:
    t = texts.t
    console.print(t("kering.judul", n=len(plan.forms), new=plan.count("baru"),
                    revised=plan.count("revisi"), back=plan.count("kembali"),
                    same=plan.count("sama"), again=plan.count("aktif_lagi"),
                    withdrawn=len(plan.withdrawn)))
    for f in plan.forms:
        if f.status == "sama":
            continue
        say("  " + t(f"kering.status.{f.status}", nama=f.nama, nip=f.nip, kode=f.kode_iki,
                      lama=f.previous, baru=f.revision))
        m = f.matching
        if m is not None:
            say("    " + t("cli.revisi_cocok", nama=f.nama, kode=f.kode_iki, lama=f.previous,
                            baru=f.revision, cocok=len(m.pairs),
                            diubah=len(m.pairs) - len(m.by_text), tambah=", ".join(m.new),
                            hapus=", ".join(m.removed)))
    for w in plan.withdrawn:
        say("  " + t("kering.status.ditarik", nama=w.nama, nip=w.nip,
                      kode=w.kode_iki, lama=w.revision, baru=""))
    console.print(t("kering.tidak_dicatat"))


def print_withdrawn(result, texts) -> None:
    for w in result.withdrawn:
        say(texts.t("tarik.ditarik", nama=w.nama, nip=w.nip, kode=w.kode_iki))
    for p in result.forms:
        if p.status == "aktif_lagi":
            say(texts.t("tarik.aktif_lagi", nama=p.form.pegawai.nama,
                         nip=p.form.pegawai.nip, kode=p.form.iki.kode))


# --------------------------------------------------------------------------- commands

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
    collected = got.collect.count("diterima") + got.collect.count("diterima_catatan") \
        if got.collect is not None else 0
    say(texts.t("pulih.selesai", formulir=got.forms, revisi=got.revisions,
                 ditolak=len(got.refused), lain=got.skipped, berkas=collected))
    say(texts.t("pulih.selanjutnya"))
    raise typer.Exit(1 if got.refused or not got.forms else 0)
