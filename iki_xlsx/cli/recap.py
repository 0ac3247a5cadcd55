"""``recap``: capaian and predikat per indikator, pegawai, unit and period from the
ledger, as a workbook and an HTML page. A thin layer over :mod:`iki_xlsx.recap`."""

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
    workspace_with_forms,
)
from .help import IdCommand


@app.command(cls=IdCommand, help=doc("perintah.recap"))
def recap(periode: Optional[str] = typer.Option(
              None, "--periode", "-p",
              help=doc("opsi.periode")),
          output: Path = typer.Option(Path("output/rekap.xlsx"), "--output", "-o",
                                      help=doc("opsi.output_recap")),
          html: Optional[Path] = typer.Option(None, "--html", help=doc("opsi.html")),
          tahun: Optional[int] = typer.Option(None, "--tahun",
                                              help=doc("opsi.tahun_rekap")),
          only_verified: Optional[bool] = typer.Option(
              None, "--hanya-terverifikasi/--semua-nilai",
              help=doc("opsi.hanya_terverifikasi")),
          jobs: Optional[int] = JobsOpt,
          workspace: Optional[Path] = WorkspaceOpt,
          templates: Optional[Path] = TemplatesOpt) -> None:
    """Recap capaian and predikat per indicator, pegawai and unit from the ledger.

    Example: iki-xlsx recap --periode TW2 -o output/rekap-TW2.xlsx --html output/rekap-TW2.html
    """
    from ..recap import RecapWorkerError, build_recap, write_recap_html, write_recap_xlsx

    texts = load_texts(templates)
    ws = workspace_with_forms(workspace, texts)
    try:
        result = build_recap(ws, tahun=tahun, upto=periode, texts=texts,
                             only_verified=only_verified, jobs=jobs)
    except (ValueError, RecapWorkerError) as exc:  # unknown period or year, a worker
        # process that died: an Indonesian message
        err.print(texts.t("cli.galat_umum", message=str(exc)))
        raise typer.Exit(2)
    write_recap_xlsx(result, output, texts, jobs=jobs)
    if html:
        write_recap_html(result, html, texts)
    t = result.total
    console.print(texts.t("cli.rekap_ringkas", tahun=result.tahun,
                          periode=texts.t(f"form.periode.{result.upto}"), formulir=t.forms,
                          sudah=t.submitted, belum=t.missing,
                          rata=("-" if t.average is None else f"{t.average:.2f}".replace(
                              ".", ","))))
    console.print(texts.t("cli.rekap_ditulis", path=output))
    if html:
        console.print(texts.t("cli.rekap_ditulis", path=html))
