"""The recap as one printable, self-contained HTML page: inline CSS, inline SVG charts, no
script and no external asset. The page is ``templates/rekap.html.j2``; this module only
prepares what it shows (numbers formatted the Indonesian way, chart geometry). Every
text from people — names, units, keterangan, problem messages — is autoescaped by jinja2.
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import atomic_path
from ..core.model import format_nip, format_number
from ..core.problems import Status
from ..core.show import period_label, status_label, when
from ..core.texts import Texts, get_texts
from ..core.timeline import TIDAK_AKTIF
from .build import (
    INDICATOR_STATUSES,
    NOT_SUBMITTED,
    Recap,
    UnitSummary,
    predikat_colours,
)
from .wording import atasan_text, belum_notes, notes
from .closed import closed_rows

TEMPLATE = "rekap.html.j2"
PAGE_SIZE = {"A4": "A4 landscape", "F4": "330mm 215mm"}  # CSS @page size, landscape
DETAIL_LIMIT = 5000  # per-indicator rows shown in the page when ``detail`` is None

CHART_WIDTH = 760
LABEL_WIDTH = 300
BAR_HEIGHT = 18
BAR_GAP = 8


def write_recap_html(recap: Recap, path: str | Path, texts: Texts | None = None, *,
                     detail: bool | None = None) -> Path:
    """Write the HTML report atomically; returns ``path``.

    ``detail``: include the per-indicator table (with keterangan). None: only when it
    has at most :data:`DETAIL_LIMIT` rows (the workbook always has it)."""
    texts = texts or get_texts()
    path = Path(path)
    html = texts.render(TEMPLATE, **context(recap, texts, detail=detail))
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def _num(x: float | None, digits: int = 2) -> str:
    return "" if x is None else format_number(round(x, digits))


def _pct(x: float | None) -> str:
    return "" if x is None else format_number(round(x * 100, 1)) + "%"


def _value(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return format_number(v)
    return str(v)


def _short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _unit_row(s: UnitSummary, labels: list[str]) -> dict:
    return {"pd": s.perangkat_daerah or "", "unit": s.unit_kerja or "", "pegawai": s.people,
            "formulir": s.forms, "sudah": s.submitted, "belum": s.missing,
            "persen": _pct(s.submitted_share), "rata": _num(s.average),
            "predikat": [s.predikat.get(k, 0) for k in labels],
            "belum_dinilai": s.unrated}


def _bar_chart(recap: Recap) -> dict:
    """Horizontal bars: average capaian per unit, 0 … cap, with a line at 100."""
    cap = max(recap.caps or [120.0])
    area = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for i, s in enumerate(recap.units):
        y = 30 + i * (BAR_HEIGHT + BAR_GAP)
        value = s.average
        width = 0.0 if value is None else max(0.0, min(value, cap)) / cap * area
        label = f"{s.unit_kerja} — {s.perangkat_daerah}"
        bars.append({"y": y, "w": round(width, 1), "label": _short(label), "full": label,
                     "value": _num(value, 1) or "–", "text_y": y + BAR_HEIGHT - 5})
    height = 30 + len(bars) * (BAR_HEIGHT + BAR_GAP) + 24
    ticks = [{"x": round(LABEL_WIDTH + v / cap * area, 1), "v": format_number(v)}
             for v in range(0, int(cap) + 1, 20)]
    return {"width": CHART_WIDTH, "height": height, "left": LABEL_WIDTH, "area": area,
            "bars": bars, "ticks": ticks, "bottom": height - 20,
            "full_x": round(LABEL_WIDTH + min(100.0, cap) / cap * area, 1)}


def _predikat_chart(recap: Recap, colours: dict[str, str]) -> dict:
    labels = recap.predikat_labels
    counts = [recap.total.predikat.get(k, 0) for k in labels]
    top = max(counts + [1])
    width, height, base, slot = 480, 260, 210, 440 / max(1, len(labels))
    cols = []
    for i, (label, n) in enumerate(zip(labels, counts)):
        h = n / top * 160
        x = 30 + i * slot + slot * 0.15
        cols.append({"x": round(x, 1), "w": round(slot * 0.7, 1), "y": round(base - h, 1),
                     "h": round(h, 1), "n": n, "label": _short(label, 16), "full": label,
                     "colour": colours[label], "cx": round(x + slot * 0.35, 1)})
    return {"width": width, "height": height, "base": base, "cols": cols}


def context(recap: Recap, texts: Texts, *, detail: bool | None = None) -> dict:
    """Everything the template shows, as plain values."""
    t = texts.t
    labels = recap.predikat_labels
    colours = predikat_colours(labels)
    status = {s: status_label(texts, s) for s in (*(v.value for v in Status), NOT_SUBMITTED,
                                                   TIDAK_AKTIF)}
    ind_status = {s: t(f"rekap.status_indikator.{s}") for s in INDICATOR_STATUSES}
    forms = [{"nip": format_nip(f.nip), "nama": f.nama, "jabatan": f.jabatan,
              "pd": f.perangkat_daerah, "unit": f.unit_kerja, "atasan": atasan_text(f),
              "terisi": f.filled, "total": f.total, "capaian": _num(f.capaian),
              "predikat": f.predikat or "", "colour": colours.get(f.predikat or "", ""),
              "status": status.get(f.status, f.status), "belum": not f.submitted and f.active,
              "terakhir": when(f.last_sent) if f.last_sent else ""}
             for f in recap.forms]
    missing = [{"nip": format_nip(f.nip), "nama": f.nama, "jabatan": f.jabatan,
                "pd": f.perangkat_daerah, "unit": f.unit_kerja, "atasan": atasan_text(f),
                "catatan": belum_notes(f, texts)} for f in recap.not_submitted]
    problems = []
    for issue in recap.files:
        for p in issue.problems or [{}]:
            severity = p.get("severity") or ""
            key = f"tingkat.{severity}"
            problems.append({
                "berkas": " | ".join(issue.names) or t("rekap.tanpa_nama_berkas"),
                "nip": format_nip(issue.nip or ""), "nama": issue.nama or "",
                "status": status_label(texts, issue.status), "ditolak":
                issue.status == Status.REJECTED, "dipakai": t("rekap.ya" if issue.used else
                                                        "rekap.tidak"),
                "tingkat": t(key) if severity and texts.has(key) else severity,
                "tempat": " ".join(filter(None, [p.get("sheet") or "", str(
                    p.get("cell") or p.get("row") or "")])),
                "indikator": p.get("indicator") or "",
                "masalah": p.get("message") or p.get("code") or "",
                "saran": p.get("advice") or ""})
    n_rows = sum(f.total for f in recap.forms)
    show = detail if detail is not None else n_rows <= DETAIL_LIMIT
    details = []
    if show:  # every active form with a value (issue 22): the others are explained
        for f in recap.forms:
            if not f.active or not f.filled:
                continue
            late = "" if f.submitted else t("rekap.html.rincian_belum_periode",
                                            periode=period_label(texts, recap.upto))
            details.append({
                "nip": format_nip(f.nip), "nama": f.nama, "jabatan": f.jabatan,
                "belum": late,
                "rows": [{"no": i.no, "indikator": i.indikator, "satuan": i.satuan,
                          "target": i.target,
                          "vals": [_value(i.values.get(p)) for p in recap.periods],
                          "total": _value(i.total), "capaian": _num(i.capaian),
                          "tahunan": _num(i.progress),
                          "status": ind_status[i.status], "keterangan": i.keterangan or ""}
                         for i in f.indicators]})
    label = period_label(texts, recap.upto)
    return {
        "t": t, "tahun": recap.tahun, "periode": label,
        "judul": t("rekap.judul", tahun=recap.tahun),
        "subjudul": t("rekap.subjudul", periode=label),
        "judul_halaman": t("rekap.html.judul_halaman", tahun=recap.tahun, periode=label),
        "catatan": notes(recap, texts), "labels": labels,
        "label_colours": [colours[k] for k in labels],
        "kartu": {"formulir": recap.total.forms, "pegawai": recap.total.people,
                  "sudah": recap.total.submitted, "belum": recap.total.missing,
                  "persen": _pct(recap.total.submitted_share),
                  "rata_rata": _num(recap.total.average),
                  "masalah": len(recap.files)},
        "units": [_unit_row(s, labels) for s in recap.units],
        "agencies": [_unit_row(s, labels) for s in recap.agencies],
        "total": _unit_row(recap.total, labels),
        "bar": _bar_chart(recap), "pie": _predikat_chart(recap, colours),
        "forms": forms, "missing": missing, "problems": problems,
        "periods": [period_label(texts, p) for p in recap.periods],
        "details": details, "detail_skipped": not show, "detail_rows": n_rows,
        "detail_belum": sum(1 for f in recap.forms if f.active and not f.filled),
        "page_size": PAGE_SIZE.get(recap.kertas, PAGE_SIZE["A4"]),
        "sheet_indikator": t("rekap.sheet.indikator"),
        "closed": closed_rows(recap, texts),  # issue 11: Selesai / Ditarik
    }
