"""Import of constructed documents that vary the seeds' layouts: other column labels and
typos, markdown and tab layouts, decree preambles, broken and shifted rows, missing
sections, side-by-side signatures, .docx, identical IKI shared by several pegawai."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from iki_xlsx.core.model import Aggregation, Polarity
from iki_xlsx.core.texts import get_texts
from iki_xlsx.define.documents import import_documents, import_text
from iki_xlsx.define.documents.issues import KINDS

DATA = Path(__file__).parent / "data" / "import"


def kinds_at(result) -> dict[int | None, set[str]]:
    out: dict[int | None, set[str]] = {}
    for r in result.review:
        out.setdefault(r["line"], set()).add(r["kind"])
    return out


def only_iki(result):
    assert len(result.master.iki) == 1
    return next(iter(result.master.iki.values()))


# --------------------------------------------------------------------------- files

def test_decree_with_markdown_tables():
    r = import_documents([DATA / "keputusan-markdown.md"])
    assert r.summary["documents"] == 1  # the decree's prose is not a document
    iki = only_iki(r)
    assert iki.perangkat_daerah == "Dinas Komunikasi dan Informatika"
    assert iki.jabatan == "Kepala Seksi Layanan Informasi Publik"
    assert iki.fungsi == ("penyusunan rencana kerja seksi", "pelaksanaan layanan informasi publik",
                          "pelaporan pelaksanaan tugas.")
    assert iki.label_sasaran == "SASARAN KINERJA INDIVIDU"
    a, b, c = iki.indicators  # the "| 1 | 2 | 3 | 4 | 5 |" row is not an indicator
    assert a.penjelasan == "Permohonan dilayani tepat waktu / Seluruh permohonan × 100%"
    assert (a.satuan, a.polaritas, a.agregasi) == ("%", Polarity.MAKSIMAL, Aggregation.TERAKHIR)
    assert (b.no, b.sasaran, b.sumber_data) == ("1", a.sasaran, "Kotak saran; SP4N Lapor")
    assert b.polaritas is Polarity.MINIMAL  # complaints: fewer is better
    assert (c.no, c.indikator, c.satuan) == ("2", "Jumlah laporan kinerja seksi", "laporan")
    p, atasan = r.master.assignments[0].pegawai, r.master.assignments[0].atasan
    assert (p.nama, p.nip, p.pangkat, p.golongan) == (
        "SITI RAHMAWATI, S.Kom", "198505052010012003", "Penata", "III/c")
    assert (atasan.nama, atasan.nip, atasan.pangkat, atasan.golongan) == (
        "Drs. BUDI SANTOSO, M.Si", "197001011995031001", "Pembina Tingkat I", "IV/b")
    assert atasan.jabatan == "Kepala Bidang Informasi dan Komunikasi Publik"
    assert r.master.settings.tahun == 2025
    assert {x["kind"] for x in r.review} == {"target_kosong"}


def test_tab_layout_with_target_satuan_and_repairs():
    r = import_documents([DATA / "tab-target-rumus.txt"])
    iki = only_iki(r)
    assert iki.perangkat_daerah == "Dinas Lingkungan Hidup"
    assert iki.label_sasaran == "SASARAN"  # "SABARAN" in the source
    assert iki.fungsi == ("perumusan kebijakan teknis pengendalian pencemaran",
                          "pelaksanaan pemantauan kualitas lingkungan.")
    ind = iki.indicators
    assert len(ind) == 6
    assert (ind[0].target.value, ind[0].satuan, ind[0].polaritas) == (0, "temuan", Polarity.MINIMAL)
    assert ind[0].penjelasan == "Jumlah temuan hasil pengawasan"  # the RUMUS column
    assert (ind[1].no, ind[1].target.value, ind[1].satuan) == ("1", 100, "%")
    assert ind[1].polaritas is Polarity.MAKSIMAL  # complaints followed up: more is better
    assert (ind[2].target.text, ind[2].target.value, ind[2].agregasi) == (
        "BB (70)", 70, Aggregation.RATA_RATA)
    # A row broken by the PDF extraction in the middle of its INDIKATOR cell.
    assert ind[3].indikator == ("Jumlah titik pantau kualitas udara yang diukur setiap triwulan "
                                "sesuai jadwal")
    assert (ind[3].target.value, ind[3].satuan, ind[3].sumber_data) == (
        4, "titik", "Laporan pemantauan")
    assert (ind[4].target.text, ind[4].satuan) == ("4 dokumen", "dokumen")  # from the target
    # A row shifted to the left: put back under INDIKATOR … SUMBER DATA.
    assert (ind[5].no, ind[5].indikator, ind[5].penjelasan, ind[5].sumber_data) == (
        "4", "Terlaksananya SIDAK", "Jumlah laporan sidak", "Arsip bidang")
    at = kinds_at(r)
    assert "baris_digabung" in at[14] and "kolom_tidak_pasti" in at[17]
    assert "target_kosong" in at[17]
    # Side-by-side signature printed with tabs: superior left, pegawai right.
    a = r.master.assignments[0]
    assert (a.pegawai.nama, a.pegawai.nip) == ("SRI WAHYUNI, S.T", "19800202200501201")
    assert (a.atasan.nama, a.atasan.golongan) == ("Ir. AHMAD YANI, M.T", "IV/c")
    assert "nip_panjang" in at[24]
    assert r.master.settings.tanggal.isoformat() == "2025-01-10"


def test_identical_iki_shared_and_documents_without_title():
    r = import_documents([DATA / "dua-pegawai-satu-iki.txt"])
    assert r.summary["documents"] == 3 and r.summary["pegawai"] == 3
    assert list(r.master.iki) == ["IKI-001", "IKI-002"]
    codes = [a.kode_iki for a in r.master.assignments]
    assert codes == ["IKI-001", "IKI-001", "IKI-002"]
    names = [a.pegawai.nama for a in r.master.assignments]
    assert names == ["ANDI PRATAMA", "BUDI HARTONO", "DEWI LESTARI, S.E."]
    first = r.master.iki["IKI-001"]
    assert first.perangkat_daerah == "" and first.fungsi == (
        "Menerima dan mencatat surat masuk", "Mengarsipkan dokumen")
    assert first.indicators[1].polaritas is Polarity.YA_TIDAK  # "Tingkat ketepatan waktu …"
    assert [i.no for i in first.indicators] == ["1", "1"]
    # Third document: no title, labels first and values after; a duplicated row dropped.
    third = r.master.iki["IKI-002"]
    assert (third.perangkat_daerah, third.jabatan, third.tugas) == (
        "Badan Perencanaan Pembangunan Daerah", "Perencana Ahli Pertama",
        "Menyusun dokumen perencanaan")
    assert third.fungsi == ("Menghimpun data perencanaan", "Menyusun rancangan dokumen")
    assert [i.no for i in third.indicators] == ["1", "2"]
    at = kinds_at(r)
    assert at[59] == {"baris_ganda"}
    assert {"nip_kosong", "atasan_tidak_ditemukan"} <= at[63]
    assert "nip_panjang" in at[43]  # 17 digits
    # IKI-level items are listed once, for the first document of a shared code.
    assert sum(x["kind"] == "tanpa_perangkat_daerah" for x in r.review) == 1


def test_several_files_keep_their_names_and_order():
    files = [DATA / "tab-target-rumus.txt", DATA / "keputusan-markdown.md"]
    r = import_documents(files)
    assert r.summary["files"] == 2 and r.summary["documents"] == 2
    assert [a.kode_iki for a in r.master.assignments] == ["IKI-001", "IKI-002"]
    seen = [x["file"] for x in r.review]
    assert seen == sorted(seen, key=["tab-target-rumus.txt", "keputusan-markdown.md"].index)


# --------------------------------------------------------------------------- inline variants

OTHER_LABELS = """\
INDIKATOR KINERJA INDIVIDU
Nama Jabatan    :   Arsiparis Ahli Pertama
Unit Kerja : Sekretariat
Satuan Kerja : Dinas Perpustakaan dan Kearsipan
Uraian Tugas : Mengelola arsip dinamis dan statis

