"""``verifikasi``: one review workbook per atasan (pejabat penilai) for a period, to be
filled in Excel or LibreOffice and collected like the forms (issue 26). A thin layer
over :func:`iki_xlsx.forms.generate_reviews`."""

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
    progress_bar,
    say,
    workspace_with_forms,
)
from .help import IdCommand


@app.command(cls=IdCommand, help=doc("perintah.verifikasi"))
def verifikasi(periode: str = typer.Option(..., "--periode", "-p",
                                           help=doc("opsi.periode_verifikasi")),
               output: Optional[Path] = typer.Option(None, "--output", "-o",
                                                     help=doc("opsi.output_verifikasi")),
               atasan: Optional[str] = typer.Option(None, "--atasan",
                                                    help=doc("opsi.atasan_verifikasi")),
               tahun: Optional[int] = typer.Option(None, "--tahun",
                                                   help=doc("opsi.tahun_formulir")),
               workspace: Optional[Path] = WorkspaceOpt,
               jobs: Optional[int] = JobsOpt,
               templates: Optional[Path] = TemplatesOpt) -> None:
    """One locked review workbook per atasan for a period: each bawahan's values as
    counted now, to decide Setuju / Kembalikan / Koreksi.

    Example: iki-xlsx verifikasi --periode TW2 -o output/verifikasi-TW2
    """
    from ..forms import generate_reviews

    texts = load_texts(templates)
    ws = workspace_with_forms(workspace, texts)
    try:
        with progress_bar() as progress:
            task = progress.add_task(texts.t("cli.progres"), total=None)
            run = generate_reviews(ws, periode, output, tahun=tahun, atasan=atasan,
                                   jobs=jobs,
                                   templates_dir=str(templates) if templates else None,
                                   progress=lambda done, total: progress.update(
                                       task, completed=done, total=total))
    except ValueError as exc:  # an unknown period, or no bawahan of that atasan
        err.print(texts.t("cli.galat_umum", message=str(exc)))
        raise typer.Exit(2)
    label = texts.t(f"form.periode.{run.plan.period}")
    say(texts.t("verifikasi.hasil", n=len(run.results), periode=label, bawahan=run.bawahan,
                folder=run.out_dir, baru=run.count("baru"), berubah=run.count("berubah"),
                sama=run.count("sama")))
    if run.plan.other_scheme:
        say(texts.t("verifikasi.skema_lain", n=run.plan.other_scheme, periode=label))
    if run.plan.without_atasan:
        say(texts.t("verifikasi.tanpa_atasan", n=len(run.plan.without_atasan)))
        for p in run.plan.without_atasan:
            console.print(texts.t("verifikasi.tanpa_atasan_baris", nama=p.get("nama", ""),
                                  nip=p.get("nip", "")))
