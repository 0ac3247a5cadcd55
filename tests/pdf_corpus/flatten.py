"""Text of a PDF whose table columns are flattened, the way the decree in
``tests/data/decree`` came: every table cell is a block of its own lines, the blocks of a
row one after the other (NO, SASARAN, INDIKATOR, …) separated by blank lines, and the first
line of a cell joined to its left neighbour's line when they stand on one line close
together (``100% Jumlah dokumen …``, ``1 dokumen Laporan keuangan (CaLK)  Sub Bagian``),
as a text extractor that groups characters into lines and lines into blocks writes it.
Lines end with a space, as in the sample. Text outside tables is written line by line.

Made from the PDF's own cells (pdfplumber's table finder and the words in each cell), so
the wrapping is the printed one.
"""

from __future__ import annotations

from pathlib import Path

_JOIN = 32.0  # points between two cells' first lines that an extractor makes one line


def flattened_text(pdf_path: Path) -> str:
    import pdfplumber

    out: list[str] = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            items: list[tuple[float, list[str]]] = []
            free = page.filter(lambda o: o.get("object_type") != "char" or not any(
                _holds(b, o) for b in boxes))
            for line in free.extract_text_lines():
                items.append((line["top"], [line["text"] + " "]))
            for table in tables:
                items.append((table.bbox[1], _table_text(page, table)))
            for _, lines in sorted(items, key=lambda item: item[0]):
                out += lines
    return "\n".join(out) + "\n"


def _table_text(page, table) -> list[str]:
    """Cells row by row (cells whose tops agree), each row left to right."""
    rows: list[list[tuple]] = []
    for box in sorted(table.cells, key=lambda b: (b[1], b[0])):
        if rows and abs(rows[-1][0][1] - box[1]) < 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    out: list[str] = [""]
    for row in rows:
        last: tuple[float, float] | None = None  # (top, x1) of the line written last
        for box in sorted(row, key=lambda b: b[0]):
            lines = _cell_lines(page, box)
            for k, (top, x0, x1, text) in enumerate(lines):
                if k == 0 and last is not None and abs(top - last[0]) < 2 and (
                        x0 - last[1] <= _JOIN):
                    out[-1] = out[-1].rstrip() + ("  " if x0 - last[1] > 6 else " ") + text + " "
                elif k == 0:
                    out += ["", text + " "]
                else:
                    out.append(text + " ")
                last = (top, x1)
    return out + [""]


def _holds(box, char) -> bool:
    cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _cell_lines(page, box) -> list[tuple[float, float, float, str]]:
    words = page.filter(lambda o: o.get("object_type") == "char" and _holds(box, o)
                        ).extract_words()
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) < 2:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [(ln[0]["top"], ln[0]["x0"], ln[-1]["x1"], " ".join(w["text"] for w in ln))
            for ln in lines]