No.\tSasaran Strategis\tIndikator Kinerja Individu\tDefinisi Operasional / Cara Perhitungan\tSumber Data\tKeterangan
1.\tTertatanya arsip dinamis\tJumlah berkas arsip yang ditata\tJumlah berkas\tDaftar arsip\tprioritas
2.\tTerlaksananya pelayanan arsip\tPersentase permintaan arsip yang dilayani\tDilayani / diminta x 100%\tBuku layanan\t

Kepala Dinas Perpustakaan dan Kearsipan
Dra. HJ. NURUL HIDAYAH, M.Si
NIP 19690505 199403 2 007

Arsiparis Ahli Pertama
RUDI HERMAWAN, S.Hum
NIP 19930909 201903 1 002
"""


def test_other_labels_and_unknown_column():
    r = import_text(OTHER_LABELS, "lain.txt")
    iki = only_iki(r)
    assert iki.jabatan == "Arsiparis Ahli Pertama"
    assert iki.perangkat_daerah == "Dinas Perpustakaan dan Kearsipan"
    assert iki.tugas == "Mengelola arsip dinamis dan statis"
    assert iki.fungsi == ()  # no FUNGSI section
    assert r.master.assignments[0].pegawai.unit_kerja == "Sekretariat"
    assert [(i.no, i.sumber_data) for i in iki.indicators] == [("1", "Daftar arsip"),
                                                                ("2", "Buku layanan")]
    assert iki.indicators[1].penjelasan == "Dilayani / diminta x 100%"
    assert "kolom_tidak_dikenal" in kinds_at(r)[7]  # KETERANGAN is not copied anywhere
    msg = next(x["message"] for x in r.review if x["kind"] == "kolom_tidak_dikenal")
    assert "Keterangan" in msg
    a = r.master.assignments[0]
    assert (a.pegawai.nama, a.atasan.nama) == (
        "RUDI HERMAWAN, S.Hum", "Dra. HJ. NURUL HIDAYAH, M.Si")


MISSING_SECTIONS = """\
INDIKATOR KINERJA INDIVIDU
1. PERANGKAT DAERAH : Dinas Sosial
2. JABATAN : Pekerja Sosial Ahli Muda

