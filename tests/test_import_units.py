"""The importer's building blocks: inference rules, text clean-up, header labels and
lists, table titles, signature lines, people."""

from __future__ import annotations

from datetime import date

import pytest

from iki_xlsx.core.model import Aggregation, Polarity
from iki_xlsx.define.documents.cleanup import clean_cell, latex_to_text, strip_markup
from iki_xlsx.define.documents.header import match_label, parse_label_line, split_items
from iki_xlsx.define.documents.people import name_key, pangkat_of
from iki_xlsx.define.documents.signature import is_pangkat, parse_date_line, parse_signature
from iki_xlsx.define.documents.table import is_header, title_kind
from iki_xlsx.define.documents.text import title_year
from iki_xlsx.define.infer import infer_indicator, infer_target, unit_of

MAKS, MIN, YT = Polarity.MAKSIMAL, Polarity.MINIMAL, Polarity.YA_TIDAK
JUMLAH, TERAKHIR, RATA = Aggregation.JUMLAH, Aggregation.TERAKHIR, Aggregation.RATA_RATA


# --------------------------------------------------------------------------- inference

@pytest.mark.parametrize("indikator, penjelasan, target, expected", [
    ("Jumlah temuan BPK atas audit LKPD", "", "", ("temuan", MIN, JUMLAH)),
    ("Tindak Lanjut Hasil Temuan BPK", "", "", ("temuan", MAKS, JUMLAH)),
    ("Persentase sarana dalam kondisi baik", "", "", ("%", MAKS, TERAKHIR)),
    ("Jumlah dokumen formasi yang tersusun", "", "", ("dokumen", MAKS, JUMLAH)),
    ("Jumlah Laporan Keuangan yang tersusun tepat waktu", "", "", ("laporan", MAKS, JUMLAH)),
    ("Jumlah kegiatan sosialisasi", "", "", ("kegiatan", MAKS, JUMLAH)),
    ("Tingkat Ketepatan waktu penyampaian LKjIP", "", "", ("ya/tidak", YT, TERAKHIR)),
    ("Indeks Kepuasan Masyarakat (IKM)", "", "", ("indeks", MAKS, RATA)),
    ("Nilai Maturitas SPIP", "", "", ("nilai", MAKS, RATA)),
    ("1. Skor Sistem Merit", "", "", ("skor", MAKS, RATA)),
    ("Tingkat kepatuhan penyampaian SKP 100% paling lambat", "", "", ("%", MAKS, TERAKHIR)),
    ("Jumlah keluhan layanan", "", "", ("pengaduan", MIN, JUMLAH)),
    ("Terlaksananya koordinasi", "Jumlah usulan berkas dibagi target x 100", "",
     ("berkas", MAKS, JUMLAH)),
    ("Pelaksanaan layanan", "Dilayani / diminta x 100%", "", ("%", MAKS, TERAKHIR)),
    ("Kualitas air", "", "80 - 90 %", ("%", Polarity.RENTANG, TERAKHIR)),
    ("Penyusunan kajian", "", "4 dokumen", ("dokumen", MAKS, JUMLAH)),
    ("Terlaksananya koordinasi", "", "", ("", MAKS, TERAKHIR)),
])
def test_infer_indicator(indikator, penjelasan, target, expected):
    guess = infer_indicator(indikator, penjelasan, target)
    assert (guess.satuan, guess.polaritas, guess.agregasi) == expected
    assert guess.rule


@pytest.mark.parametrize("indikator, penjelasan, expected", [
    ("Pengembangan Kompetensi ASN minimal 20 JP per tahun", "", "20 JP"),
    ("Keterpenuhan 20 JP", "", "20 JP"),
    ("Tingkat kepatuhan SKP 100% paling lambat akhir Februari", "", "100 %"),
    ("Pelaksanaan kegiatan GEMA", "48 Kegiatan GEMA", "48 Kegiatan GEMA"),
    ("Laporan", "Jumlah laporan Target Tahunan : 1 Laporan (48 kali kegiatan)", "1 Laporan"),
    ("Kegiatan GEMA", "JUMLAH KEGIATAN SEBANYAK 48 KEGIATAN", "48 KEGIATAN"),
    ("Tingkat Kepatuhan LHKASN Pertanggal 31 Maret 2025", "", None),  # a date
    ("Persentase sarana baik", "Sarana baik / sarana × 100%", None),  # a formula
])
def test_infer_target(indikator, penjelasan, expected):
    guess = infer_target(indikator, penjelasan)
    assert (guess.text if guess else None) == expected


