"""One form workbook, written with xlsxwriter: the IKI sheet cell by cell from its
layout (:mod:`.layout`), the Petunjuk, the very hidden helper sheet (:mod:`.helpersheet`)
and the signed manifest; the workbook's structure locked.

What is the same in every form costs little: the helper formulas are written from
templates escaped once per process, the IKI sheet's conditional formats skip
xlsxwriter's ~150 regular expressions per formula when the formula names no function that
needs them (:class:`FormSheet`), its cells are kept as the XML xlsxwriter writes for them
(:mod:`.sheetxml`) and so are the Petunjuk's lines, and the zip's parts and the formats
are made once per process (:mod:`.package`).
"""

from __future__ import annotations

import inspect
import re
from functools import lru_cache

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..core.atomic import DeferredCommits, atomic_path
from ..core.model import Form
from ..core.rules import rule_lines
from ..core.sheets import TITLE_SIZE, heading_height, setup_print
from ..core.show import period_label
from ..core.textfit import FONT, FONT_SIZE
from ..core.texts import Texts
from ..core.xlsxtext import limit
from . import layout as L
from .helpersheet import HelperSheet
from .inputcheck import write_input_checks
from .package import PackedWorkbook
from .sheetxml import DirectSheet

GUIDE_WIDTHS = (110,)  # the Petunjuk's one column


def legacy_password_hash(password: str) -> str:
    """The 16-bit password verifier of ECMA-376 Part 4 (sheet and workbook protection)."""
    digest = 0
    for char in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"


class ProtectedWorkbook(Workbook):
    """xlsxwriter has no API for workbook *structure* protection (sheets cannot be added,
    renamed, deleted or unhidden); this writes ``<workbookProtection lockStructure="1">``
    at its place in workbook.xml, right after ``<workbookPr>``."""

    structure_password: str = ""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes = []
        if self.structure_password:
            attributes.append(("workbookPassword",
                               legacy_password_hash(self.structure_password)))
        attributes.append(("lockStructure", 1))
        self._xml_empty_tag("workbookProtection", attributes)