INDIKATOR KINERJA INDIVIDU
1. PERANGKAT DAERAH : Dinas Sosial
3. TUGAS : Melaksanakan rehabilitasi sosial

NO\tSASARAN\tINDIKATOR KINERJA\tPENJELASAN\tSUMBER DATA
1\tTerlaksananya rehabilitasi\tJumlah penerima manfaat rehabilitasi\tJumlah orang\tData PPKS
"""


def test_missing_sections_are_reviewed_not_dropped():
    r = import_text(MISSING_SECTIONS, "kurang.txt")
    assert r.summary["documents"] == 2 and r.summary["pegawai"] == 2
    first, second = (r.master.iki[a.kode_iki] for a in r.master.assignments)
    assert first.indicators == () and second.jabatan == ""
    assert second.indicators[0].satuan == "orang"
    at = kinds_at(r)
    assert {"tanpa_tabel", "tanpa_tanda_tangan"} <= at[1]
    assert "tanpa_jabatan" in at[5]


NO_HEADER_ROW = "\r\n".join([
    "INDIKATOR KINERJA INDIVIDU TAHUN 2024",
    "JABATAN\tPenyuluh Pertanian Ahli Pertama",
    "1\tMeningkatnya produktivitas\tJumlah kelompok tani yang dibina\tJumlah kelompok\tLaporan",
    "\t\tJumlah demplot\tJumlah demplot\tLaporan",
    "",
    "Contoh, 5 Januari 2024",
    "Penyuluh Pertanian Ahli Pertama",
    "TONO SUTRISNO, S.P.",
    "Penata Muda / III-a",
    "NIP. 19950101 202012 1 004",
    "LAMPIRAN\tTABEL\tLAIN\tTIDAK DIKENAL",
])


def test_table_without_header_row_crlf_and_stray_rows():
    r = import_text(NO_HEADER_ROW, "tanpa-judul.txt")
    iki = only_iki(r)
    assert iki.jabatan == "Penyuluh Pertanian Ahli Pertama"
    assert [i.indikator for i in iki.indicators] == ["Jumlah kelompok tani yang dibina",
                                                     "Jumlah demplot"]
    at = kinds_at(r)
    assert "tabel_tanpa_judul" in at[3]
    assert "baris_tidak_dikenali" in at[11]  # a table-like line after the signature
    p = r.master.assignments[0].pegawai
    assert (p.nip, p.nama) == ("199501012020121004", "TONO SUTRISNO, S.P.")
    assert r.master.settings.tahun == 2024


def test_cp1252_file_and_unreadable_file(tmp_path):
    path = tmp_path / "lama.txt"
    path.write_bytes(OTHER_LABELS.replace("Arsiparis", "Arsipar\u00eds").encode("cp1252"))
    missing = tmp_path / "tidak-ada.txt"
    r = import_documents([path, missing])
    assert r.master.iki["IKI-001"].jabatan == "Arsipar\u00eds Ahli Pertama"
    assert [x["kind"] for x in r.review if x["file"] == "tidak-ada.txt"] == ["berkas_tidak_terbaca"]


def test_file_without_iki():
    r = import_text("Surat edaran tentang jam kerja.\nHarap diperhatikan.\n", "surat.txt")
    assert r.summary["documents"] == 0
    assert [x["kind"] for x in r.review] == ["berkas_tanpa_iki"]


# --------------------------------------------------------------------------- docx

def _docx(path: Path) -> None:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def p(text: str) -> str:
        return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'

    def row(*cells) -> str:
        tcs = "".join("<w:tc>" + "".join(p(t) for t in (c if isinstance(c, tuple) else (c,)))
                      + "</w:tc>" for c in cells)
        return f"<w:tr>{tcs}</w:tr>"

    body = "".join([
        p("INDIKATOR KINERJA INDIVIDU TAHUN 2025"),
        "<w:tbl>" + row("1.", "PERANGKAT DAERAH", ":", "Dinas Kesehatan")
        + row("2.", "JABATAN", ":", "Epidemiolog Kesehatan Ahli Muda")
        + row("4.", "FUNGSI", ":", ("a. pengumpulan data;", "b. analisis data.")) + "</w:tbl>",
        "<w:tbl>" + row("NO", "SASARAN", "INDIKATOR KINERJA", "PENJELASAN", "SUMBER DATA")
        + row("1", "Terlaksananya surveilans", "Jumlah kajian epidemiologi", "Jumlah kajian",
              ("Laporan W2", "SKDR")) + "</w:tbl>",
        "<w:tbl>" + row(("Mengetahui,", "Kepala Bidang P2P", "dr. ANTON WIBOWO, M.Kes",
                         "NIP. 19750101 200212 1 003"),
                        ("Contoh, 2 Januari 2025", "Epidemiolog Kesehatan Ahli Muda",
                         "RINA MARLINA, S.KM", "Penata (III/c)", "NIP. 19880303 201101 2 004"))
        + "</w:tbl>",
    ])
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}'
           "</w:body></w:document>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)


def test_docx(tmp_path):
    path = tmp_path / "iki.docx"
    _docx(path)
    r = import_documents([path])
    iki = only_iki(r)
    assert (iki.perangkat_daerah, iki.fungsi) == (
        "Dinas Kesehatan", ("pengumpulan data", "analisis data."))
    assert iki.indicators[0].sumber_data == "Laporan W2; SKDR"
    a = r.master.assignments[0]
    assert (a.pegawai.nama, a.pegawai.golongan, a.atasan.nama) == (
        "RINA MARLINA, S.KM", "III/c", "dr. ANTON WIBOWO, M.Kes")


# --------------------------------------------------------------------------- review rows

@pytest.mark.parametrize("kind", KINDS)
def test_every_review_kind_has_message_and_action(kind):
    texts = get_texts()
    assert texts.has(f"impor.masalah.{kind}") and texts.has(f"impor.saran.{kind}")


def test_review_rows_are_complete():
    r = import_documents(sorted(DATA.iterdir()))
    assert r.review
    for row in r.review:
        assert set(row) == {"file", "line", "where", "kind", "message", "kode_iki", "action"}
        assert row["kind"] in KINDS and row["message"] and row["action"]
        assert row["line"] is None or isinstance(row["line"], int)
        assert row["where"] == ("" if row["line"] is None else f"baris {row['line']}")
    assert r.summary["review"] == len(r.review)
    assert sum(r.summary["review_per_jenis"].values()) == len(r.review)


PAGE_HEADERS = """\
INDIKATOR KINERJA INDIVIDU
1. JABATAN : Analis Kebijakan
NO\tSASARAN\tINDIKATOR KINERJA\tPENJELASAN\tSUMBER DATA
1\tTersusunnya kajian\tJumlah kajian kebijakan\tJumlah dokumen\tArsip

