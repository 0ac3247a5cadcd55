"""The very hidden helper sheet (``_hitung``, see :mod:`.liveform`), written as XML
straight from the row templates the layout made once.

Every indicator row holds the same formulas, differing only by the row number
(:class:`.liveform.HelperCell`): through xlsxwriter, each of a thousand long formulas
per form would be checked, escaped and written on its own. Here each template is escaped
once per process, and a run of rows with the same template in a column is one *shared
formula* (``<f t="shared" ref="A24:A26" si="0">…</f>`` in its first cell, ``<f
t="shared" si="0"/>`` in the others), as Excel itself saves a formula filled down: every
client reads it as the same formula in each row (Excel, LibreOffice, Gnumeric and
openpyxl translate the references row by row), and the sheet is a fraction of the size
to compress. What each cell computes is unchanged: the tests recalculate the forms in
LibreOffice and Gnumeric.
"""

from __future__ import annotations

from functools import lru_cache
from io import StringIO

from xlsxwriter.worksheet import Worksheet

from .liveform import ROW, HelperCell
from .package import written_as
from .refs import col_name

KEPT_PARTS = 64  # helper sheets' parts kept per process (emptied when full)
_parts: dict[tuple[str, str, str], bytes] = {}
_ROWS = "\x00"  # where the rows go in the sheet xlsxwriter assembles around them


@lru_cache(maxsize=4096)
def _escaped(template: str) -> str:
    """The formula text as it goes into ``<f>``: no leading ``=``, XML escaped."""
    return (template.removeprefix("=").replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _cached(value: object) -> str:
    return "<v></v>" if value in ("", None) else f"<v>{value}</v>"


def rows_xml(cells: list[HelperCell]) -> str:
    """The ``<row>`` elements of ``cells``: runs of consecutive rows with the same
    template in a column share one formula."""
    by_col: dict[int, list[HelperCell]] = {}
    for cell in cells:
        by_col.setdefault(cell.col, []).append(cell)
    out: dict[tuple[int, int], str] = {}
    shared = 0
    for col, items in by_col.items():
        items.sort(key=lambda c: c.row)
        name = col_name(col)
        i = 0
        while i < len(items):
            first, j = items[i], i
            while (j + 1 < len(items) and items[j + 1].row == items[j].row + 1
                   and items[j + 1].template == first.template):
                j += 1
            row = first.row + 1
            body = _escaped(first.template).replace(ROW, str(row))
            if j == i:
                out[first.row, col] = f'<c r="{name}{row}"><f>{body}</f>{_cached(first.value)}</c>'
            else:
                out[first.row, col] = (f'<c r="{name}{row}"><f t="shared" ref="{name}{row}:'
                                       f'{name}{items[j].row + 1}" si="{shared}">{body}</f>'
                                       f'{_cached(first.value)}</c>')
                for cell in items[i + 1:j + 1]:
                    out[cell.row, col] = (f'<c r="{name}{cell.row + 1}"><f t="shared" '
                                          f'si="{shared}"/>{_cached(cell.value)}</c>')
                shared += 1
            i = j + 1
    rows: dict[int, list[str]] = {}
    for (row, _), xml in sorted(out.items()):
        rows.setdefault(row, []).append(xml)
    return "".join(f'<row r="{row + 1}">{"".join(xs)}</row>' for row, xs in rows.items())


@lru_cache(maxsize=64)
def _shared_rows_xml(cells: tuple[HelperCell, ...]) -> tuple[str, tuple[int, ...]]:
    """:func:`rows_xml` and the cells' first and last row and column, made once per
    process for each set of helper cells: forms whose indikator read alike (the same
    kinds of rows at the same places) have the same helper sheet, and its ~1,000
    formulas are the largest part of a form to write. A key holds the cells, whose
    templates are shared already (``layoutformulas.row_templates``)."""
    rows, cols = [c.row for c in cells], [c.col for c in cells]
    return rows_xml(list(cells)), (min(rows), min(cols), max(rows), max(cols))


class HelperSheet(Worksheet):
    """A worksheet whose cells are the given helper formulas (:meth:`put`); everything
    else (protection, visibility) through xlsxwriter as usual."""

    _rows_xml: str | None = None
    packed = False  # in a PackedWorkbook (package.py), which takes its part as bytes

    def put(self, cells: list[HelperCell]) -> None:
        if not cells:
            return
        self._rows_xml, (row0, col0, row1, col1) = _shared_rows_xml(tuple(cells))
        self._check_dimensions(row0, col0)  # the <dimension> element
        self._check_dimensions(row1, col1)

    def _write_sheet_data(self) -> None:
        if self._rows_xml is None:
            super()._write_sheet_data()
        else:
            self.fh.write(f"<sheetData>{_ROWS if self.packed else self._rows_xml}</sheetData>")

    def _assemble_xml_file(self) -> None:
        """xlsxwriter's, the rows put in their place: the sheet around them (~1 kB) is
        assembled by xlsxwriter in every form, the whole part's bytes are made once per
        process for the same rows and the same sheet around them, and handed to the
        packager as they are (:func:`~.package.written_as`) — in a packed workbook,
        whose packager takes them."""
        if self._rows_xml is None or not self.packed:
            super()._assemble_xml_file()
            return
        fh, self.fh = self.fh, StringIO()
        try:
            super()._assemble_xml_file()
            head, _, tail = self.fh.getvalue().partition(_ROWS)
        finally:
            self.fh = fh
        key = (self._rows_xml, head, tail)
        data = _parts.get(key)
        if data is None:
            data = f"{head}{self._rows_xml}{tail}".encode()
            if len(_parts) >= KEPT_PARTS:
                _parts.clear()
            _parts[key] = data
        written_as(fh, data)
