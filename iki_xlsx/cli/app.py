"""Command line: a thin typer layer over the library. Each command parses options, calls
one library function, and prints the result with rich; library problems become clean
Indonesian messages, never tracebacks.

Exit status: 0 success; 1 the input had problems (invalid master, rejected files);
2 usage errors (bad options, missing files).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from ..core.texts import get_texts
from .base import (
    JobsOpt,
    TemplatesOpt,
    WorkspaceOpt,
    _h,
    _missing_paths,
    _print_problems,
    _progress,
    _texts,
    app,
    console,
    err,
)
from .help import IdCommand, version


def _show_version(value: bool) -> None:
    if value:
        console.print(get_texts().t("pemakaian.versi_teks", version=version()))
        raise typer.Exit(0)


@app.callback(help=_h("aplikasi"))
def _root(show_version: bool = typer.Option(False, "--version", is_eager=True,
                                            callback=_show_version,
                                            help=_h("opsi.version"))) -> None:
    """iki-xlsx: the commands below; ``--version`` prints the version."""


@app.command(cls=IdCommand, help=_h("perintah.init"))
def init(path: Path = typer.Argument(..., help=_h("opsi.init_path")),
         force: bool = typer.Option(False, "--force", help=_h("opsi.force")),
         templates: Optional[Path] = TemplatesOpt) -> None:
    """Write a blank master workbook to fill in Excel.

    Example: iki-xlsx init master.xlsx
    """
    from ..define.masterbook import write_master

    texts = _texts(templates)
    if path.exists() and not force:
        err.print(texts.t("cli.berkas_ada", path=path))
        raise typer.Exit(2)
    write_master(path, None, texts=texts)
    console.print(texts.t("cli.init_selesai", path=path))


def _load(master_path: Path, texts):
    from ..define.master import load_master

    if not master_path.exists():
        err.print(texts.t("cli.tidak_ditemukan", path=master_path))
        raise typer.Exit(2)
    hint = _not_master(master_path, texts)
    if hint:
        err.print(hint)
        err.print("      → " + texts.t("cli.bukan_master_saran"))
        raise typer.Exit(2)
    return load_master(master_path)


DOCUMENT_SUFFIXES = {".txt", ".md", ".docx", ".doc", ".rtf", ".pdf", ".odt"}


def _not_master(path: Path, texts) -> str:
    """A message when ``path`` cannot be a master (an IKI document, a picture …), else ""."""
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        return texts.t("cli.bukan_master_dokumen", path=path)
    if path.is_dir():
        return texts.t("cli.bukan_master", path=path, reason="folder")
    if suffix in {".xlsx", ".yaml", ".yml"}:
        return ""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        return ""
    return "" if head.startswith(b"PK") else texts.t("cli.bukan_master", path=path, reason="")


@app.command(cls=IdCommand, help=_h("perintah.validate"))
def validate(master: Path = typer.Argument(..., help=_h("opsi.master")),
             templates: Optional[Path] = TemplatesOpt) -> None:
    """Validate a master and report every problem at once; generate nothing.

    Example: iki-xlsx validate master.xlsx
    """
    texts = _texts(templates)
    loaded = _load(master, texts)
    _print_problems(loaded.problems, texts)
    if not loaded.ok:
        console.print(texts.t("cli.master_tidak_valid", errors=len(loaded.errors),
                              warnings=len(loaded.problems) - len(loaded.errors)))
        raise typer.Exit(1)
    m = loaded.master
    console.print(texts.t("cli.master_valid", pegawai=len(m.assignments), iki=len(m.iki),
                          indikator=sum(len(d.indicators) for d in m.iki.values())))


@app.command(cls=IdCommand, help=_h("perintah.generate"))
def generate(master: Path = typer.Argument(..., help=_h("opsi.master")),
             output: Path = typer.Option(Path("output/forms"), "--output", "-o",
                                         help=_h("opsi.output_forms")),
             workspace: Optional[Path] = WorkspaceOpt,
             jobs: Optional[int] = JobsOpt,
             skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                               help=_h("opsi.skip_invalid")),
             make_zip: bool = typer.Option(False, "--zip",
                                           help=_h("opsi.zip")),
             dry_run: bool = typer.Option(False, "--dry-run", help=_h("opsi.dry_run")),
             fresh_ledger: bool = typer.Option(False, "--ledger-baru",
                                               help=_h("opsi.ledger_baru")),
             closed_upto: Optional[str] = typer.Option(None, "--terisi-sampai",
                                                       help=_h("opsi.terisi_sampai")),
             templates: Optional[Path] = TemplatesOpt) -> None:
    """Generate one locked IKI workbook per (pegawai, IKI) and the distribution list.

    Example: iki-xlsx generate examples/master-bkpsdm-kukar.xlsx -o output/forms
    """
    from ..forms.generate import generate_forms
    from ..workspace.ledger import Workspace

    texts = _texts(templates)
    loaded = _load(master, texts)
    _print_problems(loaded.problems, texts)
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
    from . import wholeyear as whole

    keep = {(r.nip, r.kode_iki) for r in loaded.rejected}
    if not fresh_ledger:
        whole.refuse_lost(ws, texts)
    if dry_run:
        from ..forms.generate_year import dry_run as plan_dry_run

        whole.print_dry_run(plan_dry_run(loaded.master, ws, keep=keep, jobs=jobs,
                                         templates_dir=str(templates) if templates else None),
                            texts)
        raise typer.Exit(0)
    if closed_upto:
        whole.check_closed_upto(closed_upto, loaded.master, texts)
    if not ws.exists():
        console.print(texts.t("ruang_kerja.baru", path=ws.path.resolve()))
    with _progress() as progress:
        task = progress.add_task(texts.t("cli.progres"), total=len(loaded.master.assignments))
        result = generate_forms(loaded.master, output, ws, jobs=jobs,
                                templates_dir=str(templates) if templates else None,
                                make_zip=make_zip, keep=keep, closed_upto=closed_upto,
                                progress=lambda done, total: progress.update(task,
                                                                             completed=done))
    from ..mail.contacts import record_contacts

    record_contacts(ws, loaded.master)
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
    whole.print_withdrawn(result, texts)
    if closed_upto:
        console.print(texts.t("terbit_ulang.dibuat", periode=closed_upto))
    console.print(texts.t("cli.daftar_distribusi", path=result.distribution))
    if result.zips:
        console.print(texts.t("cli.zip_dibuat", n=len(result.zips), folder=output))
    if result.password_file:
        console.print(texts.t("cli.sandi_acak", path=result.password_file))
    if loaded.rejected:
        raise typer.Exit(1)


@app.command("import", cls=IdCommand, help=_h("perintah.import"))
def import_(documents: list[Path] = typer.Argument(..., help=_h("opsi.documents")),
            output: Path = typer.Option(..., "--output", "-o", help=_h("opsi.output_master")),
            tahun: Optional[int] = typer.Option(None, "--tahun", help=_h("opsi.tahun_iki")),
            templates: Optional[Path] = TemplatesOpt) -> None:
    """Import IKI documents (PDF, .docx, or text extracted from PDF/Word) into a master.

    Example: iki-xlsx import dokumen-iki.txt -o master.xlsx
    """
    from ..define.documents import import_documents, summary_text
    from ..define.masterbook import write_master

    texts = _texts(templates)
    _missing_paths(documents, texts)
    result = import_documents(documents, tahun=tahun, texts=texts)
    console.print(summary_text(result, texts))
    if not result.summary["documents"]:  # a scan, a broken PDF: the reason is printed
        err.print(texts.t("impor.ringkasan.tanpa_master"))
        raise typer.Exit(1)
    write_master(output, result.master, review=result.review, notes=result.notes,
                 inferred=result.inferred, texts=texts)
    console.print(str(output))
    if result.failed_files:  # the other files' documents are in the master
        raise typer.Exit(1)


@app.command(cls=IdCommand, help=_h("perintah.recap"))
def recap(periode: Optional[str] = typer.Option(
              None, "--periode", "-p",
              help=_h("opsi.periode")),
          output: Path = typer.Option(Path("output/rekap.xlsx"), "--output", "-o",
                                      help=_h("opsi.output_recap")),
          html: Optional[Path] = typer.Option(None, "--html", help=_h("opsi.html")),
          tahun: Optional[int] = typer.Option(None, "--tahun",
                                              help=_h("opsi.tahun_rekap")),
          workspace: Optional[Path] = WorkspaceOpt,
          templates: Optional[Path] = TemplatesOpt) -> None:
    """Recap capaian and predikat per indicator, pegawai and unit from the ledger.

    Example: iki-xlsx recap --periode TW2 -o output/rekap-TW2.xlsx --html output/rekap-TW2.html
    """
    from ..recap.build import build_recap
    from ..recap.html import write_recap_html
    from ..recap.xlsx import write_recap_xlsx
    from .wholeyear import existing_workspace

    texts = _texts(templates)
    ws = existing_workspace(workspace, texts)
    if not ws.years():
        err.print(texts.t("cli.tanpa_formulir", path=ws.path))
        raise typer.Exit(2)
    try:
        result = build_recap(ws, tahun=tahun, upto=periode, texts=texts)
    except ValueError as exc:  # unknown period or year: an Indonesian message
        err.print(texts.t("cli.galat_umum", message=str(exc)))
        raise typer.Exit(2)
    write_recap_xlsx(result, output, texts)
    if html:
        write_recap_html(result, html, texts)
    t = result.total
    console.print(texts.t("cli.rekap_ringkas", tahun=result.tahun,
                          periode=texts.t(f"form.periode.{result.upto}"), formulir=t.formulir,
                          sudah=t.sudah, belum=t.belum,
                          rata=("-" if t.rata_rata is None else f"{t.rata_rata:.2f}".replace(
                              ".", ","))))
    console.print(texts.t("cli.rekap_ditulis", path=output))
    if html:
        console.print(texts.t("cli.rekap_ditulis", path=html))


from . import collect as cli_collect
from . import portal as cli_portal
from . import wholeyear as cli_wholeyear
from . import year as cli_year
from .mail import register as _register_mail

_register_mail(app, console, err, _h, _texts, _progress, WorkspaceOpt, TemplatesOpt)


def main() -> None:
    """Entry point: run the app (usage errors are Indonesian, exit 2: see
    :class:`~iki_xlsx.cli.help.IdGroup`); any unexpected error is one clean line, not a
    traceback (set IKI_XLSX_DEBUG=1 to see it)."""
    try:
        app(prog_name="iki-xlsx")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the boundary: library errors become one message
        if type(exc).__name__ == "Abort":  # Ctrl+C at a prompt
            sys.exit(130)
        if os.environ.get("IKI_XLSX_DEBUG"):
            raise
        err.print(get_texts().t("cli.galat_umum", message=f"{type(exc).__name__}: {exc}"))
        sys.exit(1)


if __name__ == "__main__":
    main()
