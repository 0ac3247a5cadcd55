"""The recap workbook (xlsxwriter): Ringkasan with charts, Per Pegawai, Per Indikator,
Belum Mengumpulkan and Masalah, from a :class:`~iki_xlsx.recap.build.Recap`.

Every text a user typed is written as a string (never a formula or link), with the
helpers of :mod:`.sheetkit`. The Per Indikator rows of a large recap are written straight
as SpreadsheetML rows after xlsxwriter closes the workbook (:mod:`.inline`).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import xlsxwriter

from ..core.atomic import atomic_path
from ..core.collector import collector_paused
from ..core.model import format_nip
from ..core.sheets import setup_print
from ..core.show import history_row, period_label, status_label
from ..core.textfit import row_height
from ..core.texts import Texts, get_texts
from .build import (
    INDICATOR_STATUSES,
    NOT_COUNTED,
    NOT_SUBMITTED,
    Recap,
)
from .wording import atasan_text, belum_notes
from .closed import sheet_closed
from .direct import DirectRows
from .inline import Deferred
from .indicator_rows import RowPlan
from .rowjobs import RowJobs
from .rowzip import write_spliced
from .sheetkit import (
    WORKBOOK_OPTIONS,
    Formats,
    data_bars,
    fit_row,
    header_row,
    predikat_rules,
    put_identity,
    put_text,
    put_value,
    sheet_title,
    text_rule,
)
from .summary import sheet_summary


FIRST_ROW = 2  # Per Indikator's first data row (0-based), after its title and header


def write_recap_xlsx(recap: Recap, path: str | Path, texts: Texts | None = None, *,
                     jobs: int | None = None) -> Path:
    """Write the recap workbook atomically: Ringkasan, Per Pegawai, Per Indikator,
    Belum Mengumpulkan, Per Atasan, Riwayat, Masalah. Returns ``path``.

    xlsxwriter writes everything, rows streamed (``constant_memory``), except the data rows
    of Per Indikator (one per pegawai × indikator: 250,000 for 10,000 pegawai), which
    :class:`~.inline.InlineRows` writes straight as XML, an order of magnitude faster: in
    ``jobs`` worker processes (default: one per core) while this one writes the other
    sheets, for a large recap (:mod:`.rowjobs`); then put in place of the placeholder row
    xlsxwriter wrote (:func:`~.rowzip.write_spliced`)."""
    texts = texts or get_texts()
    path = Path(path)
    # No reference cycles made here (every object freed as soon as unused): the collector
    # would only walk the recap's millions of objects again (a full pass ~0.6–0.8 s).
    with collector_paused(settle=False), atomic_path(path) as tmp, \
            _closing(indicator_plan(recap, texts), recap, texts, tmp, jobs) as rows:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)  # its row files: system temp
        label = period_label(texts, recap.upto)
        wb.set_properties({"title": texts.t("rekap.judul", tahun=recap.tahun),
                           "subject": texts.t("rekap.subjudul", periode=label),
                           "author": "iki-xlsx"})
        fm = Formats(wb, recap.predikat_labels)
        deferred = None
        for write in (sheet_summary, _sheet_forms, _sheet_indicators, _sheet_missing,
                      _sheet_atasan, _sheet_history, _sheet_problems,
                      *((sheet_closed,) if recap.closed else ())):  # issue 11
            ws = write(wb, recap, texts, fm)
            if isinstance(ws, Deferred):  # the styles its rows (started) wait for
                deferred = ws
                rows.styled(*ws.styles)
                ws = ws.sheet
            setup_print(ws, recap.kertas, texts.t("rekap.footer", tahun=recap.tahun,
                                                  periode=label))
        wb.close()
        number = wb.worksheets().index(deferred.sheet) + 1
        spliced = tmp.with_name(tmp.name + ".rows")
        try:
            write_spliced(tmp, spliced, f"xl/worksheets/sheet{number}.xml", deferred.last,
                          rows.pieces())
            os.replace(spliced, tmp)
        finally:
            spliced.unlink(missing_ok=True)
    return path


@contextmanager
def _closing(plan: RowPlan, recap: Recap, texts: Texts, tmp: Path, jobs: int | None):
    """Per Indikator's rows started before any sheet is written (in workers, for a large
    recap: they measure while the styles are not known), closed on the way out (workers
    stopped, files removed, also on error)."""
    rows = RowJobs(plan, recap.forms, texts, tmp, jobs)
    try:
        yield rows.start(FIRST_ROW)
    finally:
        rows.close()


def _sheet_forms(wb, recap: Recap, texts: Texts, fm: Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.pegawai"))
    keys = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "atasan",
            "indikator_terisi", "indikator_total", "rata_rata", "predikat", "status",
            "terakhir", "form_id")
    periods = recap.periods
    titles = [t(f"rekap.kolom.{k}") for k in keys]
    titles += [t("rekap.kolom.status_periode", periode=period_label(texts, p)) for p in periods]
    titles += [t("rekap.kolom.verifikasi_periode", periode=period_label(texts, p))
               for p in periods]  # issue 26: the atasan's verification
    widths = [6, 22, 30, 32, 30, 26, 34, 10, 10, 13, 15, 22, 17, 18,
              *([14] * (2 * len(periods)))]
    sheet_title(ws, recap, texts, fm, widths)
    header_row(ws, 1, titles, widths, fm)
    out = DirectRows(ws)  # the rows as xlsxwriter writes them, a row at a time
    r = 1
    for i, f in enumerate(recap.forms, start=1):
        r += 1
        put_identity(out, r, i, f, fm)
        out.write_number(r, 7, f.filled, fm.int)
        out.write_number(r, 8, f.total, fm.int)
        put_value(out, r, 9, f.capaian, fm)
        put_value(out, r, 10, f.predikat, fm)
        put_text(out, r, 11, status_label(texts, f.status), fm.text)
        put_value(out, r, 12, f.last_sent, fm)
        put_text(out, r, 13, f.form_id, fm.text)
        for c, p in enumerate(periods, start=len(keys)):
            st = f.period_status.get(p)
            put_text(out, r, c, status_label(texts, st) if st else "", fm.text)
        for c, p in enumerate(periods, start=len(keys) + len(periods)):
            put_text(out, r, c, verification_label(texts, f.verification.get(p)), fm.text)
        fit_row(out, r, f, widths)
    out.close()
    ws.autofilter(1, 0, r, len(titles) - 1)
    ws.freeze_panes(2, 3)
    data_bars(ws, 2, r, 9, max(recap.caps or [120.0]))
    predikat_rules(ws, 2, r, 10, fm)
    for c in (11, *range(len(keys), len(keys) + len(periods))):
        for st in NOT_COUNTED:
            text_rule(ws, 2, r, c, status_label(texts, st), fm.bad)
    for c in range(len(keys) + len(periods), len(titles)):
        text_rule(ws, 2, r, c, verification_label(texts, "dikembalikan"), fm.bad)
    return ws


def verification_label(texts: Texts, status: str | None) -> str:
    """How the atasan's verification of a period reads ("" for nothing to verify)."""
    return texts.t(f"rekap.verifikasi.{status}") if status else ""