INDIKATOR KINERJA INDIVIDU
Dinas Contoh
NO\tSASARAN\tINDIKATOR KINERJA\tPENJELASAN\tSUMBER DATA
2\tTerlaksananya rapat\tJumlah rapat koordinasi\tJumlah rapat\tNotulen

Kepala Bidang
BUDI SANTOSO, S.E
NIP. 198001012010011001
Contoh, 1 Januari 2025
Analis Kebijakan
ANI LESTARI, S.E
NIP. 198101012010012001
"""


def test_title_repeated_on_every_page_and_year_given():
    r = import_text(PAGE_HEADERS, "halaman.txt", tahun=2026)
    assert r.summary["documents"] == 1  # the second title is a page header
    iki = only_iki(r)
    assert [(i.no, i.indikator) for i in iki.indicators] == [
        ("1", "Jumlah kajian kebijakan"), ("2", "Jumlah rapat koordinasi")]
    a = r.master.assignments[0]
    assert (a.pegawai.nama, a.atasan.nama) == ("ANI LESTARI, S.E", "BUDI SANTOSO, S.E")
    assert r.master.settings.tahun == 2026  # given, overrides the date
    assert not any(x["kind"] == "tahun_tidak_ditemukan" for x in r.review)


def test_agency_heading_above_the_first_title():
    s = import_documents([DATA / "tab-target-rumus.txt"]).master.settings
    assert (s.pemerintah_daerah, s.instansi) == ("PEMERINTAH KABUPATEN CONTOH",
                                                 "Dinas Lingkungan Hidup")


ODD_ROWS = """\
INDIKATOR KINERJA INDIVIDU
1. PERANGKAT DAERAH : Dinas Pendidikan
2. JABATAN : Pengawas Sekolah
NO\tSASARAN\tINDIKATOR KINERJA\tPENJELASAN\tTARGET\tSUMBER DATA
1\t\tJumlah sekolah yang disupervisi\tJumlah sekolah\t12 sekolah\tLaporan
2\tMeningkatnya mutu sekolah\t\t\t\t
\t\tNilai akreditasi sekolah binaan\tRata-rata nilai\tbaik sekali\tBAN-S/M
3\tTerlaksananya pembinaan guru\tJumlah guru yang dibina\tJumlah guru\t40\tLaporan
sesuai rencana kerja
4\tSasaran tanpa indikator\t\t\t\t