def test_unit_of():
    assert unit_of("Jumlah peserta Diklat") == "orang"
    assert unit_of("Jumlah Jam Pelajaran pengembangan kompetensi") == "JP"
    assert unit_of("Penyusunan") == ""


# --------------------------------------------------------------------------- clean-up

def test_latex_fraction():
    raw = r"$\frac{\text{Jumlah A}}{\text{Jumlah B}} \times 100\%$"
    assert latex_to_text(raw) == "Jumlah A / Jumlah B × 100%"
    nested = r"$\frac{\frac{a}{b}}{c}$"
    assert latex_to_text(nested) == "a / b / c"


def test_clean_cell_lists():
    assert clean_cell("<ul><li>- Renstra</li> <li>- PK</li></ul>") == "Renstra; PK"
    assert clean_cell("satu<br>dua") == "satu; dua"
    assert clean_cell("- Buku Masuk - Buku Keluar") == "Buku Masuk; Buku Keluar"
    assert clean_cell("Perundang - Undangan") == "Perundang - Undangan"
    assert clean_cell("A &amp; B") == "A & B"


def test_strip_markup():
    assert strip_markup("- 2. JABATAN** : **ANALIS**") == "- 2. JABATAN : ANALIS"
    assert strip_markup("~~Dr. ACHMAD, SE~~") == "Dr. ACHMAD, SE"
    assert strip_markup("## INDIKATOR KINERJA UTAMA") == "INDIKATOR KINERJA UTAMA"
    assert strip_markup("a\tb\t") == "a\tb\t"


# --------------------------------------------------------------------------- header

@pytest.mark.parametrize("line, expected", [
    ("1. PERANGKAT DAERAH : BADAN", ("perangkat_daerah", "BADAN")),
    ("1. PERANOKAT DAERAH : BADAN", ("perangkat_daerah", "BADAN")),
    ("- 4. TUGAS POKOK :", ("tugas", None)),
    ("2. JABATAN", ("jabatan", None)),
    ("Nama Jabatan : Analis", ("jabatan", "Analis")),
    ("4. Indikator Kinerja :", ("indikator", None)),
    ("4. ORGANISASI", None),
    ("1. Menyusun program kerja;", None),
    ("Menimbang : a. bahwa", None),
])
def test_label_lines(line, expected):
    assert parse_label_line(line, None) == expected


def test_label_cells():
    assert parse_label_line("", ["1.", "JABATAN", ":", "Kepala"]) == ("jabatan", "Kepala")
    assert parse_label_line("", ["2. JABATAN ", " : Analis ", ""]) == ("jabatan", "Analis")
    assert match_label("SUB BAGIAN UMUM") is None


def test_split_items():
    assert split_items(["a perumusan;", " b pelaksanaan; dan"]) == ["perumusan", "pelaksanaan"]
    assert split_items(["- e mengoordinasikan kegiatan:", " - 1 administrasi;", " - 2 aset",
                        " - f melaporkan"]) == [
        "mengoordinasikan kegiatan: 1) administrasi; 2) aset", "melaporkan"]
    assert split_items(["PERUMUSAN DAN", "PENYUSUNAN SARAN", "4. ORGANISASI"]) == [
        "PERUMUSAN DAN PENYUSUNAN SARAN 4. ORGANISASI"]
    assert split_items(["- Menyiapkan bahan", "- Menyusun laporan"]) == [
        "Menyiapkan bahan", "Menyusun laporan"]
    assert split_items(["a. satu; b. dua; c. tiga"]) == ["satu", "dua", "tiga"]


# --------------------------------------------------------------------------- table

def test_table_titles_with_typos():
    assert title_kind("SABARAN AKTIVITAS") == "sasaran"
    assert title_kind("PERJELASAN (FORMULASI PERHITUNGAN)") == "penjelasan"
    assert title_kind("PENJELASAN (FORMULASI PERTHITUNGAN)") == "penjelasan"
    assert title_kind("Cara Perhitungan / Penjelasan") == "penjelasan"
    assert title_kind("RUMUS") == "penjelasan"
    assert title_kind("No.") == "no"
    assert is_header(["NO", "SARAPAN AKTIVITAS", "INDIKATOR KINERJA", "PENJELASAN", "SUMBER DATA"])
    assert not is_header(["1", "Meningkatnya indikator kinerja", "Indeks", "Jumlah", "Data"])