def indicator_plan(recap: Recap, texts: Texts) -> RowPlan:
    """Per Indikator's columns (titles aside): their widths, the realisasi periods and the
    status labels; the cells' styles come once xlsxwriter has registered them."""
    t = texts.t
    return RowPlan((22, 28, 24, 5, 40, 50, 12, 14, 11, 11, *([11] * len(recap.periods)), 13,
                    11, 13, 18, 40, 60), tuple(recap.periods),
                   {s: t(f"rekap.status_indikator.{s}") for s in INDICATOR_STATUSES}, (),
                   (), str(texts.override_dir) if texts.override_dir else None)


def _sheet_indicators(wb, recap: Recap, texts: Texts, fm: Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.indikator"))
    keys = ("nip", "nama", "unit_kerja", "no", "sasaran", "indikator", "satuan", "target",
            "polaritas", "agregasi")
    label = period_label(texts, recap.upto)
    titles = [t(f"rekap.kolom.{k}") for k in keys]
    titles += [t("rekap.kolom.realisasi", periode=period_label(texts, p))
               for p in recap.periods]
    titles += [t("rekap.kolom.agregat", periode=label), t("rekap.kolom.capaian"),
               t("rekap.kolom.capaian_tahunan"), t("rekap.kolom.status"),
               t("rekap.kolom.keterangan"), t("rekap.kolom.sumber")]
    plan = indicator_plan(recap, texts)
    widths = list(plan.widths)
    sheet_title(ws, recap, texts, fm, widths)
    header_row(ws, 1, titles, widths, fm)
    status = plan.status
    n_p = len(recap.periods)
    c_cap, c_status = 11 + n_p, 13 + n_p
    numbers = tuple(fm.number(x) for x in (1, 0.5, 0.25))  # 0, 1 and 2 decimals
    last = 1 + sum(f.total for f in recap.forms)
    for c in range(len(titles)):  # placeholder row: sets the dimension
        ws.write_blank(last, c, None, fm.text)
    ws.autofilter(1, 0, last, len(titles) - 1)
    ws.freeze_panes(2, 2)
    data_bars(ws, 2, last, c_cap, max(recap.caps or [120.0]))
    text_rule(ws, 2, last, c_status, status[NOT_SUBMITTED], fm.grey)
    text_rule(ws, 2, last, c_status, status["galat"], fm.bad)
    # xf indices now (registering each format for styles.xml): a format equal to another
    # one shares its index (xlsxwriter sets ``xf_index`` only on the first).
    text = fm.text._get_xf_index()
    return Deferred(ws, last, ((text,) * len(titles),
                                  tuple(f._get_xf_index() for f in numbers)))


def _sheet_missing(wb, recap: Recap, texts: Texts, fm: Formats):
    """Who has not submitted: the recap's period first, then each earlier one."""
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.belum"))
    keys = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "atasan",
            "periode", "status", "terakhir", "catatan")
    widths = [6, 22, 30, 32, 30, 26, 34, 12, 18, 17, 60]
    sheet_title(ws, recap, texts, fm, widths)
    header_row(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    out = DirectRows(ws)  # the rows as xlsxwriter writes them, a row at a time
    r = 1
    i = 0
    for period in reversed(recap.periods):
        for f in recap.missing(period):
            r += 1
            i += 1
            put_identity(out, r, i, f, fm)
            put_text(out, r, 7, period_label(texts, period), fm.text)
            put_text(out, r, 8, status_label(texts, f.period_status[period]), fm.text)
            put_value(out, r, 9, f.last_sent, fm)
            put_text(out, r, 10, belum_notes(f, texts), fm.text)
            fit_row(out, r, f, widths, [belum_notes(f, texts)], [widths[10]])
    out.close()
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 3)
    return ws


