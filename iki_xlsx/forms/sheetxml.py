"""The IKI sheet's cells, kept as the XML xlsxwriter writes for them and written as
``<sheetData>`` in one piece.

Why this exists: xlsxwriter stores every cell as a record (checking its place and type on
each call), pads each merged range with formatted blank records, and at close walks every
row and column again, escaping each attribute of each cell. For the ~650 cells and ~50
merges of a form that was ~8 ms, as much as the rest of the form together, and 10,000
forms are written per kabupaten. :class:`DirectSheet` makes each cell's ``<c>`` element
when the cell is stored, exactly as xlsxwriter would write it, all but the number of
its format (xlsxwriter numbers formats in the order it first writes them, so that is
filled in as the rows are written), and asks xlsxwriter for the shared-string index in
the same order as its own calls would (so ``sharedStrings.xml`` is the same too).

What it mirrors (xlsxwriter 3.x, ``Worksheet``): ``merge_range`` (the range padded with
formatted blanks, the first cell then overwritten), ``_write_cell`` for blank, number,
shared-string and formula cells with a format, ``_calculate_spans``, ``_write_row``,
``_write_rows`` and ``_write_merge_cells``. Everything else of the sheet (columns,
dimension, data validations, conditional formats, protection, print setup) is still
written by xlsxwriter, and any cell outside these kinds (a rich string, a cell without
format, an infinite number) goes through xlsxwriter's own API and own writer.
``tests/test_package.py`` compares every sheet of every form with what xlsxwriter's own
calls give, byte for byte. Not mirrored: overlapping merges (xlsxwriter raises; the
layout never makes one) and cell comments (the IKI sheet has none).

A sheet's data validations can be kept per process by a key
(:meth:`DirectSheet.kept_validations`): forms whose REALISASI cells are checked alike
(the same kinds of indikator in the same rows) have the same ``<dataValidations>``, and
storing and writing their ~10 rules through xlsxwriter (its checks of every option, each
attribute escaped) was ~0.7 ms a form. Its conditional formats likewise
(:meth:`DirectSheet.kept_conditional_formats`: the same ranges and rules, ~0.15 ms).
"""

from __future__ import annotations

import math
import re
from io import StringIO

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell_fast as _ref
from xlsxwriter.worksheet import RowInfo, Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from ..core.xlsxtext import MAX_CELL_TEXT, is_raw_rich, limit

_ERRORS = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))

KEPT_VALIDATIONS = 256  # <dataValidations> kept per process (emptied when full)
_kept_validations: dict[object, str] = {}
KEPT_CONDITIONAL = 256  # <conditionalFormatting>s kept per process, with their rules' count
_kept_conditional: dict[object, tuple[str, int]] = {}
KEPT_HEADS = 100_000  # cells' ``<c r="…"`` kept per process (emptied when full)
_heads: dict[tuple[int, int], str] = {}
_SHORT = MAX_CELL_TEXT // 2  # a text this long is within a cell's limit (xlsxtext.limit)
KEPT_FONTS = 1024  # a rich text run's <rPr> per format made once per process (emptied when full)
_run_fonts: dict[int, str] = {}
# what xlsxwriter's writer turns into _xHHHH_ escapes (control characters, non-characters)
# or escapes again (text that reads like one): such a run goes through xlsxwriter
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def _head(row: int, col: int) -> str:
    """A cell's ``<c r="…"``: the same few hundred cells in every form, made once."""
    head = _heads.get((row, col))
    if head is None:
        if len(_heads) >= KEPT_HEADS:
            _heads.clear()
        head = _heads[row, col] = f'<c r="{_ref(row, col)}"'
    return head


def _escape(data: str) -> str:
    """xlsxwriter's ``_escape_data``: double quotes stay."""
    if "&" in data or "<" in data or ">" in data:
        return data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return data


