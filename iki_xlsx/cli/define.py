"""``init``, ``validate`` and ``import``: a blank master to fill in Excel, a master checked
(every problem at once, with what its forms would not print whole), and IKI documents
imported into a master to review. Thin layers over :mod:`iki_xlsx.define`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .base import (
    TemplatesOpt,
    app,
    console,
    doc,
    err,
    load_texts,
    missing_paths,
    print_problems,
)
from .help import IdCommand


@app.command(cls=IdCommand, help=doc("perintah.init"))
def init(path: Path = typer.Argument(..., help=doc("opsi.init_path")),
         force: bool = typer.Option(False, "--force", help=doc("opsi.force")),
         templates: Optional[Path] = TemplatesOpt) -> None:
    """Write a blank master workbook to fill in Excel.

    Example: iki-xlsx init master.xlsx
    """
    from ..define import write_master

    texts = load_texts(templates)
    if path.exists() and not force:
        err.print(texts.t("cli.berkas_ada", path=path))
        raise typer.Exit(2)
    write_master(path, None, texts=texts)
    console.print(texts.t("cli.init_selesai", path=path))


def load_checked(master_path: Path, texts):
    """The master read and validated, with what its forms would not print whole."""
    from ..define import load_master
    from ..forms import add_print_warnings

    if not master_path.exists():
        err.print(texts.t("cli.tidak_ditemukan", path=master_path))
        raise typer.Exit(2)
    hint = _not_master(master_path, texts)
    if hint:
        err.print(hint)
        err.print("      → " + texts.t("cli.bukan_master_saran"))
        raise typer.Exit(2)
    loaded = load_master(master_path)
    add_print_warnings(loaded)
    return loaded


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


@app.command(cls=IdCommand, help=doc("perintah.validate"))
def validate(master: Path = typer.Argument(..., help=doc("opsi.master")),
             templates: Optional[Path] = TemplatesOpt) -> None:
    """Validate a master and report every problem at once; generate nothing.

    Example: iki-xlsx validate master.xlsx
    """
    texts = load_texts(templates)
    loaded = load_checked(master, texts)
    print_problems(loaded.problems, texts)
    if not loaded.ok:
        console.print(texts.t("cli.master_tidak_valid", errors=len(loaded.errors),
                              warnings=len(loaded.problems) - len(loaded.errors)))
        raise typer.Exit(1)
    m = loaded.master
    console.print(texts.t("cli.master_valid", pegawai=len(m.assignments), iki=len(m.iki),
                          indikator=sum(len(d.indicators) for d in m.iki.values())))


@app.command("import", cls=IdCommand, help=doc("perintah.import"))
def import_(documents: list[Path] = typer.Argument(..., help=doc("opsi.documents")),
            output: Path = typer.Option(..., "--output", "-o", help=doc("opsi.output_master")),
            tahun: Optional[int] = typer.Option(None, "--tahun", help=doc("opsi.tahun_iki")),
            templates: Optional[Path] = TemplatesOpt) -> None:
    """Import IKI documents (PDF, .docx, or text extracted from PDF/Word) into a master.

    Example: iki-xlsx import dokumen-iki.txt -o master.xlsx
    """
    from ..define import import_documents, summary_text, write_master

    texts = load_texts(templates)
    missing_paths(documents, texts)
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