@pytest.mark.parametrize("line, expected", [
    ("INDIKATOR KINERJA INDIVIDU TAHUN 2025", 2025),
    ("## INDIKATOR KINERJA UTAMA", None),
    ("INDIKATOR KINERJA INDIVIDU (IKI)", None),
    ("TENTANG PENETAPAN INDIKATOR KINERJA INDIVIDU DI LINGKUNGAN DINAS", False),
    ("4. Indikator Kinerja :", False),
])
def test_title_year(line, expected):
    assert title_year(strip_markup(line)) == expected


# --------------------------------------------------------------------------- signature

def test_date_lines():
    assert parse_date_line("Tenggarong, 21 Januari 2025") == ("Tenggarong", date(2025, 1, 21), 2025)
    assert parse_date_line("Kutai Kartanegara, 03 Pebruari 2025")[1] == date(2025, 2, 3)
    assert parse_date_line("Samarinda, Januari 2021") == ("Samarinda", None, 2021)
    assert parse_date_line("Kepala Bidang Mutasi") is None


@pytest.mark.parametrize("text", ["Pembina Tingkat I (IV/b)", "Penata Muda Tk. 1", "Pengatur",
                                  "Penata / III/d", "PENATA (III/c)", "Pembina Utama Madya",
                                  "Penata Tk. I - III/d"])
def test_pangkat_lines(text):
    assert is_pangkat(text)


@pytest.mark.parametrize("text", ["Penata Laporan Keuangan", "Kepala Bidang", "SUPRIADI, SE"])
def test_not_pangkat_lines(text):
    assert not is_pangkat(text)


def test_signature_people():
    lines = ["Tenggarong, 20 Januari 2025", "Bupati Kutai Kartanegara", "Drs. BUDIONO, M. Si",
             "Pejabat", "H. SUHARTONO, S.Sos", "Pembina Tingkat I (IV/b)",
             "NIP. 197001011995031001"]
    sig = parse_signature(list(enumerate(lines, start=1)))
    assert (sig.tempat, sig.tanggal) == ("Tenggarong", date(2025, 1, 20))
    bupati, kepala = sig.persons
    assert (bupati.jabatan, bupati.nama, bupati.nip) == (
        "Bupati Kutai Kartanegara", "Drs. BUDIONO, M. Si", None)
    assert (kepala.jabatan, kepala.nama, kepala.nip) == ("Pejabat", "H. SUHARTONO, S.Sos",
                                                         "197001011995031001")


def test_signature_captions_and_name_without_degree():
    lines = ["Atasan Langsung,", "Kepala Bidang", "RUDIANTO", "NIP. 198003032005011003",
             "Contoh, 1 Januari 2025", "Pengolah Data", "SAHRONI", "NIP. 198104042010121004"]
    sig = parse_signature(list(enumerate(lines, start=1)))
    atasan, pegawai = sig.persons
    assert (atasan.role, atasan.nama, pegawai.nama, pegawai.after_date) == (
        "atasan", "RUDIANTO", "SAHRONI", True)


# --------------------------------------------------------------------------- people

def test_pangkat_of():
    assert pangkat_of("Pembina Tk.I / IV/b") == ("Pembina Tingkat I", "IV/b", None)
    assert pangkat_of("Penata Muda Tk. 1") == ("Penata Muda Tingkat I", "III/b", None)
    assert pangkat_of("Penata Tk. I - III/d") == ("Penata Tingkat I", "III/d", None)
    assert pangkat_of("Penata Muda / III-a") == ("Penata Muda", "III/a", None)
    assert pangkat_of("Pengantar Tk. 1 - II/d") == ("Pengatur Tingkat I", "II/d",
                                                    "pangkat_tidak_dikenal")
    assert pangkat_of("PEMBINA (IV/e)")[2] == "pangkat_golongan_beda"


def test_name_key():
    assert name_key("H. SUHARTONO, S.Sos") == "SUHARTONO"
    assert name_key("Dr. AHMAD WIRATMO, SE., M.Si") == "AHMAD WIRATMO"
    assert name_key("WIRYANTO RAHARJO., S.IP") == "WIRYANTO RAHARJO"