class DirectSheet(Worksheet):
    """A sheet whose cells are stored as ``<c>`` elements (row → column → XML) by the
    methods below; xlsxwriter's own ``write_*`` calls must not be mixed in."""

    def __init__(self) -> None:
        super().__init__()
        # row → column → (``<c r="…"``, its format, the rest of the element), or the
        # record xlsxwriter stored for a cell it writes itself
        self.cells: dict[int, dict[int, tuple | object]] = {}
        self._validations_key: object = None
        self._validations_xml: str | None = None
        self._conditional_key: object = None
        self._conditional_kept: tuple[str, int] | None = None
        self._conditional_first = 1  # the priority of the first rule stored

    def kept_validations(self, key) -> bool:
        """Whether this process wrote the data validations of a sheet with ``key``
        (hashable: everything they are made of) before. If so they are written again as
        they were, and the caller stores none; else the caller stores them through
        xlsxwriter's ``data_validation`` as usual, and they are kept under ``key``."""
        self._validations_key = key
        self._validations_xml = _kept_validations.get(key)
        return self._validations_xml is not None

    def kept_conditional_formats(self, key, formats) -> bool:
        """Whether this process wrote the conditional formats of a sheet with ``key``
        (hashable: every range and rule) using ``formats`` (each numbered for
        ``styles.xml`` here, as xlsxwriter's ``conditional_format`` numbers it) before.
        If so they are written again as they were, their rules counted as xlsxwriter
        counts them, and the caller stores none; else the caller stores them through
        ``conditional_format`` as usual, and they are kept under ``key``."""
        self._conditional_key = (key, tuple(f._get_dxf_index() for f in formats),
                                 self.dxf_priority, self.use_future_functions)
        self._conditional_first = self.dxf_priority
        self._conditional_kept = _kept_conditional.get(self._conditional_key)
        if self._conditional_kept is not None:
            self.dxf_priority += self._conditional_kept[1]
        return self._conditional_kept is not None

    # -- storing ------------------------------------------------------------------

    def _put(self, row: int, col: int, xml) -> None:
        cells = self.cells.get(row)
        if cells is None:
            cells = self.cells[row] = {}
        cells[col] = xml

    def _through_xlsxwriter(self, write, row: int, col: int, *args) -> None:
        """Store a cell by xlsxwriter's own ``write``, to be written by its own writer."""
        write(row, col, *args)
        record = self.table.get(row, {}).pop(col, None)
        if record is not None:  # else nothing stored (a blank without format)
            self._put(row, col, record)

    def blank(self, row: int, col: int, fmt) -> None:
        if fmt is None:  # xlsxwriter stores nothing, and removes nothing
            return
        self._put(row, col, (_head(row, col), fmt, "/>"))

    def number(self, row: int, col: int, number, fmt) -> None:
        """xlsxwriter's ``write_number`` (a bool is 1 or 0)."""
        if fmt is None or not math.isfinite(number):
            self._through_xlsxwriter(self.write_number, row, col, number, fmt)
            return
        self._put(row, col, (_head(row, col), fmt, f"><v>{number:.16G}</v></c>"))

    def string(self, row: int, col: int, text: str, fmt) -> None:
        """A shared string (``text`` non-empty, limited, not xlsxwriter's raw rich form)."""
        if fmt is None:
            self._through_xlsxwriter(self.write_string, row, col, text, fmt)
            return
        index = self.str_table._get_shared_string_index(text)
        self._put(row, col, (_head(row, col), fmt, f' t="s"><v>{index}</v></c>'))

    def text(self, row: int, col: int, value: object, fmt) -> None:
        """:func:`iki_xlsx.core.xlsxtext.write_text`: ``value`` as a string whatever it
        looks like, blank when empty."""
        if type(value) is str and fmt is not None and 0 < len(value) <= _SHORT \
                and not value.startswith("<r>"):  # the usual text: a shared string
            cells = self.cells.get(row)
            if cells is None:
                cells = self.cells[row] = {}
            index = self.str_table._get_shared_string_index(value)
            cells[col] = (_head(row, col), fmt, f' t="s"><v>{index}</v></c>')
            return
        text = limit(str(value)) if value is not None else ""
        if not text:
            self.blank(row, col, fmt)
        elif is_raw_rich(text):
            self._through_xlsxwriter(self.write_rich_string, row, col, text[0], text[1],
                                     text[2:], *([fmt] if fmt is not None else []))
        else:
            self.string(row, col, text, fmt)

    def rich(self, row: int, col: int, parts: list, fmt) -> None:
        """xlsxwriter's ``write_rich_string(row, col, *parts, fmt)``, its shared string
        made here (:meth:`_rich_xml`) when every run has its own format, made once per
        process, and a text: the form's signature cells (xlsxwriter's own took ~0.1 ms
        each: a writer, a default format and each run's font written tag by tag)."""
        xml = self._rich_xml(parts) if fmt is not None else None
        if xml is None:
            self._through_xlsxwriter(self.write_rich_string, row, col, *parts, fmt)
            return
        index = self.str_table._get_shared_string_index(xml)
        self._put(row, col, (_head(row, col), fmt, f' t="s"><v>{index}</v></c>'))

    def _rich_xml(self, parts: list) -> str | None:
        """The rich string xlsxwriter's ``write_rich_string`` makes of ``parts`` —
        (format, text) runs, at least two, every text non-empty, without a character
        xlsxwriter escapes as ``_xHHHH_`` and the whole within a cell's limit —, each
        run's ``<rPr>`` written by xlsxwriter once per format (:meth:`_run_font`); None
        for any other parts."""
        if len(parts) < 4 or len(parts) % 2:
            return None
        runs, length = [], 0
        for i in range(0, len(parts), 2):
            font, text = self._run_font(parts[i]), parts[i + 1]
            if font is None or type(text) is not str or not text or _CONTROL.search(text):
                return None
            length += len(text)
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() \
                else ""
            runs.append(f"<r>{font}<t{space}>{_escape(text)}</t></r>")
        return "".join(runs) if length <= _SHORT else None

    def _run_font(self, fmt) -> str | None:
        """A run's ``<rPr>`` as xlsxwriter's ``_write_font`` writes it for ``fmt``, kept
        per process when ``fmt`` was made once per process for its properties
        (:meth:`~iki_xlsx.forms.package.PackedWorkbook.add_format`); None otherwise."""
        kept = getattr(fmt, "kept_id", None) if isinstance(fmt, Format) else None
        if kept is None:
            return None
        xml = _run_fonts.get(kept)
        if xml is None:
            rstring, self.rstring = self.rstring, XMLwriter()
            self.rstring._set_filehandle(StringIO())
            try:
                self._write_font(fmt)
                xml = self.rstring.fh.getvalue()
            finally:
                self.rstring = rstring
            if len(_run_fonts) >= KEPT_FONTS:
                _run_fonts.clear()
            _run_fonts[kept] = xml
        return xml

    def formula(self, row: int, col: int, formula: str, fmt, value) -> None:
        """A formula with its cached ``value``. Written as given, without the ``_xlfn.``
        prefixes xlsxwriter's write_formula would add: the form's formulas use classic
        functions only (:mod:`iki_xlsx.core.capaian` guarantees it)."""
        if fmt is None or not isinstance(value, (str, int, float)) or type(value) is bool:
            self._through_xlsxwriter(self.write_formula, row, col, formula, fmt, value)
            return
        kind = ""
        if isinstance(value, str):
            kind = "" if value == "" else ' t="e"' if value in _ERRORS else ' t="str"'
            value = _escape(value)
        self._put(row, col, (_head(row, col), fmt,
                             f"{kind}><f>{_escape(formula.lstrip('='))}</f><v>{value}</v></c>"))

    def merged(self, first_row: int, first_col: int, last_row: int, last_col: int,
               fmt) -> None:
        """xlsxwriter's ``merge_range(…, "", fmt)``: the range listed, every cell a
        formatted blank (the caller then writes the first)."""
        self.merge.append([first_row, first_col, last_row, last_col])
        if fmt is None:
            return
        for row in range(first_row, last_row + 1):
            cells = self.cells.get(row)
            if cells is None:
                cells = self.cells[row] = {}
            for col in range(first_col, last_col + 1):
                cells[col] = (_head(row, col), fmt, "/>")

    def height(self, row: int, height: float) -> None:
        """xlsxwriter's ``set_row(row, height)`` (no format, no options) without its
        steps for what is not given: ~80 rows a form (the IKI sheet, the Petunjuk)."""
        pixels = int(height * 4.0 / 3.0 + 0.5)
        if pixels == 0:  # a hidden row: xlsxwriter's own
            self.set_row(row, height)
            return
        if self._check_dimensions(row, 0 if self.dim_colmin is None else self.dim_colmin):
            return
        self.row_info[row] = RowInfo(pixels)
        self.row_sizes[row] = [pixels, False]

    # -- writing ------------------------------------------------------------------

    def _assemble_xml_file(self) -> None:
        if self.cells:  # the dimension xlsxwriter's _check_dimensions would have kept
            rows = self.cells.keys()
            cols = [col for cells in self.cells.values() for col in cells]
            self._check_dimensions(min(rows), min(cols))
            self._check_dimensions(max(rows), max(cols))
        super()._assemble_xml_file()

    def _captured(self, write) -> str:
        """What xlsxwriter's ``write`` method writes, as text."""
        fh, self.fh = self.fh, StringIO()
        try:
            write()
            return self.fh.getvalue()
        finally:
            self.fh = fh

    def _write_conditional_formats(self) -> None:
        """xlsxwriter's, or what it wrote for a sheet of the same key
        (:meth:`kept_conditional_formats`)."""
        kept = self._conditional_kept
        if kept is None and self._conditional_key is not None:
            kept = (self._captured(super()._write_conditional_formats),
                    self.dxf_priority - self._conditional_first)
            if len(_kept_conditional) >= KEPT_CONDITIONAL:
                _kept_conditional.clear()
            _kept_conditional[self._conditional_key] = kept
        if kept is None:
            super()._write_conditional_formats()
        else:
            self.fh.write(kept[0])

    def _write_data_validations(self) -> None:
        """xlsxwriter's, or what it wrote for a sheet of the same key
        (:meth:`kept_validations`)."""
        xml = self._validations_xml
        if xml is None and self._validations_key is not None:
            xml = self._captured(super()._write_data_validations)
            if len(_kept_validations) >= KEPT_VALIDATIONS:
                _kept_validations.clear()
            _kept_validations[self._validations_key] = xml
        if xml is None:
            super()._write_data_validations()
        else:
            self.fh.write(xml)

    def _write_merge_cells(self) -> None:
        """xlsxwriter's ``_write_merge_cells``, in one string."""
        if not self.cells or not self.merge:
            super()._write_merge_cells()
            return
        self.fh.write(f'<mergeCells count="{len(self.merge)}">' + "".join(
            f'<mergeCell ref="{_ref(r0, c0)}:{_ref(r1, c1)}"/>'
            for r0, c0, r1, c1 in self.merge) + "</mergeCells>")

    def _spans(self) -> dict[int, str]:
        """xlsxwriter's ``_calculate_spans``: the columns used in each block of 16 rows."""
        spans: dict[int, list[int]] = {}
        for row, cells in self.cells.items():
            if cells:
                low, high = min(cells), max(cells)
                seen = spans.get(row // 16)
                spans[row // 16] = [low, high] if seen is None else \
                    [min(seen[0], low), max(seen[1], high)]
        return {block: f"{low + 1}:{high + 1}" for block, (low, high) in spans.items()}

    def _row_start(self, row: int, span: str | None) -> str:
        """xlsxwriter's ``_write_row`` for a row of cells, without its closing ``>``."""
        info = self.row_info.get(row)
        if info is None or info.row_format or info.hidden or info.level or info.collapsed \
                or self.excel_version == 2010:
            fh, self.fh = self.fh, StringIO()
            try:
                Worksheet._write_row(self, row, span, info, empty_row=True)
                return self.fh.getvalue()[:-2]
            finally:
                self.fh = fh
        xml = f'<row r="{row + 1}"' + (f' spans="{span}"' if span else "")
        height = self.default_row_height if info.height is None else info.height
        if height != self.original_row_height or height != self.default_row_height:
            xml += f' ht="{height * 0.75:.16g}" customHeight="1"'
        return xml

    def _write_sheet_data(self) -> None:
        if not self.cells:  # nothing stored here: xlsxwriter's (an empty sheet)
            super()._write_sheet_data()
            return
        if self.comments or any(self.table.values()):
            raise ValueError(f"sheet {self.name}: cells stored by xlsxwriter's write_* "
                             "calls beside DirectSheet's would be lost")
        spans = self._spans()
        out = ["<sheetData>"]
        for row in sorted(set(self.cells) | set(self.row_info)):
            if not self.dim_rowmin <= row <= self.dim_rowmax:
                continue
            cells = self.cells.get(row)
            if not cells and row not in self.row_info:
                continue
            start = self._row_start(row, spans.get(row // 16))
            if not cells:
                out.append(start + "/>")
                continue
            out.append(start + ">")
            for col in sorted(cells):  # formats numbered in this order, as xlsxwriter does
                cell = cells[col]
                if type(cell) is tuple:
                    head, fmt, rest = cell
                    index = fmt.xf_index
                    if index is None:
                        index = fmt._get_xf_index()
                    out.append(f'{head} s="{index}"{rest}')
                else:
                    self.fh.write("".join(out))
                    out.clear()
                    self._write_cell(row, col, cell)
            out.append("</row>")
        out.append("</sheetData>")
        self.fh.write("".join(out))
