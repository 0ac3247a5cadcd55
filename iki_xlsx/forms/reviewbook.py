"""An atasan's review workbook (issue 26), cell by cell, and writing it: a ``Petunjuk``
sheet listing the bawahan, then one sheet per bawahan in the official layout (title with
the period, PEGAWAI YANG DINILAI | PEJABAT PENILAI KINERJA, the table of indikator as
counted now, the overall note, the atasan's signature block), print-ready on the
master's paper; only KEPUTUSAN, NILAI KOREKSI, UMPAN BALIK and the note are editable;
the workbook's structure and every sheet locked; a very hidden, signed manifest (made
by :mod:`.reviewgen`, which runs this in worker processes).

Longer than 400 lines because a review sheet is one layout read top to bottom (title,
people, the table with its choices and checks, the note, the signature block), like the
form's own :mod:`.layout`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.atomic import atomic_path
from ..core.model import format_nip, pangkat_golongan_text
from ..core.sheets import setup_print
from ..core.show import period_label
from ..core.textfit import (
    FONT,
    FONT_SIZE,
    MAX_ROW_HEIGHT,
    height_for,
    row_height,
    text_lines,
)
from ..core.texts import Texts
from ..core.xlsxtext import limit, merge_text, write_text
from . import layout as L
from .planning import first_free
from .review import ReviewBlock, ReviewBook, ReviewRow
from .workbook import LayoutSheet, ProtectedWorkbook, write_manifest_sheet

SHEET_GUIDE = "Petunjuk"
# NO, INDIKATOR, SATUAN, TARGET, REALISASI, CAPAIAN, SUMBER, KETERANGAN, STATUS,
# KEPUTUSAN, NILAI KOREKSI, UMPAN BALIK (Excel character units)
COLUMNS = ("no", "indikator", "satuan", "target", "realisasi", "capaian", "sumber",
           "keterangan", "status", "keputusan", "koreksi", "umpan_balik")
WIDTHS = (5, 34, 10, 11, 11, 11, 24, 26, 15, 13, 11, 30)
C_KEPUTUSAN, C_KOREKSI, C_UMPAN = 9, 10, 11
LAST_COL = len(COLUMNS) - 1
STYLES = {**L.STYLES,
          "td_number": {"valign": "vcenter", "align": "center", "border": 1,
                        "num_format": "#,##0.##", "text_wrap": True},
          "td_small": {"valign": "vcenter", "text_wrap": True, "border": 1, "font_size": 8},
          "note_input": {"valign": "top", "text_wrap": True, "border": 1, "locked": False,
                         "bg_color": "#FFF2CC"}}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


@dataclass
class BlockLayout:
    """One bawahan's sheet: its cells and inputs, and where the reader looks."""

    sheet: str
    cells: list[L.Cell] = field(default_factory=list)
    inputs: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, kind)
    heights: dict[int, float] = field(default_factory=dict)
    header_row: int = 0
    first_row: int = 0
    last_row: int = 0  # of the whole sheet
    rows: list[list[str]] = field(default_factory=list)  # per indikator: 3 input refs
    note: str = ""  # the overall note's cell
    identity: dict[str, str] = field(default_factory=dict)  # atasan nama / nip → ref
    period_cell: str = ""

    def locked_values(self) -> dict[str, object]:
        """Every locked cell that shows a value (as :meth:`FormLayout.locked_values`)."""
        return {c.ref: float(c.value) if isinstance(c.value, (int, float)) else c.value
                for c in self.cells if c.value is not None and c.value != ""}


def sheet_names(blocks: list[ReviewBlock]) -> list[str]:
    """``1. Nama Pegawai`` per bawahan: valid sheet names (≤ 31 characters, none of
    ``[]:*?/\\``), unique whatever the case."""
    used = {SHEET_GUIDE.casefold(), L.SHEET_MANIFEST.casefold()}
    out = []
    for i, block in enumerate(blocks, start=1):
        name = _SHEET_BAD.sub(" ", str(block.pegawai.get("nama") or "")).strip(" '")
        base = f"{i}. {' '.join(name.split())}"[:31].rstrip(" '") or str(i)
        out.append(first_free(base, lambda n: f"{base[:27]} ({n})", used))
    return out


