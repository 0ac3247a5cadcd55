"""Fast rows for the largest recap sheet: its data rows written straight as
SpreadsheetML after xlsxwriter closes the workbook. xlsxwriter's ~10 µs per cell made Per
Indikator alone 40 s for 10,000 pegawai × 25 indikator; :class:`InlineRows` writes every
text as an inline string (never a formula, never a link), every number as a number in
the format that shows it as it reads in text, every empty cell with its style (the grid
stays whole), each row with the height its wrapped text needs, and :func:`splice` puts
those rows in place of the placeholder row xlsxwriter wrote."""

from __future__ import annotations

import math
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from ..core.show import decimals_shown
from ..core.xlsxtext import limit

_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                          "|_x[0-9A-Fa-f]{4}_")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _escape_one(m: re.Match) -> str:
    g = m.group()
    if g in _ENTITIES:
        return _ENTITIES[g]
    if len(g) > 1:  # text that reads like Excel's own escape stays literal: _x005F_x0041_
        return "_x005F" + g
    if "\ud800" <= g <= "\udfff":  # a lone surrogate cannot be stored
        return "\ufffd"
    return f"_x{ord(g):04X}_"  # control characters, as Excel escapes them


class InlineRows:
    """Rows of SpreadsheetML, every text an inline string (``t="inlineStr"``: never a
    formula, never a link), every number a number, each column with its cell style and
    each number with the style of its decimals (:func:`~iki_xlsx.core.show.decimals_shown`)."""

    def __init__(self, styles: list[int], number_styles: tuple[int, int, int]):
        self.styles = styles
        self.prefix = [f'<c r="{xl_col_to_name(c)}\x00" s="{style}"'
                       for c, style in enumerate(styles)]
        self.empty = [f"{p}/>" for p in self.prefix]
        self.number_prefix = [tuple(f'<c r="{xl_col_to_name(c)}\x00" s="{style}"'
                                    for style in number_styles) for c in range(len(styles))]
        self._memo: dict[str, str] = {}
        self._numbers: list[dict[float, str]] = [{} for _ in styles]  # per column

    def text(self, value: str) -> str:
        hit = self._memo.get(value)
        if hit is None:
            body = _XML_SPECIAL.sub(_escape_one, limit(value))
            space = ' xml:space="preserve"' if body[:1].isspace() or body[-1:].isspace() else ""
            hit = f"<is><t{space}>{body}</t></is>"
            if len(self._memo) < 10_000:  # the texts that repeat come first
                self._memo[value] = hit
        return hit

    def cells(self, start: int, values) -> str:
        """Cells of columns ``start``, ``start + 1``, … (an empty value: a cell with its
        style only), with the row number left as ``\\x00`` (escaped text never holds
        one) for :meth:`row`."""
        out = []
        add = out.append
        prefix, empty, number_prefix = self.prefix, self.empty, self.number_prefix
        numbers = self._numbers
        for c, v in enumerate(values, start):
            kind = type(v)
            if kind is float and math.isfinite(v):  # most cells: tested first
                seen = numbers[c]
                cell = seen.get(v) if v else None  # 0.0 and -0.0: one key, two texts
                if cell is None:
                    cell = (f"{number_prefix[c][0 if v.is_integer() else decimals_shown(v)]}>"
                            f"<v>{v!r}</v></c>")
                    if v and len(seen) < 20_000:  # realisasi and capaian repeat
                        seen[v] = cell
                add(cell)
            elif kind is str:
                add(f'{prefix[c]} t="inlineStr">{self.text(v)}</c>' if v else empty[c])
            elif v is None:
                add(empty[c])
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                if not math.isfinite(v):
                    add(empty[c])
                    continue
                shown = 0 if type(v) is int or v.is_integer() else decimals_shown(v)
                add(f"{number_prefix[c][shown]}><v>{v!r}</v></c>")
            else:
                add(f'{prefix[c]} t="inlineStr">{self.text(str(v))}</c>')
        return "".join(out)

    @staticmethod
    def row(r: int, height: float, *chunks: str) -> str:
        """Row ``r`` (0-based), ``height`` points tall, from chunks of :meth:`cells`, in
        column order."""
        n = str(r + 1)
        return (f'<row r="{n}" ht="{height}" customHeight="1">'
                + "".join(chunks).replace("\x00", n) + "</row>")


@dataclass
class Deferred:
    """Data rows first..last (0-based) of ``sheet``, written after the workbook: xlsxwriter
    wrote the sheet with a placeholder row at ``last`` (for the dimension and the cell
    formats); :func:`splice` puts ``rows`` in its place."""

    sheet: object
    first: int
    last: int
    styles: list[int]  # cell style (xf index) per column
    number_styles: tuple[int, int, int]  # a number's style by its decimals (0, 1, 2)
    rows: object  # callable(InlineRows) → iterator of row XML
    number: int = 0  # xl/worksheets/sheet<number>.xml


def splice(path: Path, deferred: list[Deferred]) -> None:
    if not deferred:
        return
    by_name = {f"xl/worksheets/sheet{d.number}.xml": d for d in deferred}
    out = path.with_name(path.name + ".rows")
    try:
        # The big sheet is deflated at level 1: several times faster than the default
        # level, for a file about a fifth larger.
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(
                out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                d = by_name.get(info.filename)
                if d is None:  # copied through a buffer: the other sheets are MBs too
                    with zin.open(info) as src, zout.open(info, "w") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                    continue
                xml = zin.read(info.filename).decode("utf-8")
                cut = xml.index(f'<row r="{d.last + 1}"')
                end = xml.index("</sheetData>", cut)
                rows = InlineRows(d.styles, d.number_styles)
                with zout.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(xml[:cut].encode("utf-8"))
                    chunk: list[str] = []
                    for row in d.rows(rows):
                        chunk.append(row)
                        if len(chunk) >= 2000:
                            fh.write("".join(chunk).encode("utf-8"))
                            chunk.clear()
                    fh.write("".join(chunk).encode("utf-8"))
                    fh.write(xml[end:].encode("utf-8"))
        os.replace(out, path)
    finally:
        out.unlink(missing_ok=True)
