"""Documents typed as agencies type them, then printed by LibreOffice: a Word document
(python-docx → Writer) or an Excel workbook (xlsxwriter → Calc).

Word: numbered header paragraphs, the table with NO/SASARAN merged over their indikator,
its title row repeated on every page, rows allowed to break across pages or not, a
running header and a ``Halaman N`` footer, the signature block set with tab stops.
Excel: title and header merged across the columns, the table with merged NO/SASARAN,
print titles (the title row on every page), page numbers in the footer, fit to width.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .content import Doc
from .layouts import Layout


FACES = {"sans": "Liberation Sans", "serif": "Liberation Serif", "dejavu": "DejaVu Sans"}


def soffice() -> str | None:
    return os.environ.get("IKI_SOFFICE") or shutil.which("soffice")


def convert(sources: list[Path], out_dir: Path) -> list[Path]:
    """Every source printed to PDF by LibreOffice in one run (a private profile)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, sources)],
            capture_output=True, timeout=900)
    out = [out_dir / (s.stem + ".pdf") for s in sources]
    if done.returncode != 0 or not all(p.is_file() for p in out):
        raise RuntimeError(f"soffice failed: {done.stderr.decode(errors='replace')}")
    return out


# --------------------------------------------------------------------------- Word

def write_docx(docs: list[Doc], layout: Layout, path: Path) -> Path:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    d = docx.Document()
    section = d.sections[0]
    w, h = layout.page_mm
    section.page_width, section.page_height = Cm(w / 10), Cm(h / 10)
    section.orientation = WD_ORIENT.LANDSCAPE if layout.landscape else WD_ORIENT.PORTRAIT
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(1.8)
    style = d.styles["Normal"]
    style.font.name, style.font.size = FACES[layout.face], Pt(layout.font)
    style.paragraph_format.space_after = Pt(layout.space_after)
    if layout.running_header:
        section.header.paragraphs[0].text = layout.running_header
    if layout.page_numbers:
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run("Halaman ")
        _field(p, "PAGE")
    text_width = w / 10 - 3.6
    for n, doc in enumerate(docs):
        if n and not layout.flow:
            d.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        for line in ["INDIKATOR KINERJA INDIVIDU", "TAHUN 2025", *doc.heading]:
            p = d.add_paragraph(line)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        d.add_paragraph("")
        d.add_paragraph(f"1. PERANGKAT DAERAH : {doc.perangkat_daerah}")
        d.add_paragraph(f"2. JABATAN : {doc.jabatan}")
        d.add_paragraph(f"3. TUGAS : {doc.tugas}")
        d.add_paragraph("4. FUNGSI :")
        for i, f in enumerate(doc.fungsi):
            d.add_paragraph(f"{chr(97 + i)}. {f};")
        d.add_paragraph("")
        _docx_table(d, doc, layout, text_width)
        d.add_paragraph("")
        tab = Cm(text_width * 0.6)
        for left, right in [("Mengetahui,", doc.tempat_tanggal),
                            ("Atasan Langsung", "Pegawai yang Dinilai"),
                            (doc.atasan.jabatan, doc.pegawai.jabatan), ("", ""), ("", ""),
                            (doc.atasan.nama, doc.pegawai.nama),
                            (doc.atasan.pangkat, doc.pegawai.pangkat),
                            (doc.atasan.nip, doc.pegawai.nip)]:
            p = d.add_paragraph()
            p.paragraph_format.tab_stops.add_tab_stop(tab)
            p.paragraph_format.keep_with_next = True
            p.add_run(f"{left}\t{right}" if left or right else "")
    d.save(path)
    return path


def _field(paragraph, code: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == code else "w:t")
            el.text = text
        run._r.append(el)


def _docx_table(d, doc: Doc, layout: Layout, text_width: float) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    kinds = [k for k, _ in layout.columns]
    body = doc.rows()
    extra = 2 if layout.column_numbers else 1
    t = d.add_table(rows=len(body) + extra, cols=len(kinds))
    if layout.borders:
        t.style = "Table Grid"
    total = sum(layout.width(k) for k in kinds)
    for i, (kind, title) in enumerate(layout.columns):
        t.cell(0, i).text = title
        t.cell(0, i).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if layout.column_numbers:
            t.cell(1, i).text = f"({i + 1})"
            t.cell(1, i).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        t.columns[i].width = Cm(text_width * layout.width(kind) / total)
        for r in range(len(body) + extra):
            t.cell(r, i).width = Cm(text_width * layout.width(kind) / total)
    for r in range(extra):
        pr = t.rows[r]._tr.get_or_add_trPr()
        if layout.repeat_header:
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            pr.append(el)
    r = extra
    for g in doc.groups:
        first = r
        for ind in g.indicators:
            if not layout.split_rows:
                t.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            values = {"indikator": ind.indikator, "penjelasan": ind.penjelasan,
                      "sumber": ind.sumber, "target": ind.target}
            for i, kind in enumerate(kinds):
                if kind in values:
                    t.cell(r, i).text = values[kind]
            r += 1
        for kind, text in (("no", g.no), ("sasaran", g.sasaran)):
            if kind in kinds:
                i = kinds.index(kind)
                cell = t.cell(first, i)
                if r - 1 > first:
                    cell = cell.merge(t.cell(r - 1, i))
                cell.text = text
    for row in t.rows[extra:]:
        for cell in row.cells:
            if layout.valign == "middle":
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            if layout.justify:
                for p in cell.paragraphs:
                    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


