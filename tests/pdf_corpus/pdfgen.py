"""Documents typeset with reportlab (as report generators of kepegawaian applications do):
the header as a borderless label table, the indicator table with spans for NO/SASARAN,
its title row repeated, rows split inside when the layout allows it, a running header and
page numbers drawn on every page, documents one per page or one after the other, and a
signature block below the table or beside its last rows with a stamp over it.
"""

from __future__ import annotations

import io
from pathlib import Path

from .content import Doc
from .layouts import Layout


FACES = {"sans": ("Helvetica", "Helvetica-Bold"), "serif": ("Times-Roman", "Times-Bold"),
         "dejavu": ("Helvetica", "Helvetica-Bold")}


def write_pdf(docs: list[Doc], layout: Layout, out: Path) -> Path:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer

    w, h = layout.page_mm
    margin = 12 * mm
    frame_width = w * mm - 2 * margin

    def furniture(canvas, template) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        if layout.running_header:
            canvas.drawString(margin, h * mm - 7 * mm, layout.running_header)
        if layout.page_numbers:
            canvas.drawRightString(w * mm - margin, 6 * mm, f"Halaman {template.page}")
        canvas.restoreState()

    story = []
    for n, doc in enumerate(docs):
        if n:
            story.append(Spacer(1, 8 * mm) if layout.flow else PageBreak())
        story += _document(doc, layout, frame_width)
    pdf = SimpleDocTemplate(str(out), pagesize=(w * mm, h * mm), leftMargin=margin,
                            rightMargin=margin, topMargin=margin, bottomMargin=margin,
                            title="IKI")
    pdf.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return out


def _styles(layout: Layout):
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    size = layout.font
    face, bold = FACES[layout.face]
    body = ParagraphStyle("body", fontName=face, fontSize=size, leading=size * 1.2,
                          alignment=TA_JUSTIFY if layout.justify else TA_LEFT)
    return (body, ParagraphStyle("center", parent=body, alignment=TA_CENTER),
            ParagraphStyle("title", parent=body, fontName=bold,
                           fontSize=size + 2, leading=(size + 2) * 1.2, alignment=TA_CENTER))


def _document(doc: Doc, layout: Layout, width: float) -> list:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    body, center, title = _styles(layout)
    out = [Paragraph("INDIKATOR KINERJA INDIVIDU", title), Paragraph("TAHUN 2025", title)]
    out += [Paragraph(x, center) for x in doc.heading] + [Spacer(1, 6)]
    fungsi = "<br/>".join(f"{chr(97 + i)}. {_x(f)};" for i, f in enumerate(doc.fungsi))
    head = [[f"{n}.", label, ":", Paragraph(value, body)] for n, (label, value) in enumerate(
        [("PERANGKAT DAERAH", _x(doc.perangkat_daerah)), ("JABATAN", _x(doc.jabatan)),
         ("TUGAS", _x(doc.tugas)), ("FUNGSI", fungsi)], start=1)]
    label_width = 4.5 * layout.font * 3
    t = Table(head, colWidths=[14, label_width, 8, width - label_width - 22], hAlign="LEFT")
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FACES[layout.face][0], layout.font),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 1)]))
    out += [t, Spacer(1, 6)]
    rows = doc.rows()
    if layout.signature == "beside":
        last = len(doc.groups[-1].indicators)
        table_width = width * 0.72
        out.append(_table(doc, layout, table_width, rows[:-last], header=True))
        last_rows = _table(doc, layout, table_width, rows[-last:], header=False)
        sign = _signature(doc, layout, width - table_width - 6, stamp=True)
        wrap = Table([[last_rows, sign]], colWidths=[table_width, width - table_width],
                     hAlign="LEFT")
        wrap.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                  ("TOPPADDING", (0, 0), (-1, -1), 0)]))
        out.append(wrap)
    else:
        out.append(_table(doc, layout, width, rows, header=True))
        out += [Spacer(1, 10), _signature(doc, layout, width, stamp=False)]
    return out


