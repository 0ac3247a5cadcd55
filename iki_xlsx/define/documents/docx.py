"""Word (.docx) documents as the text the IKI reader understands: paragraphs become lines,
table rows become tab-separated lines, paragraphs inside a cell are joined with ``<br>``
(which the cell clean-up turns into a list), list paragraphs get a ``- `` bullet.

Only ``word/document.xml`` is read (standard library only); headers, footers, text boxes
and images are ignored.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(path: str | Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            root = ET.fromstring(z.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        raise ValueError(f"bukan berkas .docx yang sah: {exc}") from exc
    body = root.find(f"{W}body")
    lines: list[str] = []
    for child in body if body is not None else ():
        if child.tag == f"{W}p":
            lines.append(_paragraph(child))
        elif child.tag == f"{W}tbl":
            lines.extend(_table(child))
            lines.append("")
    return "\n".join(lines)


def _paragraph(p: ET.Element) -> str:
    parts = []
    for node in p.iter():
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    text = "".join(parts)
    if p.find(f"{W}pPr/{W}numPr") is not None and text.strip():
        text = "- " + text
    return text


def _table(tbl: ET.Element) -> list[str]:
    rows = []
    for tr in tbl.findall(f"{W}tr"):
        cells = []
        for tc in tr.findall(f"{W}tc"):
            paragraphs = [_paragraph(p).replace("\t", " ").replace("\n", "<br>")
                          for p in tc.findall(f".//{W}p")]
            cells.append("<br>".join(t for t in paragraphs if t.strip()))
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            if span is not None:
                cells.extend([""] * (int(span.get(f"{W}val", "1")) - 1))
        rows.append("\t".join(cells))
    return rows
