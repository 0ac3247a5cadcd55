"""IKI documents written as .docx with python-docx and printed to PDF by LibreOffice
Writer, for the PDF and flattened-text import tests (fixtures are built at test time).

Each document is a decree annex as agencies type it: title, agency heading, numbered
header (PERANGKAT DAERAH, JABATAN, TUGAS, FUNGSI), an indicator table with borders whose
header row repeats on every page and whose NO/SASARAN cells are merged over several
indicators, and a signature block printed side by side (tab stops). Two layouts differ
the way agencies' decrees differ: column order, ``RUMUS`` vs ``PENJELASAN``, a TARGET
column or none, a running page header (``Lampiran Keputusan …``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

docx = pytest.importorskip("docx", reason="python-docx not installed (pip install -e '.[test]')")
from docx.enum.text import WD_BREAK  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Pt  # noqa: E402
from pdf_corpus.content import Doc, Group, Ind, Signer  # noqa: E402


@dataclass
class Layout:
    """Column titles in order; kinds: no, sasaran, indikator, penjelasan, sumber, target."""

    columns: list[tuple[str, str]]
    page_header: str = ""
    heading: list[str] = field(default_factory=list)
    title: str = "INDIKATOR KINERJA INDIVIDU TAHUN 2025"
    borders: bool = True
    bullets: bool = False  # data sources as a bulleted list of two paragraphs
    cant_split: bool = True  # False: Word's default, a row may break across pages
    repeat_header: bool = True  # the column titles printed again on every page


KUKAR = Layout(
    columns=[("no", "NO"), ("sasaran", "SASARAN AKTIVITAS"), ("indikator", "INDIKATOR KINERJA"),
             ("penjelasan", "PENJELASAN (FORMULASI PERHITUNGAN)"), ("sumber", "SUMBER DATA")],
    heading=["BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA",
             "KABUPATEN KUTAI KARTANEGARA"])
OTHER = Layout(
    columns=[("no", "No"), ("sasaran", "Sasaran Strategis"), ("indikator", "Indikator Kinerja"),
             ("target", "Target"), ("penjelasan", "Rumus"), ("sumber", "Sumber Data")],
    page_header="Lampiran Keputusan Kepala Dinas Nomor 800/12/2025",
    title="INDIKATOR KINERJA INDIVIDU (IKI) TAHUN 2025")

SAMPANG = Layout(  # no NO column, no target, sources as lists
    columns=[("sasaran", "SASARAN"), ("indikator", "INDIKATOR KINERJA"),
             ("penjelasan", "PENJELASAN / FORMULASI PENGHITUNGAN"), ("sumber", "SUMBER DATA")],
    heading=["BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA"], bullets=True)
TARGET_LAST = Layout(  # target as the last column, "Cara Perhitungan" for the formula
    columns=[("no", "No."), ("sasaran", "Sasaran Kegiatan"), ("indikator", "Indikator Kinerja"),
             ("penjelasan", "Cara Perhitungan"), ("sumber", "Sumber Data"),
             ("target", "Target")],
    page_header="Lampiran II Peraturan Bupati Nomor 7 Tahun 2025")
BORDERLESS = Layout(  # a table without rulings
    columns=[("no", "NO"), ("sasaran", "SASARAN"), ("indikator", "INDIKATOR KINERJA"),
             ("target", "TARGET"), ("penjelasan", "PENJELASAN"), ("sumber", "SUMBER DATA")],
    borders=False)
SPLIT_ROWS = Layout(  # rows that break across pages, as Word allows by default
    columns=KUKAR.columns, heading=KUKAR.heading, cant_split=False)
NO_REPEAT = Layout(  # borderless, the column titles only on the first page
    columns=BORDERLESS.columns, borders=False, repeat_header=False)
LAYOUTS = {"split_rows": SPLIT_ROWS, "no_repeat": NO_REPEAT, "kukar": KUKAR, "other": OTHER, "sampang": SAMPANG, "target_last": TARGET_LAST,
           "borderless": BORDERLESS}

_SOURCES = ["Sub Bagian Umum dan Kepegawaian", "Bidang Pengembangan Kompetensi",
            "Sub Bagian Perencanaan dan Keuangan", "Bidang Mutasi dan Promosi"]
_TARGETS = ["100%", "0 temuan", "BB (70)", "12 dokumen", "70", "4 laporan", "95 %"]
_THEMES = [
    ("Meningkatnya kualitas pelayanan administrasi kepegawaian",
     [("Persentase layanan kepegawaian yang diselesaikan tepat waktu",
       "Jumlah layanan selesai tepat waktu dibagi jumlah layanan yang diajukan dikali 100%"),
      ("Indeks kepuasan pegawai terhadap layanan kepegawaian",
       "Nilai rata-rata survei kepuasan pegawai")]),
    ("Terwujudnya akuntabilitas kinerja perangkat daerah",
     [("Nilai SAKIP perangkat daerah", "Nilai hasil evaluasi SAKIP oleh Inspektorat"),
      ("Jumlah temuan BPK yang belum ditindaklanjuti",
       "Jumlah rekomendasi hasil pemeriksaan yang belum selesai ditindaklanjuti"),
      ("Jumlah dokumen perencanaan yang disusun tepat waktu",
       "Jumlah dokumen Renja, RKA dan DPA yang disahkan sebelum batas waktu")]),
    ("Meningkatnya kompetensi aparatur sipil negara",
     [("Persentase ASN yang mengikuti pengembangan kompetensi minimal 20 JP",
       "Jumlah ASN dengan 20 JP dibagi jumlah seluruh ASN dikali 100%")]),
    ("Tertibnya pengelolaan arsip dan data kepegawaian",
     [("Jumlah laporan pemutakhiran data kepegawaian", "Jumlah laporan triwulanan yang disampaikan"),
      ("Persentase arsip kepegawaian yang tertata", "Jumlah arsip tertata dibagi jumlah arsip "
       "dikali 100%")]),
]


_THEMES_KESEHATAN = [  # another agency's wording, held out from tuning the reader
    ("Meningkatnya derajat kesehatan ibu dan anak di seluruh wilayah kerja puskesmas",
     [("Cakupan persalinan ditolong tenaga kesehatan di fasilitas pelayanan kesehatan",
       "Jumlah persalinan oleh nakes di fasyankes / jumlah seluruh persalinan x 100"),
      ("Angka kematian bayi per 1.000 kelahiran hidup",
       "Jumlah kematian bayi / jumlah kelahiran hidup x 1.000")]),
    ("Terkendalinya penyakit menular",
     [("Rasio kasus TB yang diobati sampai sembuh",
       "Kasus TB sembuh dibagi kasus TB yang diobati"),
      ("Persentase desa UCI", "Desa dengan imunisasi dasar lengkap 80% atau lebih dibagi "
       "seluruh desa"),
      ("Waktu tanggap penyelidikan epidemiologi kejadian luar biasa",
       "Rata-rata jam sejak laporan KLB diterima sampai tim tiba di lokasi")]),
    ("Tersedianya obat dan perbekalan kesehatan",
     [("Ketersediaan obat esensial di puskesmas", "Jenis obat esensial yang tersedia dibagi "
       "40 jenis obat indikator")]),
]
_SOURCES_KESEHATAN = ["Seksi Kesehatan Keluarga dan Gizi", "Bidang Pencegahan dan Pengendalian "
                      "Penyakit", "Laporan SP2TP Puskesmas", "Aplikasi SIHA dan SITB"]
_TARGETS_KESEHATAN = ["95%", "< 10", "85 %", "24 jam", "100", "Tepat Waktu", "2 kasus"]

_NAMES = ["SITI RAHMAWATI, S.E", "AGUS PRASETYO, S.Kom", "Drs. BAMBANG WIJAYA",
          "NURUL HIDAYAH, S.Sos", "YULIANTI PUTRI, A.Md", "HENDRA GUNAWAN, S.T"]


def sample_documents(count: int, pd_spellings: list[str] | None = None,
                     groups_per_doc: int = 7, content: str = "bkpsdm") -> list[Doc]:
    """``count`` documents of ``groups_per_doc``+ sasaran (tables cross pages);
    ``content`` "kesehatan" words them as a health office does."""
    themes, sources, targets = ((_THEMES_KESEHATAN, _SOURCES_KESEHATAN, _TARGETS_KESEHATAN)
                                if content == "kesehatan" else (_THEMES, _SOURCES, _TARGETS))
    spellings = pd_spellings or (["Dinas Kesehatan Kabupaten Contoh"] if content == "kesehatan"
                                 else ["Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"])
    docs = []
    for d in range(count):
        groups, k = [], 0
        for g in range(groups_per_doc + d % 3):
            sasaran, inds = themes[(g + d) % len(themes)]
            items = []
            for j, (ind, pen) in enumerate(inds):
                items.append(Ind(f"{ind}{' bidang ' + str(d + 1) if j == 0 else ''}", pen,
                                 sources[(k + d) % len(sources)],
                                 targets[(k + 2 * d) % len(targets)]))
                k += 1
            if g >= len(themes):
                sasaran += f" tahap {g // len(themes) + 1}"
            groups.append(Group(str(g + 1), sasaran, items))
        docs.append(Doc(
            perangkat_daerah=spellings[d % len(spellings)],
            jabatan=["Kepala Bidang Pengembangan Kompetensi", "Analis Sumber Daya Manusia Aparatur",
                     "Kepala Sub Bagian Umum dan Kepegawaian", "Pengelola Data Kepegawaian"][d % 4]
            + ("" if d < 4 else f" {d // 4 + 1}"),
            tugas=("Melaksanakan penyiapan perumusan kebijakan teknis, koordinasi, pembinaan "
                   "dan evaluasi di bidang pengembangan kompetensi aparatur"),
            fungsi=["penyusunan rencana kerja dan program bidang;",
                    "pelaksanaan koordinasi dan pembinaan teknis;",
                    "pelaksanaan monitoring, evaluasi dan pelaporan."],
            groups=groups,
            atasan=Signer("Kepala Badan", "Dr. H. SUGIANTO, M.Si", "Pembina Utama Muda (IV/c)",
                          "NIP. 19700512 199503 1 002"),
            pegawai=Signer("", _NAMES[d % len(_NAMES)],
                           "Penata (III/c)", f"NIP. 19880303 2011{d + 1:02d} 2 004"),
        ))
    return docs


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cant_split(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def write_docx(docs: list[Doc], layout: Layout, path: Path) -> Path:
    d = docx.Document()
    section = d.sections[0]
    section.page_height, section.page_width = Cm(21.0), Cm(29.7)  # A4 landscape
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    style = d.styles["Normal"]
    style.font.name, style.font.size = "Liberation Sans", Pt(10)
    style.paragraph_format.space_after = Pt(0)
    if layout.page_header:
        section.header.paragraphs[0].text = layout.page_header
    for n, doc in enumerate(docs):
        if n:
            d.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        d.add_paragraph(layout.title)
        for line in layout.heading:
            d.add_paragraph(line)
        d.add_paragraph("")
        d.add_paragraph(f"1. PERANGKAT DAERAH : {doc.perangkat_daerah}")
        d.add_paragraph(f"2. JABATAN : {doc.jabatan}")
        d.add_paragraph(f"3. TUGAS : {doc.tugas}")
        d.add_paragraph("4. FUNGSI :")
        for i, f in enumerate(doc.fungsi):
            d.add_paragraph(f"{chr(97 + i)}. {f}")
        d.add_paragraph("")
        _table(d, doc, layout)
        d.add_paragraph("")
        p = d.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Cm(15))
        lines = [("Mengetahui,", doc.tempat_tanggal),
                 ("Atasan Langsung", "Pegawai yang Dinilai"),
                 (doc.atasan.jabatan, doc.pegawai.jabatan or doc.jabatan), ("", ""), ("", ""),
                 (doc.atasan.nama, doc.pegawai.nama), (doc.atasan.pangkat, doc.pegawai.pangkat),
                 (doc.atasan.nip, doc.pegawai.nip)]
        for i, (left, right) in enumerate(lines):
            if i:
                p = d.add_paragraph()
                p.paragraph_format.tab_stops.add_tab_stop(Cm(15))
            p.add_run(f"{left}\t{right}" if left or right else "")
    d.save(path)
    return path


def _table(d, doc: Doc, layout: Layout) -> None:
    kinds = [k for k, _ in layout.columns]
    rows = sum(len(g.indicators) for g in doc.groups)
    t = d.add_table(rows=rows + 1, cols=len(kinds))
    if layout.borders:
        t.style = "Table Grid"
    widths = {"no": 1.2, "sasaran": 5.0, "indikator": 6.0, "penjelasan": 6.5, "sumber": 4.0,
              "target": 2.3}
    for i, (kind, title) in enumerate(layout.columns):
        t.cell(0, i).text = title
        for r in range(rows + 1):
            t.cell(r, i).width = Cm(widths[kind])
    if layout.repeat_header:
        _repeat_header(t.rows[0])
    r = 1
    for g in doc.groups:
        first = r
        for ind in g.indicators:
            if layout.cant_split:
                _cant_split(t.rows[r])
            values = {"indikator": ind.indikator, "penjelasan": ind.penjelasan,
                      "sumber": ind.sumber, "target": ind.target}
            for i, kind in enumerate(kinds):
                if kind == "sumber" and layout.bullets:
                    cell = t.cell(r, i)
                    cell.text = f"- {ind.sumber}"
                    cell.add_paragraph("- Laporan Tahunan")
                elif kind in values:
                    t.cell(r, i).text = values[kind]
            r += 1
        for kind, text in (("no", g.no), ("sasaran", g.sasaran)):
            if kind not in kinds:
                continue
            i = kinds.index(kind)
            cell = t.cell(first, i)
            if r - 1 > first:
                cell = cell.merge(t.cell(r - 1, i))
            cell.text = text


def to_pdf(sources: list[Path], out_dir: Path) -> list[Path]:
    """Print ``sources`` with LibreOffice Writer in one run (a private profile)."""
    soffice = os.environ.get("IKI_SOFFICE") or shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) not installed")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, sources)],
            capture_output=True, timeout=600)
    out = [out_dir / (source.stem + ".pdf") for source in sources]
    if done.returncode != 0 or not all(p.is_file() for p in out):
        raise RuntimeError(f"soffice failed: {done.stderr.decode(errors='replace')}")
    return out


def flatten(pdf: Path) -> str:
    """The PDF's text as a PDF-to-text tool without a layout option gives it: content
    order, every table cell on its own line(s) (``pdftotext -raw``)."""
    tool = shutil.which("pdftotext")
    if not tool:
        pytest.skip("pdftotext (poppler-utils) not installed")
    done = subprocess.run([tool, "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          timeout=120, check=True)
    return done.stdout.decode("utf-8").replace("\f", "\n")


# The documents the tests print: (name, layout, wording, perangkat daerah spellings).
CASES = [
    ("kukar", KUKAR, "bkpsdm", None),
    ("other", OTHER, "kesehatan", ["Dinas Kesehatan Kab. Contoh", "Dinas Kesehatan Kabupaten Contoh",
                                   "DINAS KESEHATAN KABUPATEN CONTOH", "Dinas Kesehatn Kabupaten Contoh"]),
    ("sampang", SAMPANG, "kesehatan", None),
    ("target_last", TARGET_LAST, "bkpsdm", None),
    ("borderless", BORDERLESS, "kesehatan", None),
    ("split_rows", SPLIT_ROWS, "bkpsdm", None),
    ("no_repeat", NO_REPEAT, "kesehatan", None),
]


def build(out_dir: Path, count: int = 3) -> dict[str, tuple[Path, Path]]:
    """name → (.docx, .pdf) for every case in :data:`CASES`."""
    docs = {}
    for name, layout, wording, spellings in CASES:
        n = count if spellings is None else len(spellings)
        docs[name] = write_docx(sample_documents(n, spellings, content=wording), layout,
                                out_dir / f"{name}.docx")
    pdfs = to_pdf(list(docs.values()), out_dir)
    return {name: (docs[name], pdf) for name, pdf in zip(docs, pdfs)}


_PRINTED: dict[str, tuple[Path, Path]] = {}


def printed() -> dict[str, tuple[Path, Path]]:
    """:func:`build` once per test process, in a temporary folder removed at exit."""
    if not _PRINTED:
        import atexit

        folder = Path(tempfile.mkdtemp(prefix="iki-pdf-"))
        atexit.register(shutil.rmtree, folder, True)
        _PRINTED.update(build(folder))
    return _PRINTED


def fields(result) -> list[tuple[str, str, str]]:
    """Every field an import fills, as (where, field, value), in document order."""
    out = []
    for n, a in enumerate(result.master.assignments, start=1):
        d = result.master.iki[a.kode_iki]
        where = f"dokumen {n}"
        out += [(where, "perangkat_daerah", d.perangkat_daerah), (where, "jabatan", d.jabatan),
                (where, "tugas", d.tugas), (where, "label_sasaran", d.label_sasaran)]
        out += [(where, f"fungsi {k}", f) for k, f in enumerate(d.fungsi, start=1)]
        for k, i in enumerate(d.indicators, start=1):
            at = f"{where} indikator {k}"
            out += [(at, name, str(getattr(i, name))) for name in (
                "no", "sasaran", "indikator", "penjelasan", "sumber_data", "satuan",
                "polaritas", "agregasi")]
            out.append((at, "target", i.target.text))
        p = a.pegawai
        out += [(where, "nama", p.nama), (where, "nip", p.nip), (where, "pangkat", p.pangkat),
                (where, "golongan", p.golongan), (where, "atasan_nip", a.atasan_nip),
                (where, "atasan", a.atasan.nama if a.atasan else "")]
    return out


if __name__ == "__main__":  # regenerate the committed flattened-text fixture
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/flat/iki-rata.txt")
    with tempfile.TemporaryDirectory() as tmp:
        docx_path = write_docx(sample_documents(2, content="kesehatan", groups_per_doc=4), OTHER,
                               Path(tmp) / "iki-rata.docx")
        pdf = to_pdf([docx_path], Path(tmp))[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(flatten(pdf), encoding="utf-8")
    print(target)