def _colon(value: object) -> str:
    text = str(value or "").strip()
    return f": {text}" if text else ":"


def _span(c0: int, c1: int) -> float:
    return sum(WIDTHS[c0:c1 + 1]) + (c1 - c0) * 0.7


class _Sheet:
    def __init__(self, book: ReviewBook, block: ReviewBlock, name: str, texts: Texts):
        self.book, self.block, self.texts, self.t = book, block, texts, texts.t
        self.lay = BlockLayout(name)
        self.label = period_label(texts, book.period)
        self.r = 0

    def put(self, r, c, value, style, last_row=None, last_col=None) -> None:
        self.lay.cells.append(L.Cell(r, c, value, style, last_row, last_col))

    def fit(self, r: int, text: str, c0: int, c1: int, bold: bool = False) -> None:
        need = height_for(text_lines(text, _span(c0, c1), bold))
        self.lay.heights[r] = min(MAX_ROW_HEIGHT, max(self.lay.heights.get(r, 0), need))

    def title(self) -> None:
        b, t = self.book, self.t
        self.put(0, 0, t("verifikasi.lembar.judul"), "title", 0, LAST_COL)
        self.lay.heights[0] = 18
        self.put(1, 0, t("verifikasi.lembar.periode", tahun=b.tahun, periode=self.label),
                 "subtitle", 1, LAST_COL)
        self.lay.period_cell = L.cell_ref(1, 0)
        self.r = 2
        for heading in (b.settings.get("instansi"), b.settings.get("pemerintah_daerah")):
            if heading:
                self.put(self.r, 0, str(heading).upper(), "subtitle", self.r, LAST_COL)
                self.fit(self.r, str(heading).upper(), 0, LAST_COL, bold=True)
                self.r += 1
        self.r += 1

    def identity(self) -> None:
        """PEGAWAI YANG DINILAI on the left, PEJABAT PENILAI KINERJA on the right."""
        t, peg, ats = self.t, self.block.pegawai, self.book.atasan
        self.put(self.r, 0, t("verifikasi.lembar.pegawai"), "label_bold", self.r, 5)
        self.put(self.r, 6, t("verifikasi.lembar.atasan"), "label_bold", self.r, LAST_COL)
        self.r += 1
        status = self.t("verifikasi.lembar.status_isi", status=self.t(
            f"rekap.status.{self.block.period_status}"), terisi=self.block.filled,
            total=len(self.block.rows))
        lines = (("nama", peg.get("nama"), ats.get("nama")),
                 ("nip", format_nip(str(peg.get("nip") or "")),
                  format_nip(str(ats.get("nip") or ""))),
                 ("pangkat", _pangkat(peg), _pangkat(ats)),
                 ("jabatan", peg.get("jabatan"), ats.get("jabatan")),
                 ("unit_kerja", peg.get("unit_kerja") or peg.get("perangkat_daerah"),
                  ats.get("unit_kerja") or ats.get("perangkat_daerah")),
                 ("status", status, None))
        for key, left, right in lines:
            label = self.t("verifikasi.lembar.status_periode", periode=self.label) \
                if key == "status" else t(f"form.identitas.{key}")
            self.put(self.r, 0, label, "label", self.r, 1)
            self.put(self.r, 2, _colon(left), "value", self.r, 5)
            self.fit(self.r, _colon(left), 2, 5)
            if key != "status":
                self.put(self.r, 6, label, "label")
                self.put(self.r, 7, _colon(right), "value", self.r, LAST_COL)
                self.fit(self.r, _colon(right), 7, LAST_COL)
                if key in ("nama", "nip"):
                    self.lay.identity[f"atasan_{key}"] = L.cell_ref(self.r, 7)
            self.r += 1
        self.r += 1

    def table(self) -> None:
        t, r = self.t, self.r
        titles = [t(f"verifikasi.lembar.kolom.{k}", periode=self.label) for k in COLUMNS]
        for c, title in enumerate(titles):
            self.put(r, c, title, "th")
        self.lay.heights[r] = height_for(max(text_lines(x, w, True)
                                               for x, w in zip(titles, WIDTHS)))
        self.lay.header_row = r
        self.r += 1
        self.lay.first_row = self.r
        for row in self.block.rows:
            self.indicator(row)

    def indicator(self, row: ReviewRow) -> None:
        r, t = self.r, self.t
        status = t(f"verifikasi.status.{row.status or 'kosong'}")
        if row.feedback and row.status in ("dikembalikan", "verifikasi_ulang"):
            status = t("verifikasi.status_umpan_balik", status=status,
                       umpan_balik=row.feedback)
        value = row.realisasi
        shown = (row.no, row.indikator, row.satuan, row.target,
                 value if isinstance(value, (int, float)) or value is None else str(value),
                 None if row.capaian is None else round(row.capaian, 2), row.source_text,
                 row.keterangan, status)
        styles = ("td_center", "td", "td_center", "td_number", "td_number", "capaian",
                  "td_small", "td", "td_small")
        for c, (value, style) in enumerate(zip(shown, styles)):
            self.put(r, c, value, style)
        kind = "choice" if row.polaritas == "ya/tidak" else "number"
        self.lay.inputs += [(r, C_KEPUTUSAN, "decision"), (r, C_KOREKSI, kind),
                            (r, C_UMPAN, "text")]
        self.lay.rows.append([L.cell_ref(r, c) for c in (C_KEPUTUSAN, C_KOREKSI, C_UMPAN)])
        need = max(text_lines(str(x or ""), w - 1.5) for x, w in zip(
            (row.indikator, row.source_text, row.keterangan, status, row.target),
            (WIDTHS[1], WIDTHS[6] * 1.2, WIDTHS[7], WIDTHS[8] * 1.2, WIDTHS[3])))
        self.lay.heights[r] = height_for(max(2, need))
        self.r += 1

    def note(self) -> None:
        self.r += 1
        text = self.t("verifikasi.lembar.catatan", periode=self.label)
        self.put(self.r, 0, text, "label_bold", self.r, LAST_COL)
        self.r += 1
        self.lay.note = L.cell_ref(self.r, 0)
        self.lay.inputs.append((self.r, 0, "note"))
        self.lay.heights[self.r] = height_for(3)
        self.r += 2

    def signature(self) -> None:
        """The atasan's block, in ONE row (a row is never split over two pages): place
        and a date to write, role, jabatan, room to sign, the name bold and underlined,
        pangkat, NIP."""
        b, t = self.book, self.t
        ats = b.atasan
        c0, c1 = 7, LAST_COL
        width = _span(c0, c1)
        date = t("verifikasi.lembar.tanggal", tempat=b.settings.get("tempat") or "",
                 tahun=b.tahun)
        jabatan = str(ats.get("jabatan") or "")
        nip = t("verifikasi.lembar.nip", nip=format_nip(str(ats.get("nip")))) \
            if ats.get("nip") else ""
        top = f"{date}\n{t('verifikasi.lembar.penilai')}\n{jabatan}\n\n\n\n\n"
        tail = f"\n{_pangkat(ats)}\n{nip}"
        # Gnumeric drops line breaks at either end of a rich-text run on re-save: a
        # zero-width space guards each end (as on the form).
        segments = ((None, f"{L.ZWSP}{top}{L.ZWSP}"),
                    ("sign_name", str(ats.get("nama") or L.ZWSP)),
                    (None, f"{L.ZWSP}{tail}{L.ZWSP}"))
        lines = (text_lines(date, width) + 1 + text_lines(jabatan, width) + 5
                 + text_lines(str(ats.get("nama") or ""), width, True) + 2)
        self.lay.heights[self.r] = min(MAX_ROW_HEIGHT, height_for(lines))
        self.lay.cells.append(L.Cell(self.r, c0, "".join(x for _, x in segments), "sign",
                                     self.r, c1, rich=segments))
        self.lay.last_row = self.r


