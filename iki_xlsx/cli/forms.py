"""``generate``: the forms of a master (one locked workbook per pegawai and IKI, the
distribution list), ``--dry-run`` to see first what would change, ``--terisi-sampai`` to
re-issue with the closed periods filled in. A thin layer over :mod:`iki_xlsx.forms`."""

from __future__ import annotations

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
    nearby_workspaces,
    origin_of,
    print_problems,
    progress_bar,
    refuse_lost,
    say,
)
from .define import load_checked
from .help import IdCommand


@app.command(cls=IdCommand, help=doc("perintah.generate"))
def generate(master: Path = typer.Argument(..., help=doc("opsi.master")),
             output: Path = typer.Option(Path("output/forms"), "--output", "-o",
                                         help=doc("opsi.output_forms")),
             workspace: Optional[Path] = WorkspaceOpt,
             jobs: Optional[int] = JobsOpt,
             skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                               help=doc("opsi.skip_invalid")),
             make_zip: bool = typer.Option(False, "--zip",
                                           help=doc("opsi.zip")),
             dry_run: bool = typer.Option(False, "--dry-run", help=doc("opsi.dry_run")),
             fresh_ledger: bool = typer.Option(False, "--ledger-baru",
                                               help=doc("opsi.ledger_baru")),
             fresh_workspace: bool = typer.Option(False, "--ruang-kerja-baru",
                                                  help=doc("opsi.ruang_kerja_baru")),
             closed_upto: Optional[str] = typer.Option(None, "--terisi-sampai",
                                                       help=doc("opsi.terisi_sampai")),
             shut_upto: Optional[str] = typer.Option(None, "--tutup",
                                                     help=doc("opsi.tutup")),
             templates: Optional[Path] = TemplatesOpt) -> None:
    """Generate one locked IKI workbook per (pegawai, IKI) and the distribution list.

    Example: iki-xlsx generate examples/master-bkpsdm-kukar.xlsx -o output/forms
    """
    from ..forms import generate_forms
    from ..workspace import Workspace

    texts = load_texts(templates)
    loaded = load_checked(master, texts)
    print_problems(loaded.problems, texts)
    if loaded.master is None or (loaded.errors and not skip_invalid):
        console.print(texts.t("cli.master_tidak_valid", errors=len(loaded.errors),
                              warnings=len(loaded.problems) - len(loaded.errors)))
        if loaded.master is not None:
            console.print(texts.t("cli.master_tidak_valid_saran"))
        raise typer.Exit(1)
    if loaded.rejected:
        console.print(texts.t("cli.dilewati", n=len(loaded.rejected)))
        for r in loaded.rejected:
            console.print("  " + texts.t("cli.dilewati_baris", row=r.row, nip=r.nip,
                                         nama=r.nama, kode=r.kode_iki))
    ws = Workspace(workspace)
    keep = {(r.nip, r.kode_iki) for r in loaded.rejected}
    if not fresh_ledger:
        refuse_lost(ws, texts)
    if not ws.exists() and not fresh_workspace:
        refuse_beside(ws, workspace, output, texts)
    if dry_run:
        from ..forms import dry_run as plan_dry_run

        print_dry_run(plan_dry_run(loaded.master, ws, keep=keep, jobs=jobs,
                                         templates_dir=str(templates) if templates else None),
                            texts)
        raise typer.Exit(0)
    for text in (closed_upto, shut_upto):
        if text:
            check_closed_upto(text, loaded.master, texts)
    if not ws.exists():
        console.print(texts.t("ruang_kerja.baru", path=ws.path.resolve()))
    with progress_bar() as progress:
        task = progress.add_task(texts.t("cli.progres"), total=len(loaded.master.assignments))
        result = generate_forms(loaded.master, output, ws, jobs=jobs,
                                templates_dir=str(templates) if templates else None,
                                make_zip=make_zip, keep=keep, closed_upto=closed_upto,
                                shut_upto=shut_upto,
                                progress=lambda done, total: progress.update(task,
                                                                             completed=done))
    console.print(texts.t("cli.dibuat", n=len(result.forms), folder=output,
                          new=result.count("baru"), revised=result.count("revisi"),
                          back=result.count("kembali"),
                          same=result.count("sama"), seconds=f"{result.seconds:.1f}".replace(".", ",")))
    for p in result.forms:
        if p.matching is not None:
            m = p.matching
            console.print(texts.t("cli.revisi_cocok", nama=p.form.pegawai.nama,
                                  kode=p.form.iki.kode, lama=p.previous, baru=p.revision,
                                  cocok=len(m.pairs), diubah=len(m.pairs) - len(m.by_text),
                                  tambah=", ".join(m.new), hapus=", ".join(m.removed)))
    print_withdrawn(result, texts)
    if closed_upto or shut_upto:
        late = sum(1 for p in result.forms if p.reissue and p.reissue["terlambat"])
        say(texts.t("terbit_ulang.dibuat", periode=closed_upto or shut_upto,
                     ditutup=shut_upto or "", terlambat=late))
    console.print(texts.t("cli.daftar_distribusi", path=result.distribution))
    if result.zips:
        console.print(texts.t("cli.zip_dibuat", n=len(result.zips), folder=output))
    if result.password_file:
        console.print(texts.t("cli.sandi_acak", path=result.password_file))
    if loaded.rejected:
        raise typer.Exit(1)


def refuse_beside(ws, workspace: Optional[Path], output: Path, texts) -> None:
    """A new workspace where one already exists nearby (around the folder the command
    runs in, the output folder or the folder named with --workspace): forms signed with
    a new key would be refused by every other command, so stop, list them and say how
    to choose (exit 2; nothing is created)."""
    here = ws.path.absolute()
    starts = [Path.cwd(), output, here.parent]
    near = [p for p in nearby_workspaces(*starts, limit=5) if p.absolute() != here]
    if not near:
        return
    err.print(texts.t("ruang_kerja.baru_di_dekat", path=ws.path.resolve(),
                      asal=origin_of(workspace, texts)))
    for p in near:
        err.print(texts.t("ruang_kerja.mungkin", path=p))
    err.print(texts.t("ruang_kerja.baru_di_dekat_saran"))
    raise typer.Exit(2)


def check_closed_upto(text: str, master, texts) -> None:
    """``--terisi-sampai``: a period of the year's scheme, else exit 2 (nothing done)."""
    from ..core.capaian import parse_period

    scheme = master.settings.periode
    if parse_period(text, scheme) is None:
        err.print(texts.t("terbit_ulang.periode_salah", periode=text,
                          pilihan=", ".join(scheme.periods)))
        raise typer.Exit(2)


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
