"""The content of an OpenDocument spreadsheet (LibreOffice's own format): the same look
as :mod:`.xlsx` — protection, formulas, errors, percent cells, saved time — streamed over
``content.xml`` with expat, bounding every table's area before a value reader expands
repeated rows and columns.
"""

from __future__ import annotations

import re

from ..core.values import CellInfo
from ..forms import layout as L
from .container import MAX_SHEET_CELLS, Parts, Rejected

_PLAIN = CellInfo()

_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class OdsLook:
    """The same for an OpenDocument spreadsheet (LibreOffice's own format), streamed
    over content.xml with expat (no tree). Also bounds every table's used area *before*
    a value reader expands ``number-rows-repeated`` × ``number-columns-repeated``."""

    def __init__(self, content: bytes, sheet_name: str):
        from xml.parsers import expat

        t, o = _NS_TABLE + "}", _NS_OFFICE + "}"
        tag_table, tag_row = t + "table", t + "table-row"
        cell_tags = (t + "table-cell", t + "covered-table-cell")
        a_rows, a_cols = t + "number-rows-repeated", t + "number-columns-repeated"
        a_name, a_protected = t + "name", t + "protected"
        a_formula, a_type = t + "formula", o + "value-type"
        self.protected: bool | None = None
        self.modified_at: str | None = None
        self.cells: dict[str, dict] = {}
        st = {"depth": 0, "current": False, "row": 0, "col": 0, "rep_r": 1,
              "cell": None, "box": None}

        def start(tag, attrs):
            if tag == tag_table:
                st["depth"] += 1
                if st["depth"] == 1:
                    st["current"] = attrs.get(a_name) == sheet_name
                    if st["current"]:
                        self.protected = attrs.get(a_protected) == "true"
                    st["row"] = st["col"] = 0
                    st["box"] = None
                return
            if st["depth"] != 1:
                return
            if tag == tag_row:
                st["rep_r"] = _repeat(attrs.get(a_rows))
                st["col"] = 0
            elif tag in cell_tags:
                st["cell"] = [attrs, False]  # attributes, has content
            elif st["cell"] is not None:
                st["cell"][1] = True

        def end(tag):
            if tag == tag_table:
                st["depth"] -= 1
                return
            if st["depth"] != 1:
                return
            if tag == tag_row:
                st["row"] += st["rep_r"]
                st["rep_r"] = 1
            elif tag in cell_tags and st["cell"] is not None:
                attrs, content = st["cell"]
                st["cell"] = None
                rep_c = _repeat(attrs.get(a_cols))
                formula, kind = attrs.get(a_formula), attrs.get(a_type)
                row, col = st["row"], st["col"]
                if formula or kind or content:
                    box = st["box"] or [row, col, row, col]
                    box = [min(box[0], row), min(box[1], col),
                           max(box[2], row + st["rep_r"] - 1), max(box[3], col + rep_c - 1)]
                    st["box"] = box
                    if (box[2] - box[0] + 1) * (box[3] - box[1] + 1) > MAX_SHEET_CELLS:
                        raise Rejected("lembar_terlalu_luas", rows=box[2] + 1,
                                       cols=L.col_name(min(box[3], 16_383)),
                                       max_cells=MAX_SHEET_CELLS)
                    if st["current"] and (formula or kind) and row < 100_000:
                        error = any(k.endswith("}value-type") and v == "error"
                                    for k, v in attrs.items())
                        for k in range(min(rep_c, 64)):
                            self.cells[L.cell_ref(row, col + k)] = {
                                "f": bool(formula), "percent": kind == "percentage",
                                "error": error}
                st["col"] = col + rep_c

        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.EntityDeclHandler = _no_entities
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            parser.Parse(content, True)
        except expat.ExpatError:
            raise Rejected("berkas_rusak", reason="content.xml") from None

    def info(self, ref: str) -> CellInfo:
        cell = self.cells.get(ref)
        if not cell:
            return _PLAIN
        return CellInfo(percent=cell["percent"], formula=cell["f"], error=cell["error"])

    def infos(self, refs=None) -> dict[str, CellInfo]:
        """The cells (of ``refs``, or all) that are not plain (percent, formula, error)."""
        out = {ref: self.info(ref) for ref in (self.cells if refs is None else refs)
               if ref in self.cells}
        return {ref: info for ref, info in out.items() if info != _PLAIN}

    def has_formula(self, ref: str) -> bool:
        cell = self.cells.get(ref)
        return bool(cell and cell["f"])


def _no_entities(*args):
    raise Rejected("xml_entitas")


def _repeat(value: str | None) -> int:
    try:
        n = int(value) if value else 1
    except ValueError:
        return 1
    return max(1, min(n, 1 << 31))


def ods_modified(parts: Parts) -> str | None:
    if "meta.xml" not in parts:
        return None
    try:
        meta = parts.read("meta.xml", 1 << 20)
    except Rejected:
        return None
    m = re.search(rb"<dc:date>([^<]{1,64})<", meta)
    return m[1].decode("utf-8", "replace").strip() if m else None


