"""Import of text whose table columns a PDF-to-text tool flattened: each cell on its own
line(s), a row's cells one after the other, several indicators under one NO.

Fixtures: ``data/flat/iki-rata.txt`` (two documents printed to PDF by LibreOffice and
extracted with ``pdftotext -raw``; regenerate with ``python tests/iki_documents.py``) and,
with LibreOffice, every layout of ``iki_documents.CASES`` flattened the same way at test
time and compared field by field with the import of its .docx.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iki_xlsx.define.documents import import_documents, import_text

FLAT = Path(__file__).parent / "data" / "flat" / "iki-rata.txt"


def indicators(result):
    return [i for a in result.master.assignments for i in result.master.iki[a.kode_iki].indicators]


def test_flattened_fixture_rows_and_cells():
    r = import_documents([FLAT])
    assert (r.summary["documents"], r.summary["indikator"]) == (2, 18)
    first = r.master.iki["IKI-001"]
    assert (first.perangkat_daerah, first.jabatan) == ("Dinas Kesehatan Kabupaten Contoh",
                                                       "Kepala Bidang Pengembangan Kompetensi")
    one, two = first.indicators[:2]
    assert (one.no, one.sasaran) == ("1", "Meningkatnya derajat kesehatan ibu dan anak di "
                                          "seluruh wilayah kerja puskesmas")
    assert one.indikator == ("Cakupan persalinan ditolong tenaga kesehatan di fasilitas "
                             "pelayanan kesehatan bidang 1")
    assert one.target.text == "95%"
    assert one.penjelasan == ("Jumlah persalinan oleh nakes di fasyankes / jumlah seluruh "
                              "persalinan x 100")
    assert one.sumber_data == "Seksi Kesehatan Keluarga dan Gizi"
    # the second indicator of NO 1: its target "< 10" and its formula shared a line
    assert (two.no, two.sasaran, two.target.text) == ("1", one.sasaran, "< 10")
    assert two.penjelasan == "Jumlah kematian bayi / jumlah kelahiran hidup x 1.000"
    # "Persentase desa UCI 24 jam Desa dengan …": three cells on one line
    uci = next(i for i in first.indicators if i.indikator == "Persentase desa UCI")
    assert uci.target.text == "24 jam"
    assert uci.penjelasan.startswith("Desa dengan imunisasi dasar lengkap 80%")
    assert [i.target.text for i in first.indicators].count("Tepat Waktu") == 1


def test_flattened_fixture_signature_and_page_header():
    r = import_documents([FLAT])
    a = r.master.assignments[0]
    assert (a.pegawai.nama, a.pegawai.nip, a.pegawai.golongan) == (
        "SITI RAHMAWATI, S.E", "198803032011012004", "III/c")
    assert (a.atasan.nama, a.atasan.nip) == ("Dr. H. SUGIANTO, M.Si", "197005121995031002")
    assert not any("Lampiran" in i.sasaran + i.indikator + i.sumber_data
                   for i in indicators(r))
    assert not {"kolom_tidak_pasti", "baris_tidak_dikenali"} & {x["kind"] for x in r.review}


AMBIGUOUS = """\
INDIKATOR KINERJA INDIVIDU TAHUN 2025
1. PERANGKAT DAERAH : Kantor Kecamatan Contoh
2. JABATAN : Pengadministrasi Umum
NO SASARAN INDIKATOR KINERJA PENJELASAN SUMBER DATA
1 Meningkatnya tertib
administrasi surat
Persentase surat masuk
yang diagendakan
Surat diagendakan dibagi
surat masuk x 100%
Sub Bagian Umum
2 Kebersihan kantor
ruang kerja bersih
jumlah ruang
catatan piket
"""


def test_flattened_rows_found_and_doubtful_rows_reviewed_with_their_lines():
    r = import_text(AMBIGUOUS, "kecamatan.txt")
    iki = r.master.iki["IKI-001"]
    first = iki.indicators[0]
    assert (first.no, first.sasaran, first.indikator) == (
        "1", "Meningkatnya tertib administrasi surat", "Persentase surat masuk yang diagendakan")
    assert (first.penjelasan, first.sumber_data) == (
        "Surat diagendakan dibagi surat masuk x 100%", "Sub Bagian Umum")
    assert [i.no for i in iki.indicators] == ["1", "2"]
    doubtful = [x for x in r.review if x["kind"] == "kolom_tidak_pasti"]
    assert [x["line"] for x in doubtful] == [12]  # row 2 only: its cells start in lowercase
    assert "baris 12–15" in doubtful[0]["message"]


def test_header_lines_that_are_prose_do_not_start_a_table():
    text = ("INDIKATOR KINERJA INDIVIDU\nJABATAN : Analis\n"
            "Indikator kinerja dan sasaran disusun bersama atasan langsung.\n")
    r = import_text(text)
    assert r.summary["indikator"] == 0
    assert "tanpa_tabel" in {x["kind"] for x in r.review}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["kukar", "other", "sampang", "target_last", "borderless",
                                  "no_repeat"])
def test_flattened_text_imports_as_the_docx_does(tmp_path_factory, name):
    iki_documents = pytest.importorskip("iki_documents")
    docx, pdf = iki_documents.printed()[name]
    flat = tmp_path_factory.mktemp("flat") / f"{name}.txt"
    flat.write_text(iki_documents.flatten(pdf), encoding="utf-8")
    expected = iki_documents.fields(import_documents([docx]))
    got = iki_documents.fields(import_documents([flat]))
    assert [(e, g) for e, g in zip(expected, got) if e != g] == []
    assert len(got) == len(expected)


@pytest.mark.libreoffice
def test_rows_broken_across_pages_are_reviewed_where_not_rebuilt():
    """Rows that Word lets break across pages: the flattened text continues them in
    lowercase after the repeated column titles. What the cut gets wrong is listed."""
    iki_documents = pytest.importorskip("iki_documents")
    docx, pdf = iki_documents.printed()["split_rows"]
    flat = Path(pdf).with_suffix(".rata.txt")
    flat.write_text(iki_documents.flatten(pdf), encoding="utf-8")
    expected, r = import_documents([docx]), import_documents([flat])
    flagged = {x["line"] for x in r.review if x["kind"] == "kolom_tidak_pasti"}
    wrong = []
    for d, (a, b) in enumerate(zip(expected.master.assignments, r.master.assignments)):
        want, got = expected.master.iki[a.kode_iki], r.master.iki[b.kode_iki]
        assert len(got.indicators) == len(want.indicators)
        for k, (i, j) in enumerate(zip(want.indicators, got.indicators)):
            if (i.sasaran, i.indikator, i.penjelasan, i.sumber_data) != (
                    j.sasaran, j.indikator, j.penjelasan, j.sumber_data):
                wrong.append(r.documents[d].rows[k].line)
    assert wrong and set(wrong) <= flagged


# --------------------------------------------------------------------------- perangkat daerah

def _block(pd: str, jabatan: str, nip: str) -> str:
    return (f"INDIKATOR KINERJA INDIVIDU TAHUN 2025\n1. PERANGKAT DAERAH : {pd}\n"
            f"2. JABATAN : {jabatan}\n"
            "NO\tSASARAN\tINDIKATOR KINERJA\tPENJELASAN\tSUMBER DATA\n"
            f"1\tTerlaksananya tugas\tJumlah laporan {jabatan}\tJumlah laporan\tArsip\n\n"
            f"Contoh, 2 Januari 2025\n{jabatan}\nBUDI SANTOSO, S.E\nNIP. {nip}\n\n")


def test_one_perangkat_daerah_spelt_differently_is_merged_and_each_merge_listed():
    text = "".join(_block(pd, f"Analis {n}", f"19800101200501100{n}") for n, pd in enumerate([
        "Dinas Kesehatan Kabupaten Contoh", "Dinas Kesehatan Kabupaten Contoh",
        "Dinas Kesehatan Kab. Contoh", "DINAS KESEHATAN KABUPATEN CONTOH",
        "Dinas Kesehatn Kabupaten Contoh", "Dinas Kesehatan", "Dinas Pendidikan",
        "SMP Negeri 1 Contoh", "SMP Negeri 2 Contoh"], start=1))
    r = import_text(text, "nama.txt")
    names = [r.master.iki[a.kode_iki].perangkat_daerah for a in r.master.assignments]
    assert names == ["Dinas Kesehatan Kabupaten Contoh"] * 6 + [
        "Dinas Pendidikan", "SMP Negeri 1 Contoh", "SMP Negeri 2 Contoh"]
    assert {a.pegawai.perangkat_daerah for a in r.master.assignments[:6]} == {names[0]}
    merged = [x for x in r.review if x["kind"] == "perangkat_daerah_disamakan"]
    assert [x["line"] for x in merged] == [24, 35, 46, 57]  # each document's own line
    assert all(x["message"].endswith('disamakan dengan "Dinas Kesehatan Kabupaten Contoh".')
               for x in merged)


def test_seed_typo_in_perangkat_daerah_is_merged():
    """The measured case: one document of the Kutai Kartanegara decree writes
    ``Badan Kepegawain … Kabupaten Kutai Kartanegara``."""
    from test_import_seeds import seed

    r = import_documents([seed("kukar-bkpsdm-2025.txt")])
    assert {d.perangkat_daerah for d in r.master.iki.values()} == {
        "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA", ""}
    assert any("Badan Kepegawain" in x["message"] for x in r.review
               if x["kind"] == "perangkat_daerah_disamakan")


# --------------------------------------------------------------------------- the decree's shape

SAMPLES = Path(__file__).resolve().parent / "data" / "decree"
DECREE_SAMPLE = [  # read off the sample by hand: (jabatan, no, indikator, target, sumber data)
    ("Sekretaris Badan", "1", "Persentase tersusunya dokumen perencanaan, penganggaran dan "
     "evaluasi kinerja tepat waktu", "100%", "Sub Bagian Perencanaan dan Keuangan"),
    ("Sekretaris Badan", "1", "Persentase hasil review dan pemeriksaan oleh APIP dan BPK yag "
     "ditindaklanjuti", "100%", "Sub Bagian Perencanaan dan Keuangan"),
    ("Sekretaris Badan", "1", "Indeks Kepuasan layanan kesekretariatan", "B (80)",
     "Sub Bagian Umum dan Kepegawaian"),
    *[("Kepala Sub Bagian Perencanaan dan Keuangan", str(n), ind, target,
       "Sub Bagian Perencanaan dan Keuangan") for n, ind, target in [
        (1, "Jumlah dokumen perencanaan yang tersedia", "10 dokumen"),
        (2, "Jumlah dokumen evaluasi kinerja yang tersedia", "5 dokumen"),
        (3, "Jumlah dokumen rencana anggaran murni yang tersedia", "2 dokumen"),
        (4, "Jumlah dokumen rencana anggaran perubahan yang tersedia", "1 dokumen"),
        (5, "Jumlah Dokumen Pelaksanaan Anggaran (DPA) yang tersedia", "2 dokumen"),
        (6, "Jumlah gaji dan tunjangan ASN yang terbayarkan", "200 dokumen"),
        (7, "Jumah dokumen laporan keuangan perangkat daerah yang tersedia", "1 dokumen")]],
]


def test_decree_sample_cells_as_blocks():
    """The sample decree (``tests/data/decree``): every cell a block of lines, the first
    lines of neighbouring cells sometimes on one line (``100% Jumlah dokumen …``,
    ``5 dokumen dokumen evaluasi …``, ``1 dokumen Laporan keuangan (CaLK)  Sub Bagian``)."""
    path = SAMPLES / "dekret-kolom-rata-2-dokumen.txt"
    r = import_documents([path])
    got = [(r.master.iki[a.kode_iki].jabatan, i.no, i.indikator, i.target.text, i.sumber_data)
           for a in r.master.assignments for i in r.master.iki[a.kode_iki].indicators]
    assert got == DECREE_SAMPLE
    first = r.master.iki[r.master.assignments[0].kode_iki].indicators[0]
    assert first.sasaran == "Meningkatnya kualitas kinerja layanan kesekretariatan"
    assert first.penjelasan == ("Jumlah dokumen perencanaan yang tersedia tepat waktu "
                                "dibandingkan jumlah dokumen perencanaan yang harusnya tersedia")
    second = r.master.iki[r.master.assignments[1].kode_iki].indicators
    assert second[1].penjelasan.startswith("dokumen evaluasi renstra, dokumen evaluasi")
    assert second[6].penjelasan == "Laporan keuangan (CaLK)"
    assert "tanpa_tabel" not in {x["kind"] for x in r.review}
