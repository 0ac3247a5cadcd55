"""Documents as an HTML page printed to PDF by Chromium (``--print-to-pdf``), as a web
application that makes IKI documents prints them: the header as a borderless table, the
indicator table with ``<thead>`` repeated on every page and ``rowspan`` for NO/SASARAN,
the signature as a two-column borderless table. With ``running_header`` Chromium's own
header and footer (date and title, address and page number) are printed.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path

from .content import Doc
from .layouts import Layout


def page_html(docs: list[Doc], layout: Layout) -> str:
    w, h = layout.page_mm
    border = "1px solid #000" if layout.borders else "none"
    face = {"sans": '"Liberation Sans", sans-serif', "serif": '"Liberation Serif", serif',
            "dejavu": '"DejaVu Sans", sans-serif'}[layout.face]
    css = f"""
@page {{ size: {w}mm {h}mm; margin: 10mm 12mm; }}
body {{ font-family: {face}; font-size: {layout.font}pt; margin: 0; }}
.doc + .doc {{ {'margin-top: 14pt' if layout.flow else 'break-before: page'}; }}
h1 {{ font-size: {layout.font + 2}pt; text-align: center; margin: 0; }}
.heading {{ text-align: center; font-weight: bold; margin: 0 0 8pt 0; }}
table {{ border-collapse: collapse; }}
.head td {{ vertical-align: top; padding: 0 4pt 1pt 0; }}
.iki {{ width: 100%; margin-top: 6pt; }}
.iki th, .iki td {{ border: {border}; padding: 2pt 4pt; vertical-align: {layout.valign};
  text-align: {'justify' if layout.justify else 'left'}; }}
.iki th {{ text-align: center; vertical-align: middle; }}
.iki tr {{ break-inside: {'auto' if layout.split_rows else 'avoid'}; }}
.sign {{ width: 100%; margin-top: 12pt; break-inside: avoid; }}
.sign td {{ width: 50%; vertical-align: top; text-align: center; }}
.beside {{ display: flex; align-items: flex-end; gap: 6mm; }}
.beside .iki {{ width: 74%; }} .beside .sign {{ width: 26%; }}
.beside .sign td {{ width: 100%; }}
"""
    body = "\n".join(_document(d, layout) for d in docs)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>'
            f"{escape(layout.running_header or 'IKI')}</title><style>{css}</style></head>"
            f"<body>{body}</body></html>")


def _document(doc: Doc, layout: Layout) -> str:
    e = escape
    fungsi = "<br>".join(f"{chr(97 + i)}. {e(f)};" for i, f in enumerate(doc.fungsi))
    head = "".join(f"<tr><td>{n}.</td><td>{label}</td><td>:</td><td>{value}</td></tr>" for n, (
        label, value) in enumerate([("PERANGKAT DAERAH", e(doc.perangkat_daerah)),
                                    ("JABATAN", e(doc.jabatan)), ("TUGAS", e(doc.tugas)),
                                    ("FUNGSI", fungsi)], start=1))
    body = _table(doc, layout) + _signature(doc, layout.signature == "beside")
    if layout.signature == "beside":
        body = f'<div class="beside">{body}</div>'
    return (f'<div class="doc"><h1>INDIKATOR KINERJA INDIVIDU<br>TAHUN 2025</h1>'
            f'<p class="heading">{"<br>".join(e(x) for x in doc.heading)}</p>'
            f'<table class="head">{head}</table>{body}</div>')


def _table(doc: Doc, layout: Layout) -> str:
    kinds = [k for k, _ in layout.columns]
    cols = "".join(f'<col style="width:{100 * layout.width(k):.1f}%">' for k in kinds)
    titles = "".join(f"<th>{escape(t)}</th>" for _, t in layout.columns)
    numbers = ("<tr>" + "".join(f"<th>({n})</th>" for n in range(1, len(kinds) + 1)) + "</tr>"
               if layout.column_numbers else "")
    thead = f"<thead><tr>{titles}</tr>{numbers}</thead>"
    if not layout.repeat_header:
        thead = f"<tbody><tr>{titles}</tr>{numbers}</tbody>"
    rows = []
    for g in doc.groups:
        for k, ind in enumerate(g.indicators):
            cells = []
            for kind in kinds:
                if kind in ("no", "sasaran"):
                    if k == 0:
                        text = g.no if kind == "no" else g.sasaran
                        cells.append(f'<td rowspan="{len(g.indicators)}">{escape(text)}</td>')
                    continue
                value = {"indikator": ind.indikator, "penjelasan": ind.penjelasan,
                         "sumber": ind.sumber, "target": ind.target}[kind]
                cells.append(f"<td>{escape(value)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "".join(rows)
    return f'<table class="iki"><colgroup>{cols}</colgroup>{thead}<tbody>{body}</tbody></table>'


def _signature(doc: Doc, stacked: bool = False) -> str:
    """Side by side under the table, or (``stacked``, beside the table) one above the
    other: the date, the atasan, then the pegawai."""
    def block(lines: list[str]) -> str:
        return "<br>".join(escape(x) for x in lines)

    left = ["Mengetahui,", "Atasan Langsung", doc.atasan.jabatan, "", "", doc.atasan.nama,
            doc.atasan.pangkat, doc.atasan.nip]
    right = [doc.tempat_tanggal, "Pegawai yang Dinilai", doc.pegawai.jabatan, "", "",
             doc.pegawai.nama, doc.pegawai.pangkat, doc.pegawai.nip]
    if stacked:
        return (f'<table class="sign"><tr><td>{block(right[:1] + left + [""] + right[1:])}'
                "</td></tr></table>")
    return (f'<table class="sign"><tr><td>{block(left)}</td><td>{block(right)}</td></tr>'
            "</table>")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
        "google-chrome")


def print_pdf(docs: list[Doc], layout: Layout, out: Path) -> Path:
    """``out`` printed by Chromium from the page of ``docs``."""
    page = out.with_suffix(".html")
    page.write_text(page_html(docs, layout), encoding="utf-8")
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
            f"--print-to-pdf={out}", page.as_uri()]
    if not layout.running_header:
        args.insert(-1, "--no-pdf-header-footer")
    subprocess.run(args, capture_output=True, timeout=180, check=True)
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no {out.name}")
    return out
