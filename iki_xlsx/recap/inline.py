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

try:  # ISA-L's deflate: ~4× faster than zlib's fastest level here, and no larger
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
        # Every member deflated again at the fastest level (320 MB of Per Indikator for
        # 10,000 pegawai): several times faster than the default level, for a file about
        # a fifth larger.
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(
                out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                d = by_name.get(info.filename)
                if d is None:  # copied through a buffer: the other sheets are MBs too
                    with zin.open(info) as src, _member(zout, info) as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                    continue
                xml = zin.read(info.filename).decode("utf-8")
                cut = xml.index(f'<row r="{d.last + 1}"')
                end = xml.index("</sheetData>", cut)
                rows = InlineRows(d.styles, d.number_styles)
                with _member(zout, info.filename, force_zip64=True) as fh:
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


def _member(zout: zipfile.ZipFile, name, **options):
    """A member of ``zout`` open for writing, deflated by ISA-L where it is installed:
    zipfile's writer keeps its deflater in ``_compressor`` (Python 3.6 on) and takes the
    CRC and sizes of what it is given, so another deflater changes only the raw deflate
    stream (it inflates to the same part); where the attribute is missing, zipfile's own
    zlib deflates as before."""
    fh = zout.open(name, "w", **options)
    if _deflate is not None and getattr(fh, "_compressor", None) is not None:
        fh._compressor = _deflate.compressobj(1, _deflate.DEFLATED, -15)
    return fh