def _pangkat(person: dict) -> str:
    return pangkat_golongan_text(str(person.get("pangkat") or ""),
                                 str(person.get("golongan") or ""))


def block_layout(book: ReviewBook, block: ReviewBlock, name: str,
                 texts: Texts) -> BlockLayout:
    sheet = _Sheet(book, block, name, texts)
    sheet.title()
    sheet.identity()
    sheet.table()
    sheet.note()
    sheet.signature()
    return sheet.lay


# --------------------------------------------------------------------------- writing

def write_review(path: str, book: ReviewBook, layouts: list[BlockLayout],
                 manifest_text: str, password: str, texts: Texts) -> str:
    """Write one review workbook atomically; returns its path."""
    with atomic_path(path) as tmp:
        wb = ProtectedWorkbook(str(tmp), {"in_memory": True})
        wb.structure_password = password
        label = period_label(texts, book.period)
        wb.set_properties({"title": texts.t("verifikasi.lembar.judul"),
                           "subject": f"{book.atasan.get('nama', '')} — {label}",
                           "author": "iki-xlsx"})
        base = {"font_name": FONT, "font_size": FONT_SIZE}
        formats = {name: wb.add_format({**base, **props}) for name, props in STYLES.items()}
        _write_guide(wb.add_worksheet(SHEET_GUIDE), book, layouts, texts, formats, password)
        for block, lay in zip(book.blocks, layouts):
            _write_block(wb.add_worksheet(lay.sheet, worksheet_class=LayoutSheet), book, block,
                         lay, texts, formats, password)
        write_manifest_sheet(wb, manifest_text, password)
        wb.close()
    return path


