"""PDF import on PDFs as agencies make them (issue 24): documents printed by Chromium,
LibreOffice Writer and Calc and reportlab — ruled and borderless tables, A4 and F4, rows
split by page breaks, running headers, page numbers, cells centred in their rows, two
documents a page, a signature beside the table — and their text with the table columns
flattened, each compared field by field with the documents it was made from
(``tests/pdf_corpus``). Every wrong row must be in Tinjauan; most must not be wrong.

The corpus is made once per session (≈ 1 min); a layout whose producer is not installed
is skipped with the reason. ``benchmarks/bench_import.py`` prints the same figures.
"""

from __future__ import annotations

import re

import pytest
from pdf_corpus import BY_NAME, HELD_OUT, LAYOUTS, SCAN, build, needs, score
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.define.documents import import_documents

pytestmark = pytest.mark.slow

# Layouts whose rows cannot all be told apart: the share of rows that must still be exact
# (the others must be reported). Cells centred in rows with no padding and no rulings:
# nothing on the page says where one row ends; in flattened text a row a page break cut
# is reported, not rebuilt.
MOST = {"writer_plain_middle": 0.2, "chromium_middle_plain": 0.85, "flat_kukar": 0.95,
        "writer_html": 0.85}
# Header and signature fields that may be read wrong: an HTML page printed by Writer centres
# every cell, and its signature columns, cut by a page break, no longer line up; the wrong
# NIPs and missing names are in Tinjauan (nip_panjang, nama_kosong …).
FIELDS_WRONG = {"writer_html": 12}
OFFICE = {"writer", "writer_html", "calc", "flat"}


def marks(layout):
    return [pytest.mark.libreoffice] if layout.producer in OFFICE else []


CASES = [pytest.param(layout.name, marks=marks(layout), id=layout.name)
         for layout in LAYOUTS + HELD_OUT]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """name → Made for every layout that can be made here (LibreOffice runs once)."""
    made, _missing = build(tmp_path_factory.mktemp("pdf-corpus"))
    return made


def made(corpus, name):
    reason = needs(BY_NAME[name])
    if reason:
        pytest.skip(f"{name}: {reason}")
    return corpus[name]


_IMPORTED: dict = {}


def imported(corpus, name):
    """(Made, ImportResult) of a layout, imported once per session."""
    item = made(corpus, name)
    if name not in _IMPORTED:
        _IMPORTED[name] = import_documents([item.path])
    return item, _IMPORTED[name]


@pytest.mark.parametrize("name", CASES)
def test_every_wrong_row_is_in_tinjauan(corpus, name):
    item, result = imported(corpus, name)
    tally = score(item.docs, result, name)
    silent = [w for w in tally.wrong if w.startswith("[SILENT]")]
    assert silent == []
    assert tally.documents_found == tally.documents == len(item.docs)
    assert tally.exact >= MOST.get(name, 1.0) * tally.rows, tally.wrong[:5]


@pytest.mark.parametrize("name", CASES)
def test_header_and_signature_fields(corpus, name):
    """PERANGKAT DAERAH, JABATAN, TUGAS, FUNGSI, names and NIPs, field by field — the
    title and the first header lines at the top of an A4 page are no running header."""
    item, result = imported(corpus, name)
    tally = score(item.docs, result, name)
    assert tally.fields_wrong <= FIELDS_WRONG.get(name, 0), [
        w for w in tally.wrong if "row" not in w]


@pytest.mark.parametrize("name", [layout.name for layout in LAYOUTS + HELD_OUT
                                  if layout.producer not in ("flat",)])
def test_no_word_is_lost(corpus, name):
    """Every word printed on the pages is in the text the reader reads (joined to its
    neighbour when a line cut it), but for running headers, footers, page numbers and
    the column titles a page prints again."""
    import pdfplumber

    from iki_xlsx.define.documents.pdf import read_pdf
    from iki_xlsx.define.documents.table import title_word

    item = made(corpus, name)
    text = read_pdf(item.path).text
    tokens = set(text.split())
    furniture = set(item.layout.running_header.split()) | {"Halaman", "dari", "AM", "PM"}
    with pdfplumber.open(item.path) as pdf:
        lost = [w["text"] for page in pdf.pages for w in page.extract_words(x_tolerance=1)
                if w["text"] not in tokens and w["text"] not in text
                and not (w["text"] in furniture or w["text"].isdigit() or title_word(w["text"])
                         or re.search(r"[/:]|^\(\d+\)$", w["text"]))]
    assert lost == []


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in (
    "chromium_a4_ruled", "writer_split", "chromium_a4_plain")])
def test_hyphenated_words_are_whole(corpus, name):
    """``e-Pantau`` and ``Perundang-Undangan`` cut at their hyphen by a line end come back
    whole, never ``Perundang- Undangan``."""
    _, result = imported(corpus, name)
    texts = [i.sasaran + " " + i.indikator + " " + i.penjelasan + " " + i.sumber_data
             for d in result.master.iki.values() for i in d.indicators]
    texts += [d.tugas + " " + " ".join(d.fungsi) for d in result.master.iki.values()]
    assert not [t for t in texts if re.search(r"\w- \w", t)]
    assert any("Perundang-Undangan" in t for t in texts)


def test_review_says_page_and_height(corpus):
    """A PDF's review rows say where: ``hlm. 3, 120 mm dari atas``."""
    _, result = imported(corpus, "writer_plain_middle")
    rows = [r for r in result.review if r["kind"] == "kolom_tidak_pasti"]
    assert rows and all(re.fullmatch(r"hlm\. \d+, \d+ mm dari atas", r["where"])
                        for r in rows)


def test_scan_exits_with_the_reason(corpus, tmp_path):
    if needs(SCAN):
        pytest.skip(f"scan: {needs(SCAN)}")
    out = tmp_path / "master.xlsx"
    result = CliRunner().invoke(app, ["import", str(corpus["scan"].path), "-o", str(out)])
    assert result.exit_code == 1
    assert "hanya gambar (hasil pindai)" in result.output
    assert "master tidak ditulis" in result.output
    assert not out.exists()


def test_a_scan_beside_good_files_still_fails_but_writes_the_others(corpus, tmp_path):
    item = made(corpus, "reportlab_two_per_page")
    if needs(SCAN):
        pytest.skip(f"scan: {needs(SCAN)}")
    out = tmp_path / "master.xlsx"
    result = CliRunner().invoke(app, ["import", str(corpus["scan"].path), str(item.path),
                                      "-o", str(out)])
    assert result.exit_code == 1
    assert f"{corpus['scan'].path.name}: PDF ini" in result.output
    assert out.exists()
