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
from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .texts import get_texts


def _h(key: str) -> str:
    """Help text from templates/cli.yaml (IKI_XLSX_TEMPLATES overrides it too)."""
    return get_texts().t(f"bantuan.{key}")


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help=_h("aplikasi"))
# markup=False: file names, names and cell values are printed as they are ("[/]" typed
# in a realisasi cell must not be read as rich markup).
console = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

# Options shared by several commands, defined once.
WorkspaceOpt = typer.Option(None, "--workspace", "-w",
                            help=_h("opsi.workspace"))
TemplatesOpt = typer.Option(None, "--templates",
                            help=_h("opsi.templates"))
JobsOpt = typer.Option(None, "--jobs", "-j", min=1, help=_h("opsi.jobs"))


def _texts(templates: Optional[Path]):
    return get_texts(str(templates) if templates else None)


def _print_problems(problems, texts) -> None:
    for p in problems:
        level = texts.t(f"tingkat.{p.severity.value}")
        colour = "red" if p.is_error else "yellow"
        console.print(Text.assemble((level, colour), f" {p.location(texts)}: {p.message(texts)}"))
        advice = p.advice(texts)
        if advice:
            console.print(f"      → {advice}")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True,
                    disable=not err.is_terminal)


@app.command(help=_h("perintah.init"))
def init(path: Path = typer.Argument(..., help=_h("opsi.init_path")),
         force: bool = typer.Option(False, "--force", help=_h("opsi.force")),
         templates: Optional[Path] = TemplatesOpt) -> None:
    """Write a blank master workbook to fill in Excel.

    Example: iki-xlsx init master.xlsx
    """
    from .masterbook import write_master

    texts = _texts(templates)
    if path.exists() and not force:
        err.print(texts.t("cli.berkas_ada", path=path))
        raise typer.Exit(2)
    write_master(path, None, texts=texts)
    console.print(texts.t("cli.init_selesai", path=path))


def _load(master_path: Path, texts):
    from .master import load_master

    if not master_path.exists():
        err.print(texts.t("cli.galat_umum", message=f"{master_path}: berkas tidak ditemukan"))
        raise typer.Exit(2)
    return load_master(master_path)


@app.command(help=_h("perintah.validate"))
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


@app.command(help=_h("perintah.generate"))
def generate(master: Path = typer.Argument(..., help=_h("opsi.master")),
             output: Path = typer.Option(Path("output/forms"), "--output", "-o",
                                         help=_h("opsi.output_forms")),
             workspace: Optional[Path] = WorkspaceOpt,
             jobs: Optional[int] = JobsOpt,
             skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                               help=_h("opsi.skip_invalid")),
             make_zip: bool = typer.Option(False, "--zip",
                                           help=_h("opsi.zip")),
             templates: Optional[Path] = TemplatesOpt) -> None:
    """Generate one locked IKI workbook per (pegawai, IKI) and the distribution list.

    Example: iki-xlsx generate examples/master-bkpsdm-kukar.xlsx -o output/forms
    """
    from .generate import generate_forms
    from .ledger import Workspace

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
    with _progress() as progress:
        task = progress.add_task(texts.t("cli.progres"), total=len(loaded.master.assignments))
        result = generate_forms(loaded.master, output, ws, jobs=jobs,
                                templates_dir=str(templates) if templates else None,
                                make_zip=make_zip,
                                progress=lambda done, total: progress.update(task,
                                                                             completed=done))
    console.print(texts.t("cli.dibuat", n=len(result.forms), folder=output,
                          new=result.count("baru"), revised=result.count("revisi"),
                          same=result.count("sama"), seconds=f"{result.seconds:.1f}"))
    console.print(texts.t("cli.daftar_distribusi", path=result.distribution))
    if result.zips:
        console.print(texts.t("cli.zip_dibuat", n=len(result.zips), folder=output))
    if result.password_file:
        console.print(texts.t("cli.sandi_acak", path=result.password_file))
    if loaded.rejected:
        raise typer.Exit(1)


@app.command("import", help=_h("perintah.import"))
def import_(documents: list[Path] = typer.Argument(..., help=_h("opsi.documents")),
            output: Path = typer.Option(..., "--output", "-o", help=_h("opsi.output_master")),
            tahun: Optional[int] = typer.Option(None, "--tahun", help=_h("opsi.tahun_iki")),
            templates: Optional[Path] = TemplatesOpt) -> None:
    """Import IKI documents (PDF, .docx, or text extracted from PDF/Word) into a master.

    Example: iki-xlsx import dokumen-iki.txt -o master.xlsx
    """
    from .masterbook import write_master
    from .sources import import_documents, summary_text

    texts = _texts(templates)
    missing = [d for d in documents if not d.is_file()]
    if missing:
        err.print(texts.t("cli.galat_umum",
                          message=", ".join(f"{m}: berkas tidak ditemukan" for m in missing)))
        raise typer.Exit(2)
    result = import_documents(documents, tahun=tahun, texts=texts)
    write_master(output, result.master, review=result.review, notes=result.notes,
                 inferred=result.inferred, texts=texts)
    console.print(summary_text(result, texts))
    console.print(str(output))