def _x(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(doc: Doc, layout: Layout, width: float, rows: list, header: bool):
    from reportlab.platypus import Paragraph, Table, TableStyle

    body, center, _ = _styles(layout)
    kinds = [k for k, _ in layout.columns]
    total = sum(layout.width(k) for k in kinds)
    widths = [width * layout.width(k) / total for k in kinds]
    data, style = [], [("VALIGN", (0, 0), (-1, -1),
                        "MIDDLE" if layout.valign == "middle" else "TOP"),
                       ("FONT", (0, 0), (-1, -1), FACES[layout.face][0], layout.font)]
    if header:
        data.append([Paragraph(f"<b>{_x(t)}</b>", center) for _, t in layout.columns])
        if layout.column_numbers:
            data.append([Paragraph(f"({i})", center) for i in range(1, len(kinds) + 1)])
    start = len(data)
    for k, (no, sasaran, ind) in enumerate(rows):
        first = k == 0 or rows[k - 1][0] != no
        values = {"no": no if first else "", "sasaran": sasaran if first else "",
                  "indikator": ind.indikator, "penjelasan": ind.penjelasan,
                  "sumber": ind.sumber, "target": ind.target}
        data.append([Paragraph(_x(values[kind]), body) for kind in kinds])
    if not layout.split_rows:  # spans for merged NO/SASARAN (rows are not split inside)
        k = 0
        while k < len(rows):
            end = k
            while end + 1 < len(rows) and rows[end + 1][0] == rows[k][0]:
                end += 1
            for kind in ("no", "sasaran"):
                if kind in kinds and end > k:
                    c = kinds.index(kind)
                    style.append(("SPAN", (c, start + k), (c, start + end)))
            k = end + 1
    if layout.borders:
        style.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
    return Table(data, colWidths=widths, repeatRows=start if header else 0, style=TableStyle(
        style), splitInRow=1 if layout.split_rows else 0, hAlign="LEFT")


def _signature(doc: Doc, layout: Layout, width: float, stamp: bool):
    from reportlab.platypus import Image, Paragraph, Table, TableStyle

    _, center, _ = _styles(layout)
    left = ["Mengetahui,", "Atasan Langsung", doc.atasan.jabatan, "", "",
            doc.atasan.nama, doc.atasan.pangkat, doc.atasan.nip]
    right = [doc.tempat_tanggal, "Pegawai yang Dinilai", doc.pegawai.jabatan, "", "",
             doc.pegawai.nama, doc.pegawai.pangkat, doc.pegawai.nip]
    if stamp:  # one column: the pegawai below the atasan, a stamp over the atasan's name
        lines = right[:1] + left + [""] + right[1:]
        cells = [[Paragraph(_x(x) or "&nbsp;", center)] for x in lines]
        cells[5] = [Image(_stamp_png(), width=40, height=40)]
        t = Table(cells, colWidths=[width])
    else:
        t = Table([[Paragraph(_x(a) or "&nbsp;", center), Paragraph(_x(b) or "&nbsp;", center)]
                   for a, b in zip(left, right)], colWidths=[width / 2] * 2)
    t.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 0),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _stamp_png() -> io.BytesIO:
    """A round agency stamp, as a picture (a stamp is never text)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (160, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((4, 4, 156, 156), outline=(40, 60, 170, 200), width=8)
    draw.ellipse((30, 30, 130, 130), outline=(40, 60, 170, 160), width=4)
    out = io.BytesIO()
    img.save(out, format="PNG")
    out.seek(0)
    return out


def scan_pdf(source: Path, out: Path) -> Path:
    """``source``'s pages as images only (what a scanner makes)."""
    import subprocess
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), f"{tmp}/p"], check=True,
                       capture_output=True, timeout=120)
        pages = [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("p*.png"))]
        pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:])
    return out
