"""The rules of PDF import one at a time, on small PDFs reportlab makes in a moment (the
whole corpus of producers is in test_import_producers.py, marked slow):

* a line-end hyphen stays in the word (``e-Pantau``, ``Perundang-Undangan``), decided
  with the document's own words; a word a narrow column broke is joined;
* a document's title and header at the top of an A4 page are kept; a running header and
  page numbers repeated on every page are dropped;
* a table without rulings whose titles wrap over centred lines is cut into its columns;
* a signature block beside the last rows hides none of them;
* every row read wrong is named in Tinjauan, with its page and height.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from pdf_corpus import Layout, score
from pdf_corpus.content import documents
from pdf_corpus.layouts import DECREE, KUKAR, MIXED, NO_NUMBER

from iki_xlsx.define.documents import import_documents, import_text
from iki_xlsx.define.documents.words import Vocabulary

pytest.importorskip("reportlab", reason="reportlab not installed (pip install -e '.[test]')")
from pdf_corpus.pdfgen import write_pdf  # noqa: E402


@pytest.mark.parametrize("left, right, joined", [
    ("sesuai ketentuan Peraturan Perundang-", "Undangan yang berlaku",
     "sesuai ketentuan Peraturan Perundang-Undangan yang berlaku"),
    ("melalui aplikasi SIASN dan e-", "Pantau", "melalui aplikasi SIASN dan e-Pantau"),
    ("Nilai rata-", "rata survei", "Nilai rata-rata survei"),
    ("4 dokum", "en", "4 dokumen"),  # a word the column was too narrow for
    ("Terselenggarany", "a pelayanan", "Terselenggaranya pelayanan"),
    ("penyelenggara", "an Satu Data", "penyelenggaraan Satu Data"),
    ("Jumlah data", "yang diinput", "Jumlah data yang diinput"),
    ("dibagi", "di lokasi", "dibagi di lokasi"),  # "di" is a word
    ("tahun 2024 -", "2025", "tahun 2024 - 2025"),  # a dash, not a hyphen
])
def test_wrapped_lines_join_as_the_document_writes(left, right, joined):
    vocab = Vocabulary("penyelenggaraan dokumen dokumen Perundang-Undangan e-Pantau "
                       "Terselenggaranya".split())
    assert vocab.join(left, right) == joined


def test_a_producer_hyphenation_is_undone_when_the_document_writes_the_word_whole():
    vocab = Vocabulary("pelaksanaan pelaksanaan kegiatan".split())
    assert vocab.join("pedoman pelak-", "sanaan kegiatan") == "pedoman pelaksanaan kegiatan"
    assert Vocabulary(()).join("pedoman pelak-", "sanaan") == "pedoman pelak-sanaan"


def test_hyphen_in_a_text_header_value():
    text = ("INDIKATOR KINERJA INDIVIDU\nJABATAN : Analis\nTUGAS : melaksanakan tugas sesuai "
            "Peraturan Perundang-\nUndangan yang berlaku\n")
    r = import_text(text)
    assert next(iter(r.master.iki.values())).tugas == (
        "melaksanakan tugas sesuai Peraturan Perundang-Undangan yang berlaku")


def made(tmp_path, layout: Layout, count: int = 2):
    docs = documents(count, layout.seed, groups=layout.groups,
                     target="target" in {k for k, _ in layout.columns})
    return docs, write_pdf(docs, layout, tmp_path / f"{layout.name}.pdf")


def no_wrong_row(docs, result, name: str):
    tally = score(docs, result, name)
    assert tally.wrong == [] and tally.exact == tally.rows
    return tally


def test_a4_title_and_header_at_the_page_top_are_kept(tmp_path):
    """On A4 portrait with a running header and page numbers, each document's title and
    ``1. PERANGKAT DAERAH : …`` stand in the top 9 % of their page: they are read, the
    running header and the page numbers are not."""
    layout = Layout("a4_top", "reportlab", KUKAR, seed=101, landscape=False,
                    running_header="Lampiran Keputusan Bupati", page_numbers=True)
    docs, pdf = made(tmp_path, layout, count=3)
    r = import_documents([pdf])
    no_wrong_row(docs, r, layout.name)
    assert [r.master.iki[a.kode_iki].perangkat_daerah for a in r.master.assignments] == [
        d.perangkat_daerah for d in docs]
    values = [i.sasaran + i.indikator for d in r.master.iki.values() for i in d.indicators]
    assert not any("Lampiran" in v or "Halaman" in v for v in values)
    assert r.master.settings.tahun == 2025


@pytest.mark.parametrize("columns", [KUKAR, MIXED, NO_NUMBER], ids=["kukar", "mixed", "no_no"])
def test_borderless_titles_wrapped_over_centred_lines(tmp_path, columns):
    layout = Layout("plain", "reportlab", columns, seed=102, borders=False, landscape=False,
                    widths={"no": 0.05, "sasaran": 0.16, "indikator": 0.2, "penjelasan": 0.2,
                            "sumber": 0.13, "target": 0.09})
    docs, pdf = made(tmp_path, layout)
    no_wrong_row(docs, import_documents([pdf]), layout.name)


def test_rows_split_by_page_breaks_are_joined_back(tmp_path):
    layout = Layout("split", "reportlab", DECREE, seed=103, borders=False, split_rows=True,
                    paper="F4", running_header="Lampiran", page_numbers=True)
    docs, pdf = made(tmp_path, layout, count=3)
    no_wrong_row(docs, import_documents([pdf]), layout.name)


@pytest.mark.parametrize("borders", [True, False], ids=["ruled", "plain"])
def test_signature_beside_the_table_hides_no_row(tmp_path, borders):
    layout = Layout("beside", "reportlab", MIXED, seed=104, borders=borders,
                    signature="beside")
    docs, pdf = made(tmp_path, layout)
    r = import_documents([pdf])
    no_wrong_row(docs, r, layout.name)
    assert [a.pegawai.nama for a in r.master.assignments] == [d.pegawai.nama for d in docs]
    assert "baris_tidak_dikenali" not in {x["kind"] for x in r.review}


def test_rows_that_cannot_be_told_apart_are_reviewed_with_page_and_height(tmp_path):
    """Cells centred in rows without rulings or padding: wherever a row is read wrong, its
    page and height are in Tinjauan."""
    layout = Layout("middle", "reportlab", KUKAR, seed=105, borders=False, valign="middle",
                    face="serif")
    docs, pdf = made(tmp_path, replace(layout), count=3)
    r = import_documents([pdf])
    tally = score(docs, r, layout.name)
    assert tally.silent == 0
    assert all(x["where"].startswith("hlm. ") for x in r.review
               if x["kind"] == "kolom_tidak_pasti")