def _write_cells(ws: LayoutSheet, cells: list[L.Cell], formats) -> None:
    for cell in cells:
        fmt = formats[cell.style]
        merged = cell.last_row is not None and (cell.last_row, cell.last_col) != (
            cell.row, cell.col)
        if merged:
            _merge(ws, cell, fmt, BORDERED.get(cell.style, False))
        value = cell.value
        if cell.rich:
            parts = []
            for style, text in cell.rich:
                parts += [formats[style or cell.style], limit(text)]
            ws.rich(cell.row, cell.col, parts, fmt)
        elif isinstance(value, (int, float)):
            ws.number(cell.row, cell.col, value, fmt)
        else:
            ws.text(cell.row, cell.col, value or "", fmt)


# Styles whose merged cells draw a border: every covered cell carries the format.
BORDERED = {name: bool(props.get("border")) for name, props in STYLES.items()}


def _merge(ws: LayoutSheet, cell: L.Cell, fmt, bordered: bool) -> None:
    """Register a merged range. Without a border its covered cells need no format: only
    the range is recorded (xlsxwriter would write a formatted blank into each — most of
    a review sheet's cells) and its last cell, for the used area; with one, every
    covered cell is a formatted blank, as xlsxwriter's merge_range pads them."""
    if bordered:
        ws.merged(cell.row, cell.col, cell.last_row, cell.last_col, fmt)
        return
    ws.merge.append([cell.row, cell.col, cell.last_row, cell.last_col])
    ws.blank(cell.last_row, cell.last_col, fmt)


def _write_block(ws: LayoutSheet, book: ReviewBook, block: ReviewBlock, lay: BlockLayout,
                 texts: Texts, formats, password: str) -> None:
    t = texts.t
    label = period_label(texts, book.period)
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    for r, height in lay.heights.items():
        ws.set_row(r, height)
    _write_cells(ws, lay.cells, formats)
    style = {"decision": "input_choice", "number": "input_number", "choice": "input_choice",
             "text": "input_text"}
    for r, c, kind in lay.inputs:
        if kind == "note":
            ws.merged(r, 0, r, LAST_COL, formats["note_input"])
        else:
            ws.blank(r, c, formats[style[kind]])
    first, last = lay.first_row, lay.first_row + len(lay.rows) - 1
    if lay.rows:
        _validations(ws, lay, first, last, t, label)
        choice = {k: t(f"verifikasi.pilihan.{k}") for k in ("kembalikan", "koreksi")}
        top = f"${L.col_name(C_KEPUTUSAN)}{first + 1}"
        for col, word in ((C_UMPAN, choice["kembalikan"]), (C_KOREKSI, choice["koreksi"])):
            here = f"{L.col_name(col)}{first + 1}"
            ws.conditional_format(first, col, last, col, {
                "type": "formula", "format": formats["warn"],
                "criteria": f'=AND(TRIM({top})="{word}",LEN(TRIM({here}))=0)'})
    note = L.ref_row(lay.note) - 1
    ws.data_validation(note, 0, note, 0,
                       {"validate": "any", "input_title": t("verifikasi.validasi.catatan_judul"),
                        "input_message": t("verifikasi.validasi.catatan_pesan")})
    setup_print(ws, book.settings.get("kertas") or "A4",
                  t("verifikasi.lembar.footer", tahun=book.tahun, periode=label,
                    nip=format_nip(str(block.pegawai.get("nip") or ""))),
                  (lay.header_row, lay.header_row))
    ws.center_horizontally()
    ws.print_area(0, 0, lay.last_row, LAST_COL)
    ws.protect(password, {"select_locked_cells": True, "select_unlocked_cells": True,
                          "format_rows": False, "format_columns": False})