def _sheet_atasan(wb, recap: Recap, texts: Texts, fm: Formats):
    """Each atasan with the bawahan whose forms they sign, and their status per period:
    the officer chases late forms through the superiors."""
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.atasan"))
    periods = recap.periods
    label = period_label(texts, recap.upto)
    titles = [t("rekap.kolom.atasan"), t("rekap.kolom.nip"), t("rekap.kolom.nama"),
              t("rekap.kolom.jabatan"), t("rekap.kolom.unit_kerja"),
              *(t("rekap.kolom.status_periode", periode=period_label(texts, p))
                for p in periods), t("rekap.kolom.belum_periode"),
              t("rekap.kolom.verifikasi_periode", periode=label),
              t("rekap.kolom.menunggu_verifikasi", periode=label),
              t("rekap.kolom.dikembalikan_verifikasi", periode=label)]
    widths = [36, 22, 30, 32, 26, *([14] * len(periods)), 12, 16, 14, 14]
    sheet_title(ws, recap, texts, fm, widths)
    header_row(ws, 1, titles, widths, fm)
    groups: dict[tuple, list] = {}
    for f in recap.forms:
        groups.setdefault((f.atasan_nip, f.atasan_nama), []).append(f)
    out = DirectRows(ws)  # the rows as xlsxwriter writes them, a row at a time
    r = 1
    for (_, _), forms in sorted(groups.items(), key=lambda kv: (
            -sum(1 for f in kv[1] if not f.submitted), kv[0][1])):
        head = atasan_text(forms[0]) or t("rekap.tanpa_atasan")
        states = [f.verification.get(recap.upto) for f in forms if f.active]
        waiting, returned = states.count("menunggu"), states.count("dikembalikan")
        for f in forms:
            r += 1
            put_text(out, r, 0, head, fm.text)
            put_text(out, r, 1, format_nip(f.nip), fm.text)
            for c, value in enumerate((f.nama, f.jabatan, f.unit_kerja), start=2):
                put_text(out, r, c, value, fm.text)
            for c, p in enumerate(periods, start=5):
                st = f.period_status.get(p)
                put_text(out, r, c, status_label(texts, st) if st else "", fm.text)
            out.write_number(r, 5 + len(periods), sum(
                1 for p in periods if f.period_status.get(p) in NOT_COUNTED), fm.int)
            put_text(out, r, 6 + len(periods),
                     verification_label(texts, f.verification.get(recap.upto)), fm.text)
            out.write_number(r, 7 + len(periods), waiting, fm.int)  # issue 26: per atasan
            out.write_number(r, 8 + len(periods), returned, fm.int)
            out.set_row(r, row_height([head, f.nama, f.jabatan, f.unit_kerja],
                                      [widths[0], widths[2], widths[3], widths[4]]))
    out.close()
    ws.autofilter(1, 0, r, len(titles) - 1)
    ws.freeze_panes(2, 1)
    for c in range(5, 5 + len(periods)):
        for st in NOT_COUNTED:
            text_rule(ws, 2, r, c, status_label(texts, st), fm.bad)
    return ws