# --------------------------------------------------------------------------- Excel

def write_xlsx(docs: list[Doc], layout: Layout, path: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("IKI")
    kinds = [k for k, _ in layout.columns]
    n = len(kinds)
    width_chars = 150 if layout.landscape else 100
    widths = [width_chars * layout.width(k) for k in kinds]
    for c, wdt in enumerate(widths):
        ws.set_column(c, c, wdt)
    font = {"font_name": FACES[layout.face], "font_size": layout.font}
    valign = "vcenter" if layout.valign == "middle" else "top"
    border = {"border": 1} if layout.borders else {}
    f_title = wb.add_format({**font, "bold": True, "align": "center"})
    f_text = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    f_head = wb.add_format({**font, **border, "bold": True, "text_wrap": True,
                            "align": "center", "valign": "vcenter"})
    f_cell = wb.add_format({**font, **border, "text_wrap": True, "valign": valign})
    f_sign = wb.add_format({**font, "align": "center"})
    row = 0
    titles, breaks = [], []
    for k, doc in enumerate(docs):
        if k and not layout.flow:
            breaks.append(row)
        for line in ["INDIKATOR KINERJA INDIVIDU", "TAHUN 2025", *doc.heading]:
            ws.merge_range(row, 0, row, n - 1, line, f_title)
            row += 1
        row += 1
        fungsi = "\n".join(f"{chr(97 + i)}. {f};" for i, f in enumerate(doc.fungsi))
        for number, label, value in [(1, "PERANGKAT DAERAH", doc.perangkat_daerah),
                                     (2, "JABATAN", doc.jabatan), (3, "TUGAS", doc.tugas),
                                     (4, "FUNGSI", fungsi)]:
            ws.merge_range(row, 0, row, 1, f"{number}. {label}", f_text)
            ws.merge_range(row, 2, row, n - 1, f": {value}" if number < 4 else value, f_text)
            lines = _lines(value, sum(widths[2:])) + (value.count("\n"))
            ws.set_row(row, 13.5 * max(1, lines) * layout.font / 10)
            row += 1
        row += 1
        titles.append(row)
        for c, (_, title) in enumerate(layout.columns):
            ws.write(row, c, title, f_head)
        ws.set_row(row, 30 * layout.font / 10)
        row += 1
        if layout.column_numbers:
            for c in range(n):
                ws.write(row, c, f"({c + 1})", f_head)
            row += 1
        row = _xlsx_rows(ws, doc, layout, widths, row, f_cell)
        row += 1
        for left, right in [("Mengetahui,", doc.tempat_tanggal),
                            ("Atasan Langsung", "Pegawai yang Dinilai"),
                            (doc.atasan.jabatan, doc.pegawai.jabatan), ("", ""), ("", ""),
                            (doc.atasan.nama, doc.pegawai.nama),
                            (doc.atasan.pangkat, doc.pegawai.pangkat),
                            (doc.atasan.nip, doc.pegawai.nip)]:
            ws.merge_range(row, 0, row, 1, left, f_sign)
            ws.merge_range(row, n - 2, row, n - 1, right, f_sign)
            row += 1
        row += 1
    if layout.landscape:
        ws.set_landscape()
    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.set_paper(9 if layout.paper == "A4" else 14)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    if layout.repeat_header and titles:
        ws.repeat_rows(titles[0])
    if layout.running_header:
        ws.set_header(f"&L{layout.running_header}")
    if layout.page_numbers:
        ws.set_footer("&CHalaman &P dari &N")
    wb.close()
    return path


def _lines(text: str, width_chars: float) -> int:
    """Lines a wrapped cell needs (generous: a printed character is narrower)."""
    return max(1, -(-int(len(text) * 1.05) // max(int(width_chars), 1)))


def _xlsx_rows(ws, doc: Doc, layout: Layout, widths: list[float], row: int, fmt) -> int:
    kinds = [k for k, _ in layout.columns]
    for g in doc.groups:
        first = row
        needed = 0
        for ind in g.indicators:
            values = {"indikator": ind.indikator, "penjelasan": ind.penjelasan,
                      "sumber": ind.sumber, "target": ind.target}
            lines = 1
            for c, kind in enumerate(kinds):
                if kind in values:
                    ws.write(row, c, values[kind], fmt)
                    lines = max(lines, _lines(values[kind], widths[c]))
            ws.set_row(row, 13.5 * lines * layout.font / 10)
            needed += lines
            row += 1
        for kind, text in (("no", g.no), ("sasaran", g.sasaran)):
            if kind not in kinds:
                continue
            c = kinds.index(kind)
            if row - 1 > first:
                ws.merge_range(first, c, row - 1, c, text, fmt)
            else:
                ws.write(first, c, text, fmt)
            if kind == "sasaran" and _lines(text, widths[c]) > needed:
                more = _lines(text, widths[c]) - needed + lines
                ws.set_row(row - 1, 13.5 * more * layout.font / 10)
    return row