def _validations(ws, lay: BlockLayout, first: int, last: int, t, label: str) -> None:
    choices = [t(f"verifikasi.pilihan.{k}") for k in ("setuju", "kembalikan", "koreksi")]
    ws.data_validation(first, C_KEPUTUSAN, last, C_KEPUTUSAN, {
        "validate": "list", "source": choices, "error_type": "stop",
        "input_title": t("verifikasi.validasi.keputusan_judul", periode=label),
        "input_message": t("verifikasi.validasi.keputusan_pesan"),
        "error_title": t("verifikasi.validasi.keputusan_galat_judul"),
        "error_message": t("verifikasi.validasi.keputusan_galat")})
    by_kind: dict[str, list[int]] = {}
    for r, c, kind in lay.inputs:
        if c == C_KOREKSI and kind in ("number", "choice"):
            by_kind.setdefault(kind, []).append(r)
    for kind, rows in by_kind.items():
        if kind == "choice":
            opts = {"validate": "list", "source": [t("form.pilihan_ya"),
                                                   t("form.pilihan_tidak")],
                    "input_message": t("verifikasi.validasi.koreksi_yatidak_pesan")}
        else:
            opts = {"validate": "decimal", "criteria": ">=", "value": 0,
                    "input_message": t("verifikasi.validasi.koreksi_pesan")}
        refs = " ".join(L.cell_ref(r, C_KOREKSI) for r in rows)
        ws.data_validation(rows[0], C_KOREKSI, rows[0], C_KOREKSI, {
            **opts, "input_title": t("verifikasi.validasi.koreksi_judul", periode=label),
            "error_type": "stop", "multi_range": refs})
    ws.data_validation(first, C_UMPAN, last, C_UMPAN, {
        "validate": "any", "input_title": t("verifikasi.validasi.umpan_balik_judul"),
        "input_message": t("verifikasi.validasi.umpan_balik_pesan")})


def _write_guide(ws, book: ReviewBook, layouts: list[BlockLayout], texts: Texts, formats,
                 password: str) -> None:
    t = texts.t
    label = period_label(texts, book.period)
    lines = texts.render("verifikasi_petunjuk.txt.j2", atasan=book.atasan, periode=label,
                         tahun=book.tahun, n=len(book.blocks)).splitlines()
    ws.set_column(0, 0, 6)
    widths = (6, 34, 24, 36, 30, 24)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    r = 0
    for i, line in enumerate(lines):
        merge_text(ws, r, 0, r, len(widths) - 1, line,
                   formats["title" if i == 0 else "value"])
        ws.set_row(r, height_for(text_lines(line, sum(widths), bold=i == 0)))
        r += 1
    r += 1
    write_text(ws, r, 0, t("verifikasi.lembar.judul_daftar"), formats["label_bold"])
    r += 1
    for c, key in enumerate(("no", "nama", "nip", "jabatan", "lembar", "status")):
        write_text(ws, r, c, t(f"verifikasi.lembar.daftar.{key}", periode=label),
                   formats["th"])
    for i, (block, lay) in enumerate(zip(book.blocks, layouts), start=1):
        r += 1
        peg = block.pegawai
        row = (i, peg.get("nama"), format_nip(str(peg.get("nip") or "")), peg.get("jabatan"),
               lay.sheet, t(f"rekap.status.{block.period_status}"))
        for c, value in enumerate(row):
            if isinstance(value, int):
                ws.write_number(r, c, value, formats["td_center"])
            else:
                write_text(ws, r, c, value, formats["td"])
        ws.set_row(r, row_height([str(x or "") for x in row[1:4]], list(widths[1:4])))
    setup_print(ws, book.settings.get("kertas") or "A4",
                  t("verifikasi.lembar.footer_petunjuk", tahun=book.tahun, periode=label))
    ws.protect(password)
