"""The collect report, for people (rich table, ``laporan-pengumpulan.xlsx``) and for
programs (JSON): per file its pegawai, status and every problem with cell and advice,
plus the forms nobody has returned yet."""

from __future__ import annotations

import json
from pathlib import Path

import xlsxwriter

from . import layout as L
from .atomic import atomic_path
from .collect import CollectReport, FileResult
from .model import format_nip
from .texts import Texts, get_texts
from .xlsxtext import write_text


def status_text(r: FileResult, texts: Texts) -> str:
    text = texts.t(f"cli.status.{r.status}")
    if r.superseded_by and texts.has("cli.status.digantikan"):
        text = f"{text}, {texts.t('cli.status.digantikan')}"
    if r.duplicate_of:
        return f"{texts.t('cli.status.duplikat')} ({text})"
    return text


def file_rows(report: CollectReport, texts: Texts) -> list[dict]:
    """One dict per (file, problem) — a file without problems gives one row."""
    rows = []
    for r in report.results:
        base = {"berkas": r.name, "nip": format_nip(r.nip or ""), "nama": r.nama,
                "form_id": r.form_id or "", "revisi": r.revision, "status": status_text(r, texts),
                "duplikat_dari": r.duplicate_of or "", "digantikan_oleh": r.superseded_by or ""}
        base["_status"] = r.status
        if not r.problems:
            rows.append({**base, "sel": "", "indikator": "", "masalah": "", "tindakan": ""})
        for p in r.problems:
            rows.append({**base, "sel": f"{p.sheet}!{p.cell}" if p.cell else "",
                         "indikator": p.indicator, "masalah": p.message(texts),
                         "tindakan": p.advice(texts)})
    return rows


def to_json(report: CollectReport, texts: Texts | None = None) -> str:
    texts = texts or get_texts()
    data = {
        "tahun": report.tahun, "run_id": report.run_id,
        "ringkasan": {"berkas": len(report.results), "diterima": report.count("diterima"),
                      "diterima_catatan": report.count("diterima_catatan"),
                      "ditolak": report.count("ditolak"),
                      "duplikat": sum(1 for r in report.results if r.duplicate_of),
                      "belum_mengumpulkan": len(report.not_submitted)},
        "berkas": [{"berkas": r.name, "sumber": r.source, "anggota_zip": r.member,
                    "sha256": r.sha256, "ukuran": r.size, "status": r.status,
                    "duplikat_dari": r.duplicate_of, "digantikan_oleh": r.superseded_by,
                    "baru": r.new, "tercatat": r.recorded, "form_id": r.form_id,
                    "revisi": r.revision, "nip": r.nip, "nama": r.nama,
                    "terisi": r.filled, "masalah": [p.to_dict(texts) for p in r.problems]}
                   for r in report.results],
        "belum_mengumpulkan": [{"nip": f["nip"], "nama": f["nama"], "jabatan": f["jabatan"],
                                "perangkat_daerah": f["perangkat_daerah"],
                                "unit_kerja": f["unit_kerja"], "form_id": f["form_id"],
                                "revisi": f["revision"]} for f in report.not_submitted],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def write_report_xlsx(report: CollectReport, path: str | Path,
                      texts: Texts | None = None, kertas: str = "A4") -> Path:
    texts = texts or get_texts()
    t = texts.t
    path = Path(path)
    with atomic_path(path) as tmp:
        # Everything a user typed stays text: never a formula or a link.
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                              "text_wrap": True, "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        colours = {"diterima": "#C6EFCE", "diterima_catatan": "#FFEB9C", "ditolak": "#FFC7CE"}
        status_fmt = {k: wb.add_format({"bg_color": v, "valign": "top", "text_wrap": True})
                      for k, v in colours.items()}
        title = wb.add_format({"bold": True, "font_size": 12})
        ws = wb.add_worksheet(t("laporan.sheet_berkas"))
        ws.write_string(0, 0, t("laporan.judul", tahun=report.tahun or ""), title)
        ws.write_string(1, 0, t("cli.kumpul_ringkas", **summary_counts(report)))
        keys = ("berkas", "nip", "nama", "status", "sel", "indikator", "masalah", "tindakan")
        widths = (40, 22, 28, 20, 12, 36, 60, 50)
        for c, (k, w) in enumerate(zip(keys, widths)):
            ws.write_string(3, c, t(f"laporan.kolom.{k}"), head)
            ws.set_column(c, c, w, wrap)
        rows = file_rows(report, texts)
        for i, row in enumerate(rows, start=4):
            for c, k in enumerate(keys):
                value = row.get(k)
                if value in (None, ""):
                    continue
                fmt = status_fmt.get(row["_status"]) if k == "status" else None
                write_text(ws, i, c, value, fmt)
            ws.set_row(i, L.row_height([row.get(k) for k in keys], widths))
        ws.autofilter(3, 0, 3 + max(len(rows), 1), len(keys) - 1)
        ws.freeze_panes(4, 1)
        judul = t("laporan.judul", tahun=report.tahun or "")
        L.setup_print(ws, kertas, t("cetak.halaman", judul=judul), (3, 3))
        miss = wb.add_worksheet(t("laporan.sheet_belum"))
        mkeys = ("nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "form_id")
        for c, k in enumerate(mkeys):
            miss.write_string(0, c, t(f"laporan.kolom_belum.{k}"), head)
            miss.set_column(c, c, (22, 30, 34, 34, 28, 18)[c], wrap)
        for i, f in enumerate(report.not_submitted, start=1):
            values = (format_nip(f["nip"]), f["nama"], f["jabatan"], f["perangkat_daerah"],
                      f["unit_kerja"], f["form_id"])
            for c, v in enumerate(values):
                if v:
                    write_text(miss, i, c, v)
            miss.set_row(i, L.row_height(values, (22, 30, 34, 34, 28, 18)))
        miss.autofilter(0, 0, max(len(report.not_submitted), 1), len(mkeys) - 1)
        miss.freeze_panes(1, 0)
        L.setup_print(miss, kertas, t("cetak.halaman", judul=judul), (0, 0))
        wb.close()
    return path


def summary_counts(report: CollectReport) -> dict:
    return {"total": len(report.results), "ok": report.count("diterima"),
            "note": report.count("diterima_catatan"), "rejected": report.count("ditolak"),
            "dup": sum(1 for r in report.results if r.duplicate_of),
            "missing": len(report.not_submitted)}
