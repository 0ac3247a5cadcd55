"""The data rows of the recap's xlsxwriter sheets (Per Pegawai, Belum Mengumpulkan,
Per Atasan, Riwayat) written a whole row at a time, byte for byte as xlsxwriter writes
them: its per-cell machinery (a record per cell, the attributes escaped one by one, the
row written cell by cell) cost ~10 µs a cell, most of those sheets' time.

:class:`DirectRows` takes the calls a sheet makes for its rows (``write_number``,
``write_string``, ``write_blank``, ``write_datetime``, ``set_row``; any other, such as
``write_rich_string``, is passed on) and, when a row is done, writes the ``<row>``
xlsxwriter would write in ``constant_memory`` mode (no spans, cells in column order,
every text an inline string, numbers as ``%.16G``, the height as ``set_row`` keeps it)
into the sheet's row file, with the sheet's dimensions and format indices taken as
xlsxwriter takes them (in column order, when the row is written). A row it cannot write
so (a rich string, an over-long or ``<r>…</r>`` text, a non-finite number, a cell without
a format, a row out of order) is handed to xlsxwriter's own calls, in the order they were
made, so the sheet is the same either way (``tests/test_recap_direct.py`` checks both).
"""

from __future__ import annotations

import math

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name

from ..core.xlsxtext import is_raw_rich, write_text

_MAX_ROW, _MAX_COL = 1_048_576, 16_384
_SHORT = 32_767 // 2  # xlsxwriter counts UTF-16 units only above this length


