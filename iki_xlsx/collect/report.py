"""The collect report, for people (rich table, ``laporan-pengumpulan.xlsx``) and for
programs (JSON): per file its pegawai, status and every problem with cell and advice,
plus the forms nobody has returned yet."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import xlsxwriter

from ..core.atomic import atomic_path
from ..core.model import format_nip
from ..core.problems import Status
from ..core.sheets import Column, ListFormats, Styled, list_sheet
from ..core.show import history_row, number_text
from ..core.texts import Texts, get_texts
from .mail.shown import mail_json, message_line
from .result import FileResult
from .run import CollectReport


def status_text(r: FileResult, texts: Texts) -> str:
    text = texts.t(f"cli.status.{r.status}")
    if r.duplicate_of:
        return f"{texts.t('cli.status.duplikat')} ({text})"
    return text


def file_rows(report: CollectReport, texts: Texts) -> list[dict]:
    """One dict per (file, problem) — a file without problems gives one row."""
    rows = []
    for r in report.results:
        base = {"berkas": r.name, "nip": format_nip(r.nip or ""), "nama": r.nama,
                "form_id": r.form_id or "", "revisi": r.revision, "status": status_text(r, texts),
                "duplikat_dari": r.duplicate_of or ""}
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
        "ringkasan": {"berkas": len(report.results), Status.OK.value: report.count(Status.OK),
                      Status.NOTE.value: report.count(Status.NOTE),
                      Status.REJECTED.value: report.count(Status.REJECTED),
                      "duplikat": sum(1 for r in report.results if r.duplicate_of),
                      "belum_mengumpulkan": len(report.not_submitted),
                      "tidak_tersimpan": report.not_kept},
        "berkas": [{"berkas": r.name, "sumber": r.source, "anggota_zip": r.member,
                    "sha256": r.sha256, "ukuran": r.size, "status": r.status,
                    "duplikat_dari": r.duplicate_of,
                    "baru": r.new, "tercatat": r.recorded, "form_id": r.form_id,
                    "revisi": r.revision, "nip": r.nip, "nama": r.nama,
                    "terisi": r.filled, "masalah": [p.to_dict(texts) for p in r.problems],
                    **({"surel": r.mail} if r.mail else {}),
                    **({"verifikasi": [{"form_id": v.form_id, "indikator": v.indicator,
                                        "periode": v.period, "keputusan": v.kind,
                                        "nilai": v.value, "umpan_balik": v.note}
                                       for v in r.verifications]}
                       if r.verifications is not None else {})}
                   for r in report.results],
        "verifikasi": review_counts(report),
        "belum_mengumpulkan": [{"nip": f.nip, "nama": f.nama, "jabatan": f.jabatan,
                                "perangkat_daerah": f.perangkat_daerah,
                                "unit_kerja": f.unit_kerja, "form_id": f.form_id,
                                "revisi": f.revision} for f in report.not_submitted],
        "periode": report.period,
        "belum_per_periode": {p: [f.form_id for f in forms]
                              for p, forms in report.missing.items()},
        "status_per_periode": report.statuses,
        "perubahan": [{"form_id": form.form_id, "kejadian": e.kind,
                       "indikator": e.indicator, "periode": e.period,
                       "lama": None if e.old is None else {"nilai": e.old.value,
                                                           "sha256": e.old.sha256},
                       "baru": None if e.new is None else {"nilai": e.new.value,
                                                           "sha256": e.new.sha256}}
                      for form, e in report.changes],
        **mail_json(report, texts),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def write_report_xlsx(report: CollectReport, path: str | Path,
                      texts: Texts | None = None, kertas: str | None = None) -> Path:
    """``laporan-pengumpulan.xlsx``: every file with its problems, who has not submitted
    each period, and the values the run changed; printed on the master's paper
    (``kertas``, by default the report's)."""
    texts = texts or get_texts()
    t = texts.t
    path = Path(path)
    judul = t("laporan.judul", tahun=report.tahun or "")
    page = {"kertas": kertas or report.kertas, "footer": t("cetak.halaman", judul=judul)}
    with atomic_path(path) as tmp:
        # Everything a user typed stays text: never a formula or a link.
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
        fm = ListFormats(wb)
        colours = {Status.OK.value: "#C6EFCE", Status.NOTE.value: "#FFEB9C",
                   Status.REJECTED.value: "#FFC7CE"}
        keys = ("berkas", "nip", "nama", "status", "sel", "indikator", "masalah", "tindakan")
        rows = [[Styled(row[k], fm.variant(bg_color=colours[row["_status"]]))
                 if k == "status" and row["_status"] in colours else row.get(k)
                 for k in keys] for row in file_rows(report, texts)]
        list_sheet(wb, fm, t("laporan.sheet_berkas"), _columns(texts, "laporan.kolom", keys,
                                                               (40, 22, 28, 20, 12, 36, 60, 50)),
                   rows, title=judul, lines=[t("cli.kumpul_ringkas", **summary_counts(report))],
                   freeze_cols=1, **page)
        mkeys = ("periode", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja",
                 "form_id")
        missing = [(t(f"form.periode.{period}"), format_nip(f.nip), f.nama, f.jabatan,
                    f.perangkat_daerah, f.unit_kerja, f.form_id)
                   for period, forms in reversed(list(report.missing.items())) for f in forms]
        list_sheet(wb, fm, t("laporan.sheet_belum"),
                   _columns(texts, "laporan.kolom_belum", mkeys, (10, 22, 30, 34, 34, 28, 18)),
                   missing, **page)
        ckeys = ("nip", "nama", "kejadian", "indikator", "periode", "nilai_lama", "berkas_lama",
                 "nilai_baru", "berkas_baru")
        changes = [[format_nip(form.nip), form.nama, *history_row(e, {}, texts)[:7]]
                   for form, e in report.changes]
        list_sheet(wb, fm, t("laporan.sheet_perubahan"),
                   _columns(texts, "rekap.kolom", ckeys, (22, 30, 34, 10, 10, 12, 50, 12, 50)),
                   changes, **page)
        wb.close()
    return path


def _columns(texts: Texts, prefix: str, keys, widths) -> list[Column]:
    return [Column(texts.t(f"{prefix}.{k}"), w) for k, w in zip(keys, widths)]


def year_lines(report: CollectReport, texts: Texts) -> list[str]:
    """What the run means for the year: the values it changed (old → new, which files),
    and who has not submitted each period yet."""
    t = texts.t
    out = []
    for form, e in report.changes[:MAX_CHANGE_LINES]:
        row = history_row(e, {}, texts)
        out.append(t("cli.perubahan", nama=form.nama, kejadian=row[0], indikator=e.indicator,
                     periode=row[2], lama=number_text(row[3]), berkas_lama=row[4],
                     baru=number_text(row[5]), berkas_baru=row[6]))
    if len(report.changes) > MAX_CHANGE_LINES:
        out.append(t("cli.perubahan_lain", n=len(report.changes) - MAX_CHANGE_LINES))
    for period, forms in report.missing.items():
        out.append(t("cli.belum_periode", periode=t(f"form.periode.{period}"), n=len(forms)))
    return out


MAX_CHANGE_LINES = 20  # on the terminal; the report workbook lists them all


def summary_counts(report: CollectReport) -> dict:
    return {"total": len(report.results), "ok": report.count(Status.OK),
            "note": report.count(Status.NOTE), "rejected": report.count(Status.REJECTED),
            "dup": sum(1 for r in report.results if r.duplicate_of),
            "missing": len(report.not_submitted), "not_kept": report.not_kept}


def review_counts(report: CollectReport) -> dict | None:
    """The review workbooks of the run and the decisions they recorded (issue 26)."""
    rows = [r for r in report.results if r.verifications is not None and r.new
            and not r.duplicate_of]
    if not rows:
        return None
    kinds = [v.kind for r in rows for v in r.verifications]
    return {"berkas": len(rows), "keputusan": len(kinds), "setuju": kinds.count("setuju"),
            "kembalikan": kinds.count("kembalikan"), "koreksi": kinds.count("koreksi"),
            "catatan": kinds.count("catatan")}


# --------------------------------------------------------------------------- terminal

def middle(text: str, width: int) -> str:
    """``text`` cut in the middle to ``width`` characters (``IKI Budi…(revisi).xlsx``): the
    start and the end (with the extension) are what tell files apart."""
    if len(text) <= width:
        return text
    tail = (width - 1) // 2
    head = width - 1 - tail
    return f"{text[:head]}…{text[-tail:]}" if tail else text[:head] + "…"


def short_name(name: str) -> str:
    """The file's own name (``Book1.xlsx``; ``lampiran.zip › IKI.xlsx`` in an archive): the
    folder it was found in is in the xlsx report."""
    parts = name.split(" › ")
    parts[0] = parts[0].replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or parts[0]
    return " › ".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    """Wrapped at spaces; a word longer than the column is cut (it cannot be helped)."""
    lines: list[str] = []
    for para in str(text).splitlines() or [""]:
        lines.extend(textwrap.wrap(para, width, break_on_hyphens=False) or [""])
    return lines


def terminal_status(r: FileResult, texts: Texts) -> str:
    """The status as the terminal shows it: a file recorded by an earlier run says so."""
    text = status_text(r, texts)
    if not r.new and r.recorded:
        text = f"{text}, {texts.t('cli.status_tercatat')}"
    return text


def collect_table(report: CollectReport, texts: Texts, width: int = 80) -> str:
    """The collect report as plain text for a terminal ``width`` columns wide: one row per
    file (number, file name cut in the middle, pegawai, status), the message it came in
    (for a file from mail: sender, date, subject) and its problems under it, wrapped at
    spaces."""
    width = max(60, width)
    num_w, status_w = 3, 20
    name_w = max(16, (width - num_w - status_w - 6) * 11 // 20)
    who_w = width - num_w - name_w - status_w - 6
    t = texts.t

    def row(no: str, name: str, who: list[str], status: list[str]) -> list[str]:
        name_lines = [name]
        out = []
        for i in range(max(len(name_lines), len(who), len(status))):
            cells = (no if i == 0 else "", name_lines[i] if i < len(name_lines) else "",
                     who[i] if i < len(who) else "", status[i] if i < len(status) else "")
            out.append(f"{cells[0]:>{num_w}}  {cells[1]:<{name_w}}  {cells[2]:<{who_w}}  "
                       f"{cells[3]}".rstrip())
        return out

    lines = row(t("cli.kolom_no"), t("laporan.kolom.berkas"), [t("laporan.kolom.nama")],
                [t("laporan.kolom.status")])
    lines.append("-" * width)
    indent = num_w + 2
    for n, r in enumerate(report.results, start=1):
        who = _wrap(r.nama, who_w) if r.nama else []
        if r.nip:
            who.append(format_nip(r.nip))
        name = (r.mail.get("lampiran") or texts.t("kumpul_pesan_tanpa_lampiran")) \
            if r.mail else short_name(r.name)
        lines.extend(row(str(n), middle(name, name_w), who,
                         _wrap(terminal_status(r, texts), status_w)))
        if r.mail:
            lines.append(" " * indent + message_line(r.mail, width - indent, texts))
        for p in r.problems:
            where = f"{p.cell}: " if p.cell else ""
            text = f"{where}{p.message(texts)}"
            wrapped = _wrap(text, width - indent - 2)
            lines.append(" " * indent + "• " + wrapped[0])
            lines.extend(" " * (indent + 2) + w for w in wrapped[1:])
    return "\n".join(lines)


def known_count(report: CollectReport) -> int:
    """Files whose content an earlier run already recorded (nothing new from them)."""
    return sum(1 for r in report.results if not r.new and r.recorded)


def _indicator_of(entry: dict, text: str = ""):
    """An :class:`~iki_xlsx.core.model.Indicator` from a manifest's indicator entry (enough for
    capaian: target, polarity, aggregation, per-period targets)."""
    from ..core.model import Aggregation, Indicator, Polarity, Target

    t = entry.get("target") or {}
    return Indicator(str(entry.get("no", "")), "", text, "", "", str(entry.get("satuan", "")),
                     Target(str(t.get("text", "")), t.get("value"), t.get("low"), t.get("high")),
                     Polarity(entry["polaritas"]), Aggregation(entry["agregasi"]),
                     dict(entry.get("period_targets") or {}))


def check_lines(result: FileResult, manifest: dict | None, texts: Texts,
                names: list[str] | None = None, width: int = 80) -> list[str]:
    """What ``check`` shows per indikator: each period's realisasi as read and the capaian
    s.d. the last filled period (computed with :mod:`iki_xlsx.core.capaian`, as the recap
    does). ``manifest`` gives targets and polarity (the ledger's copy, or the file's own
    when the workspace key is absent); ``names`` the indikator texts when known."""
    from ..core.capaian import capaian_upto
    from ..core.model import MidYear, PeriodScheme, format_number, parse_midyear

    if not result.realisasi or not manifest or "indicators" not in manifest:
        return []
    t = texts.t
    scheme = PeriodScheme(manifest.get("periode", "triwulan"))
    cap = float(manifest.get("batas_capaian") or 120)
    midyear = parse_midyear(str(manifest.get("target_tengah_tahun") or "")) \
        or MidYear.PROPORSIONAL  # (a manifest written before issue 22 has none)
    lines = [t("cli.periksa_nilai")]
    for k, entry in enumerate(manifest["indicators"]):
        got = result.realisasi.get(entry["id"])
        if got is None:
            continue
        name = names[k] if names and k < len(names) else ""
        ind = _indicator_of(entry, name)
        head = t("cli.periksa_indikator", no=k + 1, indikator=name or "",
                 satuan=ind.satuan, target=ind.target.text)
        wrapped = _wrap(head, width - 3)
        lines.append(wrapped[0])
        lines.extend("   " + w for w in wrapped[1:])
        values = got.get("realisasi") or {}
        filled = [p for p in manifest.get("periods", []) if values.get(p) is not None]
        shown = []
        for period in filled:
            v = values[period]
            shown.append(t("cli.periksa_periode", periode=_period(period, texts),
                           nilai=format_number(v) if isinstance(v, (int, float)) else str(v)))
        if filled:
            try:
                c = capaian_upto(values, filled[-1], ind, scheme, cap, midyear=midyear)
            except ValueError:
                c = None
            shown.append(t("cli.periksa_capaian", periode=_period(filled[-1], texts),
                           capaian="-" if c is None else format_number(round(c, 2))))
        else:
            shown.append(t("cli.periksa_capaian_belum"))
        lines.extend("   " + w for w in _wrap("; ".join(shown), width - 3))
    return lines


def _period(code: str, texts: Texts) -> str:
    key = f"form.periode.{code}"
    return texts.t(key) if texts.has(key) else code
