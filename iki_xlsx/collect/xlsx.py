"""The XML of an xlsx workbook, for what a value reader does not tell: the used area of a
sheet bounded before any reader allocates it, and — for the cells that matter — formulas,
error values, percent formats, sheet protection and the document's saved time. Byte-level
scans over the part as stored (no DOM of the sheet): a form has ~1,000 cells and a
collect reads thousands of forms.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

from ..core.values import CellInfo
from ..forms import layout as L
from .container import MAX_SHEET_CELLS, Parts, Rejected

_FAR = (  # r="AB1234" or r = 'XFD1': a row ≥ 1000 or a column ≥ AAA
    rb"""r\s*=\s*["'](?:[A-Za-z]{0,3}[0-9]{4,}|[A-Za-z]{3,}[0-9]+)["']""")
# The same references, found with no backtracking (letters, digits, spaces, "=" and
# quotes are disjoint runs, so taking each run whole loses no match): three or more
# letters then digits, or at most two letters then four digits or more. ~40 % less time
# on a form's sheet, where every cell's r="…" is tried. Possessive repeats: Python 3.11.
_FAR_POSSESSIVE = (
    rb"""r\s*+=\s*+["'](?:[A-Za-z]{3}[A-Za-z]*+[0-9]++|[A-Za-z]{0,2}+[0-9]{4}[0-9]*+)["']""")
_ANY_FAR = re.compile(_FAR_POSSESSIVE if sys.version_info >= (3, 11) else _FAR)
_TAG = re.compile(rb"""<(/?)(?:\w+:)?(row|c)\b([^>]*)>""")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")


def check_sheet_area(xml: bytes, name: str = "") -> None:
    """Reject a sheet whose used area (rows × columns, as a value reader allocates it)
    exceeds :data:`MAX_SHEET_CELLS` (calamine aborts the whole process when it cannot
    allocate a sheet). A reader places a cell by its reference, or — a row or cell
    written without one — right after the previous one; so no cell lies beyond row
    999 + the number of rows nor column ZZ + the number of cells, unless a reference
    goes further (written in any way a value reader accepts: either quote, spaces
    around ``=``). Only when that bound is too large (a sheet of more than ~2,700
    tags) are the cells placed one by one."""
    if not _ANY_FAR.search(xml):
        # rows + cells ≤ tags: the area is at most (999 + rows) × (702 + cells) ≤ this
        tags = xml.count(b"<")
        if ((999 + 702 + tags) // 2 + 1) ** 2 <= MAX_SHEET_CELLS:
            return
    top = left = 1 << 62
    bottom = right = -1
    row = col = -1
    for closing, tag, attrs in _TAG.findall(xml):
        if closing:
            continue
        ref = _R_ATTR.search(attrs)
        if tag == b"row":
            row = int(ref[2]) - 1 if ref and ref[2] and not ref[1] else row + 1
            col = -1
            continue
        if ref and ref[1] and ref[2]:
            row, col = int(ref[2]) - 1, L.col_number(ref[1]) - 1
        else:
            col += 1
        top, bottom = min(top, row), max(bottom, row)
        left, right = min(left, col), max(right, col)
    if bottom < 0:
        return
    if (bottom - top + 1) * (right - left + 1) > MAX_SHEET_CELLS or bottom >= 1_048_576 \
            or right >= 16_384:
        raise Rejected("lembar_terlalu_luas", rows=bottom + 1,
                       cols=L.col_name(min(right, 16_383)), max_cells=MAX_SHEET_CELLS)


# --------------------------------------------------------------------------- XML looks

_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")


_ST_CANONICAL = re.compile(rb'(?: s="([0-9]{1,9})")?(?: t="(\w+)")?')
_S_ATTR = re.compile(rb'\bs="([0-9]{1,9})"')
_T_ATTR = re.compile(rb'\bt="(\w+)"')


@lru_cache(maxsize=64)
def _encoded(refs: frozenset[str]) -> frozenset[bytes]:
    return frozenset(ref.encode() for ref in refs)


_REF = re.compile(rb'\br="([A-Za-z]+[0-9]+)"')
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_CACHED = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is\b")  # a non-empty cached value
_percent_cache: dict[tuple, frozenset[int]] = {}  # styles part → percent styles
_PLAIN = CellInfo()


class XlsxLook:
    """What calamine does not tell about an xlsx sheet: protection, formulas, errors and
    number formats of given cells, and the document's modified time. Only the cells
    asked for are examined, with byte-level scans (no DOM of the sheet)."""

    def __init__(self, parts: Parts, path: str | None, wanted: set[str] | None,
                 formulas: set[str] = frozenset()):
        """``wanted``: the cells to look at (None: every cell); ``formulas``: the
        manifest's formula cells (of which only the presence of a formula matters)."""
        self.parts = parts
        xml = parts.read(path) if path else b""
        self.protected = _has_element(xml, b"sheetProtection") if path else None
        percent = self._percent()
        # ref → (style, type, formula, cached value), for cells that are not plain
        cells = _look_canonical(xml, wanted, percent, formulas) \
            if b'<c r="' in xml else None
        if cells is None:
            cells = _look_general(xml, None if wanted is None else _encoded(frozenset(wanted)),
                                  percent)
        made: dict[tuple, CellInfo] = {}
        self._info: dict[str, CellInfo] = {}
        self._formulas: set[str] = set()
        for ref, (style, kind, formula, cached) in cells.items():
            key = (style in percent, formula, kind == b"e", cached)
            info = made.get(key)
            if info is None:
                info = made[key] = CellInfo(*key)
            self._info[ref] = info
            if formula:
                self._formulas.add(ref)
        self.modified_at = self._modified()

    def _percent(self) -> frozenset[int]:
        name = "xl/styles.xml"
        if name not in self.parts:
            return frozenset()
        key = self.parts.packed(name)
        styles = _percent_cache.get(key)
        if styles is None:
            if len(_percent_cache) > 64 or len(key[1]) > 1 << 18:
                _percent_cache.clear()
            styles = _percent_cache[key] = _percent_styles(self.parts.read(name))
        return styles

    def info(self, ref: str) -> CellInfo:
        return self._info.get(ref, _PLAIN)

    def infos(self, refs=None) -> dict[str, CellInfo]:
        """The cells (of ``refs``, or all looked at) that are not plain (percent format,
        formula, error)."""
        if refs is None:
            return dict(self._info)
        return {ref: info for ref, info in self._info.items() if ref in refs}

    def has_formula(self, ref: str) -> bool:
        return ref in self._formulas

    def _modified(self) -> str | None:
        if "docProps/core.xml" not in self.parts:
            return None
        try:
            core = self.parts.read("docProps/core.xml", 1 << 20)
        except Rejected:
            return None
        m = re.search(rb"<dcterms:modified[^>]*>([^<]{1,64})<", core)
        return m[1].decode("utf-8", "replace").strip() if m else None


def _look_canonical(xml: bytes, wanted: set[str] | None, percent: frozenset[int],
                    formulas: set[str]) -> dict[str, tuple] | None:
    """Excel, LibreOffice, Google Sheets and xlsxwriter write cells as ``<c r="REF"``
    (then s, then t). Instead of visiting every cell asked for, find what makes a cell
    not plain — a formula element, an error type, a percent style — and the cell that
    holds it (the last ``<c r="`` before it). Of the expected ``formulas`` only their
    presence is noted. None when a cell is spelled otherwise (the general scan then
    looks at every cell)."""
    cells: dict[str, tuple] = {}
    found = [(m.start(), True) for m in _FORMULA_OPEN.finditer(xml)]
    found.extend((m.start(), False) for m in _ERROR_TYPE.finditer(xml))  # one scan
    for style in percent:
        needle = b' s="%d"' % style
        at = xml.find(needle)
        while at >= 0:
            found.append((at, False))
            at = xml.find(needle, at + 1)
    known = _TAG_CACHE
    for pos, in_body in found:
        at = xml.rfind(b'<c r="', 0, pos)
        quote = xml.find(b'"', at + 6, pos) if at >= 0 else -1
        if quote < 0 or xml.find(b"<c", quote, pos) >= 0:
            return None  # not inside a cell opened as <c r="…"
        close = xml.find(b">", quote) + 1
        if in_body:  # a formula: in the content of this cell, which is still open
            if not 0 < close <= pos or xml[close - 2] == 0x2F or \
                    xml.find(b"</c>", close, pos) >= 0:
                return None
        elif not pos < close:
            continue  # an attribute of a row or another element, not of a cell
        ref = xml[at + 6: quote].decode("ascii", "replace")
        if ref in cells or (wanted is not None and ref not in wanted):
            continue
        if in_body and ref in formulas:
            cells[ref] = _FORMULA_CELL  # one of ours: only its presence matters
            continue
        tag = xml[quote + 1: close]
        cell = known.get(tag)
        if cell is None:
            cell = _tag_cell(tag)
            if len(known) < 4096:
                known[tag] = cell
        style, kind, has_body = cell
        formula, cached = False, True
        if has_body:
            stop = xml.find(b"</c>", close)
            formula, cached = _content(kind, xml[close: stop] if stop >= 0 else b"")
        if formula or kind == b"e" or style in percent:
            cells[ref] = (style, kind, formula, cached)
    return cells


_FORMULA_OPEN = re.compile(rb"<f[ >/]")  # two scans: an alternation would lose the
_ERROR_TYPE = re.compile(rb' t="e"')  # literal prefix that makes each one fast
_FORMULA_CELL = (0, b"", True, True)


_TAG_CACHE: dict[bytes, tuple] = {}


def _has_element(xml: bytes, name: bytes) -> bool:
    """Whether ``<name`` or ``<prefix:name`` opens an element somewhere in ``xml``
    (searched from the end: sheetProtection follows the cells)."""
    at = xml.rfind(name)
    while at >= 0:
        end = xml[at + len(name): at + len(name) + 1]
        if end in (b" ", b"/", b">", b"\t", b"\r", b"\n") and \
                _ELEMENT_START.search(xml, max(0, at - 64), at):
            return True
        at = xml.rfind(name, 0, at)
    return False


_ELEMENT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?\Z")


def _tag_cell(tag: bytes) -> tuple:
    """(style, type, has content) of a cell from the rest of its opening tag."""
    if tag.endswith(b"/>"):
        return (*_style_kind(tag[:-2]), False)
    return (*_style_kind(tag[:-1]), True)


def _style_kind(attrs: bytes) -> tuple[int, bytes]:
    st = _ST_CANONICAL.fullmatch(attrs)
    if st:
        style, kind = st[1] or b"", st[2] or b""
    else:
        found = _S_ATTR.search(attrs)
        style = found[1] if found else b""
        found = _T_ATTR.search(attrs)
        kind = found[1] if found else b""
    return (int(style) if style else 0), kind


def _look_general(xml: bytes, want: frozenset[bytes] | None,
                  percent: frozenset[int]) -> dict[str, tuple]:
    """Any other spelling (namespace prefixes, attributes in another order)."""
    cells: dict[str, tuple] = {}
    for m in _CELL_OPEN.finditer(xml):
        r = _REF.search(m[1])
        ref = r[1] if r else b""
        if want is not None and ref not in want:
            continue
        style, kind = _style_kind(m[1].rstrip(b"/"))
        formula, cached = False, True
        if not m[2]:  # <c ...> … </c>
            end = _CELL_END.search(xml, m.end())
            formula, cached = _content(kind, xml[m.end(): end.start() if end else m.end()])
        if formula or kind == b"e" or style in percent:
            cells[ref.decode()] = (style, kind, formula, cached)
    return cells


def _content(kind: bytes, body: bytes) -> tuple[bool, bool]:
    """(holds a formula, carries a value) of a cell's content: a formula counts as
    computed when its cached value is not empty (or its type says text, boolean …)."""
    formula = b"f" in body and bool(_FORMULA.search(body))
    return formula, not formula or bool(kind and kind != b"n") or bool(_CACHED.search(body))


def _percent_styles(data: bytes) -> frozenset[int]:
    """Indexes of cellXfs whose number format shows percent."""
    from defusedxml import ElementTree as ET

    styles: set[int] = set()
    try:
        root = ET.fromstring(data)
    except Exception:
        return frozenset()
    custom = {}
    for el in root.iter():
        if el.tag.endswith("}numFmt"):
            try:
                custom[int(el.get("numFmtId", -1))] = el.get("formatCode", "")
            except ValueError:
                continue
    xfs = next((el for el in root.iter() if el.tag.endswith("}cellXfs")), None)
    for i, xf in enumerate(xfs if xfs is not None else []):
        try:
            fid = int(xf.get("numFmtId", 0))
        except ValueError:
            continue
        code = re.sub(r'"[^"]*"|\\.', "", custom.get(fid, ""))  # quoted/escaped % is text
        if fid in (9, 10) or "%" in code:
            styles.add(i)
    return frozenset(styles)
