"""The officer's decisions over :mod:`iki_xlsx.year`, each with a reason: ``kecualikan`` /
``sertakan`` a file, ``nilai`` to set, clear or release one value; and the ``riwayat`` of
one pegawai (every value, its file, what replaced it, every decision)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..core.matching import indicator_id
from .base import (
    TemplatesOpt,
    WorkspaceOpt,
    app,
    console,
    doc,
    err,
    load_texts,
    say,
    workspace_with_forms,
)
from .help import IdCommand


def _refuse(exc: Exception) -> None:
    err.print(str(exc))
    raise typer.Exit(2)


AlasanOpt = typer.Option(None, "--alasan", "-a", help=doc("opsi.alasan"))


def _file_decision(berkas: str, alasan: Optional[str], workspace, templates, *,
                   include: bool) -> None:
    from ..year import OfficerError, exclude_file

    texts = load_texts(templates)
    ws = workspace_with_forms(workspace, texts)
    try:
        f = exclude_file(ws, berkas, alasan or "", include=include, texts=texts)
    except OfficerError as exc:
        _refuse(exc)
    key = "keputusan.dicatat_sertakan" if include else "keputusan.dicatat_kecualikan"
    say(texts.t(key, berkas=f.name, nama=f.nama, alasan=alasan.strip()))


@app.command(cls=IdCommand, help=doc("perintah.kecualikan"))
def kecualikan(berkas: str = typer.Argument(..., help=doc("opsi.berkas_keputusan")),
               alasan: Optional[str] = AlasanOpt,
               workspace: Optional[Path] = WorkspaceOpt,
               templates: Optional[Path] = TemplatesOpt) -> None:
    """Set a collected file aside: its values stop counting (they stay in the ledger).

    Example: iki-xlsx kecualikan 3fa2c91b --alasan "diisi rekan untuk pegawai lain"
    """
    _file_decision(berkas, alasan, workspace, templates, include=False)


@app.command(cls=IdCommand, help=doc("perintah.sertakan"))
def sertakan(berkas: str = typer.Argument(..., help=doc("opsi.berkas_keputusan")),
             alasan: Optional[str] = AlasanOpt,
             workspace: Optional[Path] = WorkspaceOpt,
             templates: Optional[Path] = TemplatesOpt) -> None:
    """Take a file set aside back: its values count again.

    Example: iki-xlsx sertakan 3fa2c91b --alasan "salah kecualikan"
    """
    _file_decision(berkas, alasan, workspace, templates, include=True)


@app.command(cls=IdCommand, help=doc("perintah.nilai"))
def nilai(nip: str = typer.Argument(..., help=doc("opsi.nip")),
          indikator: str = typer.Argument(..., help=doc("opsi.indikator")),
          periode: str = typer.Argument(..., help=doc("opsi.periode_nilai")),
          isi: Optional[str] = typer.Option(None, "--isi", help=doc("opsi.isi")),
          kosongkan: bool = typer.Option(False, "--kosongkan", help=doc("opsi.kosongkan")),
          lepas: bool = typer.Option(False, "--lepas", help=doc("opsi.lepas")),
          kode: Optional[str] = typer.Option(None, "--kode", help=doc("opsi.kode")),
          alasan: Optional[str] = AlasanOpt,
          workspace: Optional[Path] = WorkspaceOpt,
          templates: Optional[Path] = TemplatesOpt) -> None:
    """Set (``--isi``), clear (``--kosongkan``) or release (``--lepas``) one value of the
    year, with a reason; the decision stands over every file until released.

    Example: iki-xlsx nilai 199001012015031001 2 TW1 --isi 45 --alasan "surat koreksi 12/4"
    """
    from ..core.timeline import CLEAR, RELEASE, SET
    from ..year import OfficerError, decide_value, find_value

    texts = load_texts(templates)
    chosen = [k for k, on in ((SET, isi is not None), (CLEAR, kosongkan), (RELEASE, lepas))
              if on]
    if len(chosen) != 1:
        _refuse(ValueError(texts.t("keputusan.pilih_satu")))
    ws = workspace_with_forms(workspace, texts)
    try:
        ref = find_value(ws, nip, indikator, periode, kode_iki=kode, texts=texts)
        value = decide_value(ws, ref, chosen[0], alasan or "", isi, texts=texts)
    except OfficerError as exc:
        _refuse(exc)
    from ..core.show import number_text

    say(texts.t(f"keputusan.dicatat_{chosen[0]}", nama=ref.form.nama,
                 indikator=ref.name, periode=texts.t(f"form.periode.{ref.period}"),
                 nilai=number_text(value), alasan=alasan.strip()))


@app.command(cls=IdCommand, help=doc("perintah.riwayat"))
def riwayat(nip: str = typer.Argument(..., help=doc("opsi.nip")),
            workspace: Optional[Path] = WorkspaceOpt,
            templates: Optional[Path] = TemplatesOpt) -> None:
    """Every value of one pegawai's forms this year: the file it came from, what
    replaced it, and every decision.

    Example: iki-xlsx riwayat 199001012015031001
    """
    from ..core.show import history_row, number_text, value_source, when
    from ..year import OfficerError, history

    texts = load_texts(templates)
    t = texts.t
    ws = workspace_with_forms(workspace, texts)
    try:
        forms = history(ws, nip, texts)
    except OfficerError as exc:
        _refuse(exc)
    for h in forms:
        f = h.form
        console.print(t("riwayat.formulir", nama=f.nama, jabatan=f.jabatan,
                        kode=f.kode_iki, revisi=f.revision))
        for r in h.revisions:
            console.print(t("riwayat.revisi", revisi=r.revision, status=r.status,
                            waktu=when(r.at)))
        if h.withdrawn_at:
            console.print(t("riwayat.ditarik", waktu=when(h.withdrawn_at)))
        if not h.given:
            console.print(t("riwayat.kosong"))
        for g in h.given:
            console.print(t("riwayat.nilai", indikator=g.indicator,
                            periode=t(f"form.periode.{g.period}"), nilai=number_text(g.value),
                            berkas=g.file, waktu=when(g.saved_at),
                            klaim=when(g.claimed_at) if g.claimed_at else "",
                            tanda=t(f"riwayat.tanda.{g.state}", alasan=g.reason,
                                    oleh=number_text(g.by.value) if g.by else "",
                                    sumber=value_source(g.by, texts) if g.by else "")))
        names = {indicator_id(i): indicator_id(i) for i in range(99)}
        for e in h.events:
            row = [number_text(x) for x in history_row(e, names, texts, h.files)
                   if x not in ("", None)]
            console.print(t("riwayat.kejadian", kejadian=row[0], rincian=" · ".join(row[1:])))
        for name, codes in h.rejected:
            console.print(t("riwayat.ditolak", berkas=name, masalah=", ".join(codes)))
