"""A workbook as a reader sees it on paper: printed by LibreOffice (every sheet it
prints), then read back with PyMuPDF, which drops glyphs outside clip paths, so text cut
off by a short row or a narrow column is *not* found.

* :func:`overprints`: text lines printed over each other (a row too short for its
  wrapped text spills into the next row's text); :func:`spills`: text printed across a
  cell border (into the next row, over its text or not);
* :func:`hidden_texts`: cell texts of the workbook's visible sheets that cannot be read
  whole on any page (clipped by the row or the column);
* :func:`paper`: the paper every page was printed on (from the page size);
* :func:`fonts`: the fonts the PDF embeds (which one stood in for Arial).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from libreoffice import run

# Page sizes in points, landscape (width > height): A4 297 × 210 mm; xlsxwriter's paper
# 14 is Folio 8.5 × 13 in (≈ F4 215 × 330 mm).
PAPERS = {"A4": (841.9, 595.3), "F4": (936.0, 612.0)}


def print_all(paths: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Each workbook printed to ``out_dir/<n>.pdf`` in one LibreOffice call."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdfs = {Path(p): out_dir / f"{i}-{Path(p).stem}.pdf" for i, p in enumerate(paths)}
    run([{"path": str(p), "save": [{"path": str(pdf), "format": "pdf"}]}
         for p, pdf in pdfs.items()])
    return pdfs


def _lines(page) -> list[tuple[tuple[float, float, float, float], str]]:
    out = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"]).strip()
            if text:
                out.append((tuple(line["bbox"]), text))
    return out


def overprints(pdf: Path) -> list[tuple[int, str, str]]:
    """(page, text, text) of every two text lines whose boxes overlap: the lower one
    printed over the upper one (each line's box is its glyphs' height, so lines of one
    cell or of neighbouring rows never overlap unless one spills into the other)."""
    import pymupdf

    found = []
    with pymupdf.open(pdf) as doc:
        for number, page in enumerate(doc, start=1):
            lines = sorted(_lines(page), key=lambda item: item[0][1])
            for i, ((x0, y0, x1, y1), text) in enumerate(lines):
                for (u0, v0, u1, v1), other in lines[i + 1:]:
                    if v0 >= y1 - 1:
                        break  # sorted by top: no later line reaches up into this one
                    tall = min(y1 - y0, v1 - v0)
                    if min(x1, u1) - max(x0, u0) > 1 and min(y1, v1) - max(y0, v0) > tall / 4:
                        found.append((number, text, other))
    return found


# Cell borders as LibreOffice prints them: thin stroked lines in the grid's grey
# (iki_xlsx.core.sheets.GRID) or black (the form's table). Chart lines have other colours.
_BORDER_COLOURS = ((0.651, 0.651, 0.651), (0.0, 0.0, 0.0))


def _borders(page) -> list[tuple[float, float, float]]:
    """(y, x0, x1) of the horizontal cell borders on ``page``."""
    out = []
    for drawing in page.get_drawings():
        colour = drawing.get("color")
        if colour is None or (drawing.get("width") or 0) > 1.5 or not any(
                all(abs(a - b) < 0.01 for a, b in zip(colour, grid)) for grid in _BORDER_COLOURS):
            continue
        for item in drawing["items"]:
            if item[0] == "l" and abs(item[1].y - item[2].y) < 0.5:
                out.append((item[1].y, min(item[1].x, item[2].x), max(item[1].x, item[2].x)))
    return out


def _underline(box, y: float, x: float) -> bool:
    """The line is the text's own underline: from where the text starts, at its foot."""
    x0, y0, _, y1 = box
    return abs(x - x0) < 0.5 and y > y1 - (y1 - y0) * 0.2


def spills(pdf: Path) -> list[tuple[int, str]]:
    """(page, text) of every text line printed across a cell's border: a row too short
    for its wrapped text spills into the row below (over its text or not)."""
    import pymupdf

    found = []
    with pymupdf.open(pdf) as doc:
        for number, page in enumerate(doc, start=1):
            borders = _borders(page)
            for (x0, y0, x1, y1), text in _lines(page):
                # a line that fits lies wholly between two borders (measured: no line of
                # a fitted row comes within a point of one); 0.25 pt: rounding only
                if any(y0 + 0.25 < y < y1 - 0.25 and min(x1, b1) - max(x0, b0) > 1
                       and not _underline((x0, y0, x1, y1), y, b0) for y, b0, b1 in borders):
                    found.append((number, text))
    return found


def normalise(text: str) -> str:
    """Without whitespace (LibreOffice wraps after hyphens and slashes and inside words
    longer than the column; a cut-off word is still missing) and without symbols such as
    ✓ (printed from a fallback font, which PyMuPDF reads out of the line's order)."""
    return "".join(ch for ch in text if not ch.isspace()
                   and unicodedata.category(ch) != "So")


def visible_text(pdf: Path) -> str:
    import pymupdf

    with pymupdf.open(pdf) as doc:
        return normalise(" ".join(page.get_text("text") for page in doc))


def cell_texts(xlsx: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every text cell of the visible sheets (merged ranges once)."""
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    out = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() \
                        and not cell.value.startswith("="):
                    out.append((ws.title, cell.coordinate, cell.value))
    return out


def hidden_texts(xlsx: Path, pdf: Path) -> list[tuple[str, str, str]]:
    """The cell texts of ``xlsx`` not readable whole in ``pdf``; and ``###`` (a number
    too wide for its column) wherever it shows."""
    shown = visible_text(pdf)
    missing = [(sheet, ref, text[:60]) for sheet, ref, text in cell_texts(xlsx)
               if normalise(text) not in shown]
    if "###" in shown:
        missing.append(("?", "?", "### (a number too wide for its column)"))
    return missing


def paper(pdf: Path) -> set[str]:
    """The papers of the PDF's pages (``A4``, ``F4``, or ``w×h`` in points)."""
    import pymupdf

    out = set()
    with pymupdf.open(pdf) as doc:
        for page in doc:
            size = (round(page.rect.width, 1), round(page.rect.height, 1))
            name = next((k for k, (w, h) in PAPERS.items()
                         if abs(w - size[0]) < 2 and abs(h - size[1]) < 2), None)
            out.add(name or f"{size[0]}×{size[1]}")
    return out


def fonts(pdf: Path) -> str:
    import pymupdf

    with pymupdf.open(pdf) as doc:
        return " ".join(f[3] for page in doc for f in page.get_fonts())