Kepala Dinas Pendidikan
Dr. ANDI WIJAYA, M.Pd
NIP. 196501011990031001
Contoh, 6 Januari 2025
Pengawas Sekolah
NIP. 196513131990031001
"""


def test_odd_rows_and_people_are_reviewed():
    r = import_text(ODD_ROWS + "\n" + ODD_ROWS, "ganjil.txt")
    assert r.summary["documents"] == 2 and r.summary["iki"] == 1
    iki = r.master.iki["IKI-001"]
    assert [(i.no, i.sasaran) for i in iki.indicators] == [
        ("1", ""), ("2", "Meningkatnya mutu sekolah"), ("3", "Terlaksananya pembinaan guru")]
    assert iki.indicators[2].sumber_data == "Laporan sesuai rencana kerja"
    assert iki.indicators[1].target.text == "baik sekali"
    at = kinds_at(r)
    assert "sasaran_kosong" in at[5]
    assert "target_tidak_terbaca" in at[7]
    assert "baris_terpotong" in at[9]
    assert "baris_tanpa_indikator" in at[10]
    assert "nama_kosong" in at[16] and "nip_tanggal_lahir" in at[17]
    second = len(ODD_ROWS.splitlines()) + 1
    assert "pegawai_ganda" in at[second + 1]
    assert r.master.assignments[0].pegawai.nip == "196513131990031001"  # kept, flagged


IDENTITY_HEADER = """\
INDIKATOR KINERJA INDIVIDU
NAMA : SRI UTAMI, S.Pd
NIP : 19850101 201001 2 005
PANGKAT/GOL. RUANG : Penata Tk.I / III/d
JABATAN : Guru Ahli Muda
NO\tSASARAN\tINDIKATOR KINERJA\tPENJELASAN\tSUMBER DATA
1\tMeningkatnya mutu pembelajaran\tJumlah siswa tuntas\tJumlah siswa\tRapor
"""


def test_identity_lines_in_the_header_without_signature():
    r = import_text(IDENTITY_HEADER, "identitas.txt")
    p = r.master.assignments[0].pegawai
    assert (p.nama, p.nip, p.pangkat, p.golongan, p.jabatan) == (
        "SRI UTAMI, S.Pd", "198501012010012005", "Penata Tingkat I", "III/d", "Guru Ahli Muda")
    kinds = {x["kind"] for x in r.review}
    assert "tanpa_tanda_tangan" in kinds and "nip_kosong" not in kinds
