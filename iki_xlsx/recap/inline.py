"""Fast rows for the largest recap sheet: its data rows written straight as
SpreadsheetML after xlsxwriter closes the workbook. xlsxwriter's ~10 µs per cell made Per
Indikator alone 40 s for 10,000 pegawai × 25 indikator; :class:`InlineRows` writes every
text as an inline string (never a formula, never a link), every number as a number in
the format that shows it as it reads in text, every empty cell with its style (the grid
stays whole), each row with the height its wrapped text needs; :mod:`.rowzip` puts
those rows in place of the placeholder row xlsxwriter wrote."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name

from ..core.show import decimals_shown
from ..core.xlsxtext import limit

try:  # ISA-L's deflate (rowzip's): ~4× faster than zlib's fastest level, and no larger
    from isal import isal_zlib as _deflate
except ImportError:  # no wheel for this platform: zlib's level 1, as zipfile does it
    _deflate = None

_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                          "|_x[0-9A-Fa-f]{4}_")
_KEPT = {float, str, type(None)}  # the values whose cells are kept per column
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
        self._seen: list[dict[object, str]] = [{} for _ in styles]  # per column
        self._seen_at = [self._seen[c:] for c in range(len(styles))]

    def text(self, value: str) -> str:
        hit = self._memo.get(value)
        if hit is None:
            body = limit(value)
            if not body.isprintable() or "&" in body or "<" in body or ">" in body \
                    or "_" in body:  # else nothing to escape: _XML_SPECIAL is none of these
                body = _XML_SPECIAL.sub(_escape_one, body)
            space = ' xml:space="preserve"' if body[:1].isspace() or body[-1:].isspace() else ""
            hit = f"<is><t{space}>{body}</t></is>"
            if len(self._memo) < 10_000:  # the texts that repeat come first
                self._memo[value] = hit
        return hit

    def cells(self, start: int, values) -> str:
        """Cells of columns ``start``, ``start + 1``, … (an empty value: a cell with its
        style only), with the row number left as ``\\x00`` (escaped text never holds
        one) for :meth:`row`. A column's cell of a text up to 32 characters, of a finite
        float other than zero and of None is kept and looked up by value (when the
        values hold no int or bool, which would be equal to a kept float)."""
        values = tuple(values)
        if set(map(type, values)) <= _KEPT:  # no int or bool: equal to a kept float
            out = [*map(dict.get, self._seen_at[start], values)]
            if None not in out:  # every cell kept before
                return "".join(out)
            for i, cell in enumerate(out):
                if cell is None:
                    v = values[i]
                    out[i] = self._cell(start + i, v, type(v))
            return "".join(out)
        return "".join([self._cell(c, v, type(v)) for c, v in enumerate(values, start)])

    def _cell(self, c: int, v, kind) -> str:
        """One cell, kept for the next equal value of its column when it is a text, a
        finite float other than zero (0.0 and -0.0: one key, two texts) or None."""
        if kind is float and math.isfinite(v):
            cell = (f"{self.number_prefix[c][0 if v.is_integer() else decimals_shown(v)]}>"
                    f"<v>{v!r}</v></c>")
            if not v:
                return cell
        elif kind is str:
            cell = f'{self.prefix[c]} t="inlineStr">{self.text(v)}</c>' if v \
                else self.empty[c]
            if len(v) > 32:  # the texts that repeat are short: Ya, Tidak, a status
                return cell
        elif v is None:
            cell = self.empty[c]
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            if not math.isfinite(v):
                return self.empty[c]
            shown = 0 if type(v) is int or v.is_integer() else decimals_shown(v)
            return f"{self.number_prefix[c][shown]}><v>{v!r}</v></c>"
        else:
            return f'{self.prefix[c]} t="inlineStr">{self.text(str(v))}</c>'
        seen = self._seen[c]
        if len(seen) < 50_000:  # per column: ≤ ~5 MB; realisasi and capaian repeat
            seen[v] = cell
        return cell

    @staticmethod
    def start(height: float) -> str:
        """A row's start tag, ``height`` points tall, its number left as ``\\x00``."""
        return f'<row r="\x00" ht="{height}" customHeight="1">'

    @staticmethod
    def row(r: int, start: str, *chunks: str) -> str:
        """Row ``r`` (1-based) from its :meth:`start` and chunks of :meth:`cells`, in
        column order."""
        return "".join((start, *chunks, "</row>")).replace("\x00", str(r))


@dataclass
class Deferred:
    """Data rows up to ``last`` (0-based) of ``sheet``, written after the workbook: xlsxwriter
    wrote the sheet with a placeholder row at ``last`` (for the dimension and the cell
    formats), which the rows replace (see :mod:`.rowjobs`), in the cells' ``styles``."""

    sheet: object
    last: int
    styles: tuple  # the cells' xf indices: per column, and a number's by its decimals