@app.command(help=_h("perintah.collect"))
def collect(inputs: list[Path] = typer.Argument(..., help=_h("opsi.inputs")),
            workspace: Optional[Path] = WorkspaceOpt,
            tahun: Optional[int] = typer.Option(None, "--tahun",
                                                help=_h("opsi.tahun_formulir")),
            report: Path = typer.Option(Path("output/laporan-pengumpulan.xlsx"), "--report",
                                        help=_h("opsi.report")),
            as_json: bool = typer.Option(False, "--json", help=_h("opsi.json_report")),
            jobs: Optional[int] = JobsOpt,
            templates: Optional[Path] = TemplatesOpt) -> None:
    """Collect returned forms (files, folders, zip archives) into the ledger; report.

    Exit status: 0 all accepted without notes, 1 any rejected or noted, 2 usage error.

    Example: iki-xlsx collect masuk/ lampiran-email.zip
    """
    from .collect import collect as run_collect
    from .ledger import Workspace
    from .report import summary_counts, to_json, write_report_xlsx

    texts = _texts(templates)
    ws = Workspace(workspace)
    if not ws.years():
        err.print(texts.t("cli.tanpa_formulir", path=ws.path))
        raise typer.Exit(2)
    with _progress() as progress:
        task = progress.add_task(texts.t("cli.progres_kumpul"), total=None)
        result = run_collect(inputs, ws, tahun=tahun, jobs=jobs,
                             progress=lambda done, total: progress.update(
                                 task, completed=done, total=total))
    write_report_xlsx(result, report, texts)
    if as_json:
        print(to_json(result, texts))
    else:
        _print_collect(result, texts)
        console.print(texts.t("cli.kumpul_ringkas", **summary_counts(result)))
        console.print(texts.t("cli.laporan_ditulis", path=report))
    raise typer.Exit(result.exit_code)


def _print_collect(result, texts) -> None:
    from rich.table import Table

    from .model import format_nip
    from .report import status_text

    table = Table(show_lines=False, expand=False)
    for key in ("berkas", "nip", "nama", "status", "masalah"):
        table.add_column(Text(texts.t(f"laporan.kolom.{key}")), overflow="fold")
    colour = {"diterima": "green", "diterima_catatan": "yellow", "ditolak": "red"}
    for r in result.results:
        problems = "\n".join(
            f"{p.cell + ': ' if p.cell else ''}{p.message(texts)}" for p in r.problems)
        table.add_row(Text(r.name), Text(format_nip(r.nip or "")), Text(r.nama),
                      Text(status_text(r, texts), style=colour[r.status]), Text(problems))
    console.print(table)


@app.command(help=_h("perintah.check"))
def check(path: Path = typer.Argument(..., help=_h("opsi.check_path")),
          workspace: Optional[Path] = WorkspaceOpt,
          as_json: bool = typer.Option(False, "--json", help=_h("opsi.json_check")),
          templates: Optional[Path] = TemplatesOpt) -> None:
    """Check one file as collect would, recording nothing; without the workspace key
    the signature cannot be checked, and the result says so.

    Example: iki-xlsx check "IKI Budi (revisi).xlsx"
    """
    import json as _json

    from .collect import check_file
    from .ledger import Workspace
    from .report import status_text

    texts = _texts(templates)
    ws = Workspace(workspace)
    result = check_file(path, ws if ws.has_key() else None)
    if as_json:
        print(_json.dumps({"berkas": str(path), "status": result.status,
                           "form_id": result.form_id, "nip": result.nip, "nama": result.nama,
                           "realisasi": result.realisasi,
                           "masalah": [p.to_dict(texts) for p in result.problems]},
                          ensure_ascii=False, indent=2))
    else:
        console.print(texts.t("cli.periksa_judul", path=path, status=status_text(result, texts),
                              nama=result.nama, nip=result.nip or ""))
        _print_problems(result.problems, texts)
    raise typer.Exit(0 if result.status == "diterima" else 1)


@app.command(help=_h("perintah.recap"))
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
    from .ledger import Workspace
    from .recap import build_recap, write_recap_xlsx
    from .recap_html import write_recap_html

    texts = _texts(templates)
    ws = Workspace(workspace)
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


def main() -> None:
    """Entry point: run the app; any unexpected error is one clean line, not a traceback
    (set IKI_XLSX_DEBUG=1 to see it)."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the boundary: library errors become one message
        if os.environ.get("IKI_XLSX_DEBUG"):
            raise
        err.print(get_texts().t("cli.galat_umum", message=f"{type(exc).__name__}: {exc}"))
        sys.exit(1)


if __name__ == "__main__":
    main()
