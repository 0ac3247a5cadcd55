"""Make the corpus: every layout's documents, printed by its producer, into one folder.

:func:`build` returns, per layout, the documents and the file made from them; a layout
whose producer is not installed here is left out and named in ``missing`` with the
reason. LibreOffice runs once for all Word and Excel files. A folder that already holds
a layout's file is reused (the benchmark's ``--keep``).
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import flatten, html, office, pdfgen
from .content import Doc, documents
from .layouts import HELD_OUT, LAYOUTS, SCAN, Layout


@dataclass
class Made:
    layout: Layout
    docs: list[Doc]
    path: Path


def needs(layout: Layout) -> str | None:
    """Why ``layout`` cannot be made here (None when it can)."""
    tools = {"chromium": [("chromium", html.chromium())],
             "writer": [("LibreOffice (soffice)", office.soffice())],
             "writer_html": [("LibreOffice (soffice)", office.soffice())],
             "calc": [("LibreOffice (soffice)", office.soffice())],
             "flat": [("LibreOffice (soffice)", office.soffice())],
             "reportlab": [("reportlab", importlib.util.find_spec("reportlab"))],
             "scan": [("reportlab", importlib.util.find_spec("reportlab")),
                      ("pdftoppm (poppler-utils)", shutil.which("pdftoppm"))]}[layout.producer]
    if layout.producer in ("writer", "flat") and not importlib.util.find_spec("docx"):
        return "python-docx not installed"
    absent = [name for name, found in tools if not found]
    return f"{', '.join(absent)} not installed" if absent else None


def build(folder: Path, layouts: list[Layout] | None = None
          ) -> tuple[dict[str, Made], dict[str, str]]:
    """(made, missing): name → Made for each layout made, name → reason for the others."""
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, Made] = {}
    missing: dict[str, str] = {}
    office_jobs: list[tuple[Layout, list[Doc], Path]] = []
    for layout in layouts or LAYOUTS + HELD_OUT + [SCAN]:
        reason = needs(layout)
        if reason:
            missing[layout.name] = reason
            continue
        docs = documents(layout.count, layout.seed, groups=layout.groups,
                         target="target" in {k for k, _ in layout.columns})
        final = folder / (layout.name + (".txt" if layout.producer == "flat" else ".pdf"))
        made[layout.name] = Made(layout, docs, final)
        if final.is_file():
            continue
        if layout.producer == "chromium":
            html.print_pdf(docs, layout, final)
        elif layout.producer == "reportlab":
            pdfgen.write_pdf(docs, layout, final)
        elif layout.producer == "scan":
            source = pdfgen.write_pdf(docs, layout, folder / f"{layout.name}-text.pdf")
            pdfgen.scan_pdf(source, final)
        elif layout.producer == "writer_html":
            page = folder / f"{layout.name}.html"
            page.write_text(html.page_html(docs, layout), encoding="utf-8")
            office_jobs.append((layout, docs, page))
        elif layout.producer == "calc":
            office_jobs.append((layout, docs, office.write_xlsx(
                docs, layout, folder / f"{layout.name}.xlsx")))
        else:  # writer, flat
            office_jobs.append((layout, docs, office.write_docx(
                docs, layout, folder / f"{layout.name}.docx")))
    if office_jobs:
        pdfs = office.convert([source for _, _, source in office_jobs], folder)
        for (layout, _, _), pdf in zip(office_jobs, pdfs):
            if layout.producer == "flat":
                made[layout.name].path.write_text(flatten.flattened_text(pdf), encoding="utf-8")
    return made, missing