class DirectRows:
    """Stands in for an xlsxwriter worksheet (``constant_memory``) while its data rows are
    written in increasing order; :meth:`close` writes the last one. The worksheet's other
    calls (autofilter, conditional formats, …) go to the worksheet itself, after
    :meth:`close`."""

    def __init__(self, ws):
        if not ws.constant_memory:
            raise ValueError("DirectRows writes constant_memory sheets only")
        self.ws = ws
        self.row: int | None = None
        self.calls: list[tuple] = []  # (method, args): the replay through xlsxwriter
        self.cells: dict[int, tuple] = {}  # column → (format, cell XML after its style)
        self.height: int | None = None  # pixels, as set_row keeps them
        self.plain = True
        self._xf: dict[object, str] = {}  # format → ' s="n"'
        self._texts: dict[str, str | None] = {}  # text → '<is>…</is>' (None: rich)
        self._tails: dict[str, str] = {}  # text → its cell after the style (see _tail)
        self._refs: dict[int, str] = {}  # column → its letters

    # ------------------------------------------------------------------ the calls taken
    def _take(self, name: str, args: tuple) -> bool:
        row, col = args[0], args[1] if name != "set_row" else 0
        if row != self.row:
            self.flush()
            self.row = row
        self.calls.append((name, args))
        if not (type(row) is int and type(col) is int and 0 <= row < _MAX_ROW
                and 0 <= col < _MAX_COL):
            self.plain = False
        return self.plain

    def write_number(self, row, col, number, cell_format=None):
        if row == self.row and self.plain and cell_format is not None \
                and type(row) is int and type(col) is int and 0 <= col < _MAX_COL \
                and (type(number) is int or type(number) is float) and math.isfinite(number):
            # the row's next cell, plain: _take and _number in one step
            self.calls.append(("write_number", (row, col, number, cell_format)))
            self.cells[col] = (cell_format, f"><v>{number:.16G}</v></c>")
        elif self._take("write_number", (row, col, number, cell_format)):
            self._number(col, number, cell_format)

    def write_datetime(self, row, col, date, cell_format=None):
        if self._take("write_datetime", (row, col, date, cell_format)):
            self._number(col, None if cell_format is None
                         else self.ws._convert_date_time(date), cell_format)

    def _number(self, col, number, cell_format) -> None:
        """A number cell (a date is its serial number), or the row handed to
        xlsxwriter when it has no format or no finite number."""
        if cell_format is None or type(number) not in (int, float) \
                or not math.isfinite(number):
            self.plain = False
        else:
            self.cells[col] = (cell_format, f"><v>{number:.16G}</v></c>")

    def write_blank(self, row, col, blank, cell_format=None):
        if self._take("write_blank", (row, col, blank, cell_format)):
            if cell_format is None:
                self.plain = False
            else:
                self.cells[col] = (cell_format, "/>")

    def write_string(self, row, col, string, cell_format=None):
        if self._take("write_string", (row, col, string, cell_format)):
            tail = self._tail(string) if type(string) is str and len(string) <= _SHORT \
                else None
            if cell_format is None or tail is None:
                self.plain = False
            else:
                self.cells[col] = (cell_format, tail)

    def write_text(self, row, col, value, cell_format=None):
        """:func:`~iki_xlsx.core.xlsxtext.write_text` (a user's text as text) into this
        sheet: a short plain text with a format is taken here in one step, as the
        ``write_string`` it makes; anything else goes through it."""
        if type(value) is str and value and cell_format is not None:
            if row == self.row and self.plain and type(row) is int and type(col) is int \
                    and 0 <= col < _MAX_COL:
                tail = self._tails.get(value)  # a text met before (none over-long or rich)
                if tail is not None:  # the row's next cell, in one step
                    self.calls.append(("write_string", (row, col, value, cell_format)))
                    self.cells[col] = (cell_format, tail)
                    return
            if len(value) <= _SHORT and not is_raw_rich(value):
                if self._take("write_string", (row, col, value, cell_format)):
                    tail = self._tail(value)
                    if tail is None:
                        self.plain = False
                    else:
                        self.cells[col] = (cell_format, tail)
            else:
                write_text(self, row, col, value, cell_format)
        else:
            write_text(self, row, col, value, cell_format)

    def write_rich_string(self, row, col, *args):
        self._take("write_rich_string", (row, col, *args))
        self.plain = False

    def set_row(self, row, height=None, cell_format=None, options=None):
        if self._take("set_row", (row, height, cell_format, options)):
            pixels = int(height * 4.0 / 3.0 + 0.5) if height is not None else None
            if cell_format is not None or options or not pixels:
                self.plain = False
            else:
                self.height = pixels

    def _tail(self, string: str) -> str | None:
        """A text's cell after its style (``<is>``: :meth:`_text`), kept; None where
        xlsxwriter writes the text raw."""
        tail = self._tails.get(string)
        if tail is None:
            body = self._text(string)
            if body is None:
                return None
            tail = f' t="inlineStr">{body}</c>'
            if len(self._tails) < 50_000:
                self._tails[string] = tail
        return tail

    def _text(self, string: str) -> str | None:
        """The ``<is>`` of a text as xlsxwriter's ``_write_cell`` makes it; None where it
        writes the text raw (``<r>…</r>``)."""
        try:
            return self._texts[string]
        except KeyError:
            pass
        ws = self.ws
        if string.isprintable() and "_" not in string and "&" not in string \
                and "<" not in string and ">" not in string:
            text = escaped = string  # no control character, _xHHHH_, &, <, > to escape
        else:
            text = ws._escape_control_characters(string)
            escaped = ws._escape_data(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            body = None
        else:
            space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
            body = f"<is><t{space}>{escaped}</t></is>"
        if len(self._texts) < 50_000:
            self._texts[string] = body
        return body

    # ---------------------------------------------------------------- the row written
    def flush(self, direct: bool = True) -> None:
        """Write the row taken so far: directly when every call was plain, otherwise
        (or not ``direct``) through xlsxwriter's own calls."""
        r, ws = self.row, self.ws
        if r is None:
            return
        table = ws.table.get(r)
        if direct and self.plain and self.cells and ws.excel_version == 2007 and (
                r > ws.previous_row or (
                r == ws.previous_row and not table and r not in ws.row_info
                and r not in ws.comments)):
            if r > ws.previous_row:
                ws._write_single_row(r)  # the row xlsxwriter holds, then this one is next
            ws.fh.write(self._row_xml(r))
        else:
            for name, args in self.calls:
                getattr(ws, name)(*args)
        self.row, self.height, self.plain = None, None, True
        self.calls.clear()
        self.cells.clear()

    def _row_xml(self, r: int) -> str:
        ws = self.ws
        cols = sorted(self.cells)
        if self.height is not None:  # set_row's own dimension check, then the cells'
            ws._check_dimensions(r, ws.dim_colmin if ws.dim_colmin is not None else 0)
            ws.row_sizes[r] = [self.height, False]
        ws._check_dimensions(r, cols[0])
        ws._check_dimensions(r, cols[-1])
        n = str(r + 1)
        height = ws.default_row_height if self.height is None else self.height
        if height != ws.original_row_height or height != ws.default_row_height:
            out = [f'<row r="{n}" ht="{height * 0.75:.16g}" customHeight="1">']
        else:
            out = [f'<row r="{n}">']
        xf, refs = self._xf, self._refs
        for c in cols:
            fmt, rest = self.cells[c]
            style = xf.get(fmt)
            if style is None:  # registered here, in column order, as xlsxwriter does
                style = xf[fmt] = f' s="{fmt._get_xf_index()}"'
            ref = refs.get(c)
            if ref is None:
                ref = refs[c] = xl_col_to_name(c)
            out.append(f'<c r="{ref}{n}"{style}{rest}')
        out.append("</row>")
        return "".join(out)

    def close(self) -> None:
        """The last row goes to xlsxwriter, which holds it until the sheet's next row
        or its end, as it would have: what the sheet is given after its rows (a data bar
        makes it an Excel 2010 sheet, whose rows xlsxwriter writes with
        ``x14ac:dyDescent``) shows in that row as before."""
        self.flush(direct=False)