def _sheet_history(wb, recap: Recap, texts: Texts, fm: Formats):
    """What happened to the values: replaced, left blank by a later file, late files of
    an earlier revision, values of removed indikator, the officer's decisions."""
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.riwayat"))
    keys = ("no", "nip", "nama", "kejadian", "indikator", "periode", "nilai_lama",
            "berkas_lama", "nilai_baru", "berkas_baru", "alasan")
    widths = [6, 22, 30, 34, 44, 10, 12, 50, 12, 50, 40]
    sheet_title(ws, recap, texts, fm, widths)
    header_row(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    out = DirectRows(ws)  # the rows as xlsxwriter writes them, a row at a time
    r = 1
    for f in recap.forms:
        if not f.events:  # most forms: nothing happened to their values
            continue
        names = {i.id: f"{i.no}. {i.indikator}".strip(". ") for i in f.indicators}
        for e in f.events:
            r += 1
            row = history_row(e, names, texts, recap.file_labels)
            out.write_number(r, 0, r - 1, fm.int)
            put_text(out, r, 1, format_nip(f.nip), fm.text)
            put_text(out, r, 2, f.nama, fm.text)
            for c, value in enumerate(row, start=3):
                put_value(out, r, c, value, fm)
            out.set_row(r, row_height([f.nama, *row], widths[2:]))
    out.close()
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 3)
    return ws


def _sheet_problems(wb, recap: Recap, texts: Texts, fm: Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.masalah"))
    keys = ("no", "berkas", "nip", "nama", "status_berkas", "dipakai", "tingkat", "sheet",
            "sel", "indikator", "masalah", "saran", "diterima_pada")
    widths = [6, 50, 22, 28, 20, 10, 12, 10, 8, 40, 60, 50, 17]
    sheet_title(ws, recap, texts, fm, widths)
    header_row(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    yes, no = t("rekap.ya"), t("rekap.tidak")
    nameless = t("rekap.tanpa_nama_berkas")
    out = DirectRows(ws)  # the rows as xlsxwriter writes them, a row at a time
    r = 1
    for i, issue in enumerate(recap.files, start=1):
        head = [" | ".join(issue.names) or nameless, format_nip(issue.nip or ""),
                issue.nama or "", status_label(texts, issue.status),
                yes if issue.used else no]
        for p in issue.problems or [{}]:
            r += 1
            out.write_number(r, 0, i, fm.int)
            for c, value in enumerate(head, start=1):
                put_text(out, r, c, value, fm.text)
            severity = p.get("severity") or ""
            key = f"tingkat.{severity}"
            cells = [t(key) if severity and texts.has(key) else severity,
                     p.get("sheet") or "", p.get("cell") or p.get("row"),
                     p.get("indicator") or "", p.get("message") or p.get("code") or "",
                     p.get("advice") or "", issue.first_seen]
            for c, value in enumerate(cells, start=6):
                put_value(out, r, c, value, fm)
            out.set_row(r, row_height([*head, *cells[:-1]], widths[1:12]))
    out.close()
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 2)
    text_rule(ws, 2, r, 4, t("rekap.status.ditolak"), fm.bad)
    if texts.has("tingkat.error"):
        text_rule(ws, 2, r, 6, t("tingkat.error"), fm.bad)
    return ws
