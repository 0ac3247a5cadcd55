"""Plain cells — a number, a shared string, a formatted blank — stored and written
without xlsxwriter's per-cell overhead, for sheets made of hundreds of them (an atasan's
review workbook holds ~400 per bawahan, 10,000 bawahan for a kabupaten).

xlsxwriter's ``write_string`` checks its arguments for A1 notation, the string's length
and the cell's place on every call, and its ``_write_cell`` writes each cell's XML
through generic attribute escaping. :class:`FastSheet` stores the same cell records
directly (:meth:`FastSheet.put_string` and friends: the caller has limited the text and
checked the place) and writes a formatted number, string or blank with one f-string —
the very XML xlsxwriter writes (``tests/test_review.py`` compares a sheet written both
ways). Every other cell, and every cell if xlsxwriter's records change, goes through
xlsxwriter itself.
"""

from __future__ import annotations

from math import isfinite

from xlsxwriter.utility import xl_rowcol_to_cell_fast

from .workbook import FormSheet

try:  # xlsxwriter's own cell records
    from xlsxwriter.worksheet import CellBlankTuple as _Blank
    from xlsxwriter.worksheet import CellNumberTuple as _Number
    from xlsxwriter.worksheet import CellStringTuple as _String
except ImportError:  # pragma: no cover - a future xlsxwriter: its public API only
    _Blank = _Number = _String = None


class FastSheet(FormSheet):
    """A worksheet whose plain, formatted cells cost little to store and to write."""

    fast = _String is not None

    def put_string(self, row: int, col: int, text: str, fmt) -> None:
        """A shared-string cell; ``text`` non-empty and within Excel's limit."""
        if not self.fast or self.constant_memory or self._check_dimensions(row, col):
            self.write_string(row, col, text, fmt)
            return
        self.table[row][col] = _String(self.str_table._get_shared_string_index(text), fmt)

    def put_number(self, row: int, col: int, number: float, fmt) -> None:
        """A number cell (a NaN or infinity goes through xlsxwriter, which refuses it)."""
        if not self.fast or self.constant_memory or not isfinite(number) \
                or self._check_dimensions(row, col):
            self.write_number(row, col, number, fmt)
            return
        self.table[row][col] = _Number(number, fmt)

    def put_blank(self, row: int, col: int, fmt) -> None:
        """An empty cell that carries a format (a border, an input's colour)."""
        if not self.fast or self.constant_memory or self._check_dimensions(row, col):
            self.write_blank(row, col, None, fmt)
            return
        self.table[row][col] = _Blank(fmt)

    def _write_cell(self, row, col, cell) -> None:
        fmt = getattr(cell, "format", None)
        kind = cell.__class__
        if fmt is None or not self.fast or self.constant_memory:
            super()._write_cell(row, col, cell)
        elif kind is _String:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" '
                          f's="{fmt._get_xf_index()}" t="s"><v>{cell.string}</v></c>')
        elif kind is _Number:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" '
                          f's="{fmt._get_xf_index()}"><v>{cell.number:.16G}</v></c>')
        elif kind is _Blank:
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" '
                          f's="{fmt._get_xf_index()}"/>')
        else:
            super()._write_cell(row, col, cell)