def _future_names() -> re.Pattern | None:
    """The functions xlsxwriter prefixes with ``_xlfn.`` (read from its own source, so
    that a newer xlsxwriter's list counts); None when its source cannot be read."""
    try:
        source = inspect.getsource(Worksheet._prepare_formula)
    except (OSError, TypeError):  # a frozen build without sources
        return None
    names = sorted(set(re.findall(r'"_xlfn\.(?:_xlws\.)?([A-Z0-9.]+)\(', source)),
                   key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\(")


_FUTURE = _future_names()


class FormSheet(Worksheet):
    """A sheet with conditional formats. xlsxwriter runs ~150 regular expressions over
    each conditional format's formula to prefix newer functions with ``_xlfn.``; our
    formulas use classic functions only, so one search decides, and xlsxwriter's own
    preparation runs for any formula that does name such a function."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        if _FUTURE is None or self.use_future_functions or _FUTURE.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        return formula.removeprefix("{").removeprefix("=").removesuffix("}")


class LayoutSheet(DirectSheet, FormSheet):
    """A sheet written from a layout's cells — the form's IKI sheet, a review workbook's
    bawahan sheets: its cells kept as the XML xlsxwriter writes for them
    (:mod:`.sheetxml`), its conditional formats prepared as :class:`FormSheet`'s."""


class FormWorkbook(ProtectedWorkbook, PackedWorkbook):
    """A form: structure protected, its parts compressed once per process
    (:mod:`.package`)."""


def write_form(path: str, form: Form, lay: L.FormLayout, manifest_text: str, password: str,
               texts: Texts, form_id: str, revision: int,
               commits: DeferredCommits | None = None) -> str:
    """Write one form workbook atomically; returns its path (with ``commits``, the file
    is in place once they have waited)."""
    with atomic_path(path, commits) as tmp:
        wb = FormWorkbook(tmp)
        wb.structure_password = password
        wb.set_properties({"title": texts.t("form.judul"), "subject": form.pegawai.nama,
                           "author": "iki-xlsx", "comments": form_id})
        wb.set_custom_property("iki_form_id", form_id)
        wb.set_custom_property("iki_revision", str(revision))
        base = {"font_name": FONT, "font_size": FONT_SIZE}
        formats = {name: wb.add_format({**base, **props}) for name, props in L.STYLES.items()}
        ws = wb.add_worksheet(L.SHEET_FORM, worksheet_class=LayoutSheet)
        _write_sheet(wb, ws, form, lay, formats, texts, password)
        guide = wb.add_worksheet(L.SHEET_GUIDE, worksheet_class=DirectSheet)
        _write_guide(guide, form, lay, texts, wb.add_format({**base, "text_wrap": True,
                                                             "valign": "top"}),
                     wb.add_format({**base, "bold": True, "font_size": TITLE_SIZE,
                                    "text_wrap": True, "valign": "top"}), password)
        helper = wb.add_worksheet(L.SHEET_HELPER, worksheet_class=HelperSheet)
        helper.put(lay.helper_cells)
        helper.protect(password)
        helper.very_hidden()
        write_manifest_sheet(wb, manifest_text, password)
        wb.own_sheets = [ws, guide]  # the helper and manifest sheets recur (package.py)
        ws.activate()
        wb.close()
    return path


def write_manifest_sheet(wb, manifest_text: str, password: str) -> None:
    """The very hidden, protected sheet that carries the signed manifest, in chunks a
    cell can hold, after its mark (forms and review workbooks alike)."""
    man = wb.add_worksheet(L.SHEET_MANIFEST)
    man.write_string(0, 0, L.MANIFEST_MARK)
    for i in range(0, len(manifest_text), L.MANIFEST_CHUNK):
        man.write_string(1 + i // L.MANIFEST_CHUNK, 0, manifest_text[i:i + L.MANIFEST_CHUNK])
    man.protect(password)
    man.very_hidden()


def _write_sheet(wb, ws, form: Form, lay: L.FormLayout, formats, texts: Texts,
                 password: str) -> None:
    for c, width in enumerate(lay.widths):
        ws.set_column(c, c, width)
    for r, height in lay.heights.items():
        ws.height(r, height)
    for cell in lay.cells:
        fmt = formats[cell.style]
        if cell.last_row is not None and (cell.last_row, cell.last_col) != (cell.row, cell.col):
            ws.merged(cell.row, cell.col, cell.last_row, cell.last_col, fmt)
            if cell.formula:
                ws.formula(cell.row, cell.col, cell.formula, fmt, cell.value)
            elif cell.rich:
                parts = []
                for style, text in cell.rich:  # every run formatted: no default font
                    parts += [formats[style or cell.style], limit(text)]
                ws.rich(cell.row, cell.col, parts, fmt)
            elif isinstance(cell.value, (int, float)):
                ws.number(cell.row, cell.col, cell.value, fmt)
            else:
                ws.text(cell.row, cell.col, cell.value, fmt)
        elif cell.formula:
            ws.formula(cell.row, cell.col, cell.formula, fmt, cell.value)
        elif isinstance(cell.value, (int, float)):
            ws.number(cell.row, cell.col, cell.value, fmt)
        else:
            ws.text(cell.row, cell.col, cell.value, fmt)
    style = {"number": "input_number", "choice": "input_choice", "text": "input_text",
             "late_number": "input_late_number", "late_choice": "input_late_choice"}
    for r, c, kind in lay.inputs:
        ws.blank(r, c, formats[style[kind]])
    write_input_checks(ws, lay, texts)
    if not ws.kept_conditional_formats(tuple(lay.warnings), [formats["warn"]]):
        for area, formula in lay.warnings:
            ws.conditional_format(area, {"type": "formula", "criteria": formula,
                                         "format": formats["warn"]})
    t = texts.t
    first, last = lay.table_rows
    sheet = f"'{L.SHEET_FORM}'" if not L.SHEET_FORM.isalnum() else L.SHEET_FORM
    rc = lay.realisasi_cols

    def rng(c0, c1):
        return (f"{sheet}!${L.col_name(c0)}${first + 1}:"
                f"${L.col_name(c1)}${last + 1}")

    wb.define_name(L.NAME_REALISASI, "=" + rng(rc[0], rc[-1]))
    wb.define_name(L.NAME_KETERANGAN, "=" + rng(lay.keterangan_col, lay.keterangan_col))
    wb.define_name(L.NAME_CAPAIAN, "=" + rng(lay.capaian_col, lay.capaian_col))
    for c, code in zip(rc, lay.periods):
        wb.define_name(f"{L.NAME_REALISASI}_{code}", "=" + rng(c, c))
    # Print: paper, landscape, one page wide, header rows repeated, footer page numbers.
    setup_print(ws, form.settings.kertas, t("form.footer", tahun=form.settings.tahun,
                                            nip=form.pegawai.nip_text), lay.header_rows)
    if lay.page_breaks:  # keep the signature block on one page
        ws.set_h_pagebreaks(lay.page_breaks)
    ws.center_horizontally()
    ws.print_area(0, 0, lay.last_row, lay.last_col)
    # No frozen panes: the header block above the table is 300–650 pt tall, and frozen
    # it would fill a 1366×768 screen so that no realisasi row could be reached.
    ws.protect(password, {"select_locked_cells": True, "select_unlocked_cells": True,
                          "format_rows": False, "format_columns": False})


@lru_cache(maxsize=8)
def _rules_shown(texts: Texts) -> tuple[tuple[str, str], ...]:
    """The rule table as the Petunjuk shows it: the same in every form, made once per
    process (and per template folder)."""
    return tuple(rule_lines(texts))


@lru_cache(maxsize=4096)
def _guide_height(line: str, title: bool) -> float:
    """A Petunjuk line's row height (:func:`~iki_xlsx.core.sheets.heading_height`): the
    same lines come back in every form, each measured once per process."""
    if title:
        return heading_height(line, GUIDE_WIDTHS, TITLE_SIZE, bold=True)
    return heading_height(line, GUIDE_WIDTHS)


def _write_guide(ws, form: Form, lay: L.FormLayout, texts: Texts, fmt, title_fmt,
                 password: str) -> None:
    ws.set_column(0, 0, GUIDE_WIDTHS[0])
    periods = [period_label(texts, p) for p in lay.periods]
    lines = texts.render("petunjuk.txt.j2", form=form, periods=periods,
                         aturan=_rules_shown(texts), aturan_judul=texts.t("aturan.judul"),
                         aturan_pengantar=texts.t("aturan.pengantar"),
                         aturan_penutup=texts.t("aturan.penutup"),
                         catatan_jumlah=L.midyear_note(form, texts),
                         reissue=getattr(lay, "reissue", None),  # issues 11, 23
                         inactive=[period_label(texts, p)
                                   for p in getattr(lay, "inactive", ())],
                         first_row=lay.table_rows[0] + 1, last_row=lay.table_rows[1] + 1,
                         realisasi_cols=[L.col_name(c) for c in lay.realisasi_cols],
                         capaian_col=L.col_name(lay.capaian_col),
                         keterangan_col=L.col_name(lay.keterangan_col)).splitlines()
    for r, line in enumerate(lines):  # core.sheets.heading's lines, stored as XML
        ws.text(r, 0, line, title_fmt if r == 0 else fmt)
        ws.height(r, _guide_height(line, r == 0))
    setup_print(ws, form.settings.kertas, texts.t(
        "form.footer", tahun=form.settings.tahun, nip=form.pegawai.nip_text))
    ws.protect(password)
