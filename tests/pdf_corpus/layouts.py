"""The layouts of the corpus: which producer prints which documents, and how.

Each layout is one PDF (or one flattened text) made from its own documents (its own
seed), so that no wording is shared by every layout. Producers: ``chromium`` (an HTML
table printed by Chromium), ``writer`` (python-docx → LibreOffice Writer), ``calc``
(xlsxwriter → LibreOffice Calc), ``reportlab``, ``scan`` (a page image only) and
``flat`` (a Writer PDF's text with its table columns flattened, :mod:`.flatten`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KUKAR = [("no", "NO"), ("sasaran", "SASARAN AKTIVITAS"), ("indikator", "INDIKATOR KINERJA"),
         ("target", "TARGET"), ("penjelasan", "PENJELASAN (FORMULASI PERHITUNGAN)"),
         ("sumber", "SUMBER DATA")]
DECREE = [("no", "NO."), ("sasaran", "SASARAN KINERJA INDIVIDU"),
          ("indikator", "INDIKATOR KINERJA INDIVIDU (IKI)"), ("target", "TARGET"),
          ("penjelasan", "RUMUS"), ("sumber", "SUMBER DATA")]
MIXED = [("no", "No."), ("sasaran", "Sasaran Strategis"), ("indikator", "Indikator Kinerja"),
         ("penjelasan", "Cara Perhitungan"), ("sumber", "Sumber Data"), ("target", "Target")]
NO_NUMBER = [("sasaran", "SASARAN"), ("indikator", "INDIKATOR KINERJA"),
             ("penjelasan", "PENJELASAN / FORMULASI PENGHITUNGAN"), ("sumber", "SUMBER DATA"),
             ("target", "TARGET")]
STRATEGIC = [("no", "NO"), ("sasaran", "SASARAN KINERJA"), ("indikator", "INDIKATOR KINERJA"),
             ("penjelasan", "DEFINISI OPERASIONAL / FORMULASI"), ("target", "TARGET"),
             ("sumber", "SUMBER DATA")]


@dataclass
class Layout:
    name: str
    producer: str
    columns: list[tuple[str, str]]
    seed: int
    count: int = 8
    paper: str = "A4"  # A4 or F4 (215 × 330 mm)
    landscape: bool = True
    borders: bool = True
    running_header: str = ""  # printed at the top of every page
    page_numbers: bool = False
    column_numbers: bool = False  # a row (1) (2) (3) … under the titles
    split_rows: bool = False  # a row may break across pages
    repeat_header: bool = True  # the titles printed again on every page
    signature: str = "below"  # below | beside (level with the last rows, with a stamp)
    flow: bool = False  # documents one after the other (two on a page), not one per page
    font: float = 10.0
    face: str = "sans"  # sans | serif | dejavu
    valign: str = "top"  # top | middle: where a cell's text stands in a taller row
    justify: bool = False  # cell text justified (wider spaces)
    space_after: float = 0.0  # points after each paragraph (Word's "Normal" often has 8)
    widths: dict[str, float] = field(default_factory=dict)  # column share (default below)
    groups: tuple[int, int] = (3, 7)
    what: str = ""

    def width(self, kind: str) -> float:
        default = {"no": 0.05, "sasaran": 0.19, "indikator": 0.22, "penjelasan": 0.24,
                   "sumber": 0.17, "target": 0.09}
        return self.widths.get(kind, default[kind])

    @property
    def page_mm(self) -> tuple[float, float]:
        w, h = (210.0, 297.0) if self.paper == "A4" else (215.0, 330.0)
        return (h, w) if self.landscape else (w, h)


LAYOUTS = [
    Layout("chromium_a4_ruled", "chromium", KUKAR, seed=11, landscape=False,
           running_header="SK Bupati - IKI 2025", page_numbers=True,
           what="ruled table, A4 portrait, Chromium's own header and page numbers"),
    Layout("chromium_f4_colnum", "chromium", DECREE, seed=12, paper="F4",
           column_numbers=True, what="ruled table, F4 landscape, column-number row"),
    Layout("chromium_a4_plain", "chromium", KUKAR, seed=13, landscape=False, borders=False,
           what="no borders, A4 portrait: titles wrap over centred lines"),
    Layout("chromium_f4_plain", "chromium", MIXED, seed=14, paper="F4", borders=False,
           running_header="Lampiran Keputusan Kepala Badan", page_numbers=True,
           what="no borders, F4 landscape, running header"),
    Layout("writer_split", "writer", KUKAR, seed=21, split_rows=True,
           running_header="Lampiran II Keputusan Kepala BKPSDM Nomor 800/12/2025",
           page_numbers=True, what="Writer, rows split by page breaks, running header"),
    Layout("writer_plain_f4", "writer", STRATEGIC, seed=22, paper="F4", borders=False,
           split_rows=True, page_numbers=True,
           what="Writer, no borders, F4, rows split by page breaks"),
    Layout("writer_portrait", "writer", NO_NUMBER, seed=23, landscape=False,
           running_header="Indikator Kinerja Individu Tahun 2025 - BKPSDM", page_numbers=True,
           what="Writer, A4 portrait, no NO column"),
    Layout("calc_f4", "calc", MIXED, seed=31, paper="F4", page_numbers=True,
           running_header="LAMPIRAN KEPUTUSAN", what="Calc, F4 landscape, merged sasaran"),
    Layout("calc_plain", "calc", KUKAR, seed=32, borders=False, page_numbers=True,
           what="Calc, A4 landscape, no borders"),
    Layout("reportlab_narrow", "reportlab", DECREE, seed=41, landscape=False, font=8.0,
           widths={"no": 0.05, "sasaran": 0.15, "indikator": 0.17, "penjelasan": 0.17,
                   "sumber": 0.12, "target": 0.08},
           what="narrow columns, 8 pt, many lines per cell"),
    Layout("reportlab_two_per_page", "reportlab", KUKAR, seed=42, flow=True, groups=(2, 3),
           page_numbers=True, what="two documents on a page, tables from a page foot"),
    Layout("reportlab_signature_beside", "reportlab", MIXED, seed=43, signature="beside",
           what="signature table with a stamp beside the last rows"),
    Layout("reportlab_plain_split", "reportlab", STRATEGIC, seed=44, paper="F4",
           borders=False, split_rows=True, page_numbers=True,
           running_header="Lampiran Peraturan Bupati Nomor 7 Tahun 2025",
           what="no borders, F4 landscape, rows split by page breaks"),
    Layout("flat_decree", "flat", DECREE, seed=51, landscape=False,
           widths={"no": 0.06, "sasaran": 0.17, "indikator": 0.22, "penjelasan": 0.25,
                   "sumber": 0.15, "target": 0.1},
           what="flattened text in the sample decree's shape, its header wording"),
    Layout("flat_strategic", "flat", STRATEGIC, seed=52,
           what="flattened text, another header wording, landscape"),
]
# Held out: measured as they were first made, before any reader change they inspired.
HELD_OUT = [
    Layout("chromium_middle_plain", "chromium", STRATEGIC, seed=71, borders=False,
           valign="middle", face="serif", what="no borders, cells centred vertically, serif"),
    Layout("chromium_beside_plain", "chromium", KUKAR, seed=72, borders=False,
           signature="beside", landscape=True, paper="F4",
           what="no borders, signature beside the last rows"),
    Layout("writer_spaced_justified", "writer", MIXED, seed=73, justify=True,
           space_after=6.0, split_rows=True, face="dejavu", page_numbers=True,
           what="Writer, justified cells, 6 pt after paragraphs, rows split"),
    Layout("writer_plain_middle", "writer", KUKAR, seed=74, borders=False, valign="middle",
           landscape=False, paper="F4", running_header="BKPSDM 2025",
           what="Writer, no borders, centred cells, F4 portrait, running header"),
    Layout("calc_middle_serif", "calc", STRATEGIC, seed=75, valign="middle", face="serif",
           column_numbers=True, page_numbers=True, what="Calc, centred cells, numbers row"),
    Layout("reportlab_plain_two", "reportlab", DECREE, seed=76, borders=False, flow=True,
           groups=(2, 4), page_numbers=True, what="no borders, two documents a page"),
    Layout("reportlab_serif_beside_plain", "reportlab", NO_NUMBER, seed=77, borders=False,
           signature="beside", face="serif", what="no borders, no NO, signature beside"),
    Layout("writer_html", "writer_html", STRATEGIC, seed=81, landscape=False,
           what="an HTML page opened and printed by LibreOffice Writer (Writer/Web)"),
    Layout("flat_mixed", "flat", MIXED, seed=78, landscape=False,
           what="flattened text, title-case titles, target last, A4 portrait"),
    Layout("flat_kukar", "flat", KUKAR, seed=79, paper="F4", split_rows=True,
           what="flattened text, rows split by page breaks, F4 landscape"),
    Layout("flat_no_number", "flat", NO_NUMBER, seed=80, landscape=False,
           what="flattened text, no NO column"),
]
SCAN = Layout("scan", "scan", KUKAR, seed=61, count=1, what="a scan: page images only")
BY_NAME = {layout.name: layout for layout in LAYOUTS + HELD_OUT + [SCAN]}
