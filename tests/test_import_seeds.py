"""Import of the seed documents: real agencies' IKI documents whose people were replaced by
synthetic ones (``tests/data/seeds``, made by ``tools/anonymise_seeds.py``; the names and
NIPs asserted here are those synthetic values).

The expected counts were established by reading the files, independently of the importer:

* ``kukar-bkpsdm-2025.txt``: 71 IKI documents — 72 title lines ``INDIKATOR KINERJA
  INDIVIDU`` of which the first two are the cover (title, agency name, title again), and
  71 JABATAN labels (``grep -ciE '^[-| ]*([0-9]\\. *)?JABATAN\\**( *[:|]|$)'``), one per
  block. Table rows: 917 tab-separated lines − 100 column-header lines (``NO``/``No.``,
  repeated on every page) − 1 second header line ``(FORMULASI PERHITUNGAN)`` (line 2320)
  − 2 separator lines ``----`` (2251, 2430) = 814 rows: 773 start with a number, 40 with
  an empty NO (further indicators of the sasaran above) and one is shifted left (``SIDAK
  PD``, line 1714). Indicators: 814 − 1 row 9 repeated after a page break (line 1477)
  − 1 row holding only a second penjelasan/sumber data (line 2086, merged into the row
  above) = 812. One block has no signature at all (KEPALA BIDANG PENGEMBANGAN SUMBER DAYA
  ASN, line 1124).
* ``sampang-bkd.txt``: 15 documents (15 ``## INDIKATOR KINERJA INDIVIDU`` and 15 JABATAN
  labels), no PERANGKAT DAERAH, no NO column, no signatures. 62 tab lines − 16 header
  lines (the last block repeats its header at line 291; the file's last line, 294, has no
  newline) = 46 indicators; 15 of them have an empty SASARAN, so 31 sasaran.
* ``kaltim-bkd-iku.txt``: 1 document (an IKU), 4 tab lines − 1 header = 3 indicators, two
  for sasaran 1 (the second row has an empty NO) and one for sasaran 2; one signer.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from iki_xlsx.define.documents import import_documents, summary_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "data" / "seeds"
SEED_FILES = ("kukar-bkpsdm-2025.txt", "sampang-bkd.txt", "kaltim-bkd-iku.txt")


def seed(name: str) -> Path:
    """A seed document in the repository (always there: a missing one fails the test)."""
    path = SEEDS / name
    assert path.is_file(), f"{path} is missing (see tests/data/seeds/README.md)"
    return path


@cache
def anonymiser():
    """``tools/anonymise_seeds.py``: how it normalises and digests an identity."""
    spec = importlib.util.spec_from_file_location("anonymise_seeds",
                                                  ROOT / "tools" / "anonymise_seeds.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@cache
def real_identity_digests() -> frozenset[str]:
    """The digests of the real people's identities (``"<kind> <sha256>"``), made by the
    tool from the real seeds; no real value is in the repository."""
    lines = (SEEDS / "real-identities.sha256").read_text(encoding="utf-8").splitlines()
    digests = frozenset(line for line in lines if line and not line.startswith("#"))
    assert {d.split()[0] for d in digests} == {"nip", "nama", "kata"}, "an empty digest list"
    return digests


def real_identities_in(nama: str = "", nip: str = "", words: bool = False) -> list[str]:
    """Which normalised forms of this name/NIP are a real person's (kinds, no values)."""
    tool = anonymiser()
    forms = tool.identities(nama, nip) | (tool.name_words(nama) if words else set())
    return sorted(kind for kind, value in forms
                  if f"{kind} {tool.digest(kind, value)}" in real_identity_digests())


@pytest.fixture(scope="module")
def kukar():
    return import_documents([seed("kukar-bkpsdm-2025.txt")])


@pytest.fixture(scope="module")
def sampang():
    return import_documents([seed("sampang-bkd.txt")])


@pytest.fixture(scope="module")
def kaltim():
    return import_documents([seed("kaltim-bkd-iku.txt")])


def by_jabatan(result, jabatan: str, n: int = 0):
    """(assignment, IKI definition) of the n-th document with this JABATAN."""
    hits = [a for a in result.master.assignments
            if result.master.iki[a.kode_iki].jabatan == jabatan]
    a = hits[n]
    return a, result.master.iki[a.kode_iki]


def kinds(result, kode: str) -> set[str]:
    return {r["kind"] for r in result.review if r["kode_iki"] == kode}


# --------------------------------------------------------------------------- kukar

def test_kukar_counts(kukar):
    s = kukar.summary
    assert s["documents"] == 71
    assert s["pegawai"] == 71  # one Pegawai row per document, found or not
    assert s["iki"] == 71  # no two blocks have identical content
    assert s["baris_sumber"] == 814
    assert s["indikator"] == 812
    assert s["review"] == len(kukar.review)


def test_kukar_every_source_row_is_an_indicator_or_reviewed(kukar):
    lines = {r["line"] for r in kukar.review}
    assert {1477, 2086} <= lines  # the dropped duplicate and the merged row are listed
    by_line = {r["line"]: r["kind"] for r in kukar.review if r["line"] in (1477, 2086, 1714)}
    assert by_line == {1477: "baris_ganda", 2086: "baris_digabung", 1714: "kolom_tidak_pasti"}


def test_kukar_first_block_head_of_agency(kukar):
    a = kukar.master.assignments[0]
    iki = kukar.master.iki[a.kode_iki]
    assert a.kode_iki == "IKI-001"
    assert iki.perangkat_daerah == "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA"
    assert iki.jabatan == "KEPALA"
    assert iki.label_sasaran == "SASARAN AKTIVITAS"
    assert len(iki.fungsi) == 7
    assert iki.fungsi[0] == ("melaksanakan perumusan alternatif kebijakan Daerah berbasis data "
                             "dan informasi di bidang kepegawaian, pendidikan dan pelatihan")
    assert len(iki.indicators) == 21
    first, last = iki.indicators[0], iki.indicators[-1]
    assert (first.no, first.indikator) == ("1", "Indeks Kepuasan ASN terhadap Pelayanan BKPSDM")
    assert first.sumber_data == "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    # Row 20 has two indicators: the second (empty NO) keeps sasaran 20.
    assert (last.no, last.indikator) == ("20", "Tingkat Kepatuhan LHKASN Pertanggal 31 Maret")
    assert last.sasaran == iki.indicators[-2].sasaran
    assert last.sasaran.startswith("Mewujudkan Tingkat Kepatuhan Atas Laporan Harta")
    # The Bupati signs on the left (no NIP), the head of agency on the right.
    p = a.pegawai
    assert (p.nama, p.nip, p.pangkat, p.golongan) == (
        "H. JAMRUMNO, S.Sos", "197004181997091027", "Pembina Tingkat I", "IV/b")
    assert p.jabatan == "KEPALA"
    assert (a.atasan.nama, a.atasan.jabatan, a.atasan.nip) == (
        "Drs. SYU LIKHAPOAH, M. Si", "Bupati Kutai Kartanegara", "")


def test_kukar_settings(kukar):
    s = kukar.master.settings
    assert s.tahun == 2025
    assert (s.tempat, s.tanggal) == ("Tenggarong", date(2025, 1, 20))
    assert s.instansi == "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA"
    assert s.pemerintah_daerah == "KABUPATEN KUTAI KARTANEGARA"


def test_kukar_target_and_satuan_columns(kukar):
    """The block with ``Target`` and ``Satuan`` columns and numbered indicators."""
    a, iki = by_jabatan(kukar, "Pengelola Data dan Informasi")
    assert iki.perangkat_daerah == ""  # this block has no PERANGKAT DAERAH line
    assert "tanpa_perangkat_daerah" in kinds(kukar, a.kode_iki)
    assert iki.label_sasaran == "Sasaran Sub Kegiatan"
    assert len(iki.indicators) == 17
    one = iki.indicators[0]
    assert (one.no, one.indikator, one.penjelasan) == (
        "1", "Menyusun Dokumen Perencanaan Perangkat Daerah", "Jumlah Dokumen")
    assert (one.target.text, one.target.value, one.satuan) == ("3", 3.0, "Dokumen")
    seventh = iki.indicators[6]  # second indicator of sasaran 6 (empty NO and sasaran)
    assert (seventh.no, seventh.target.value) == ("6", 1500.0)
    assert seventh.indikator == ("Dokumen pendukung dan kelengkapan berkas keuangan "
                                 "yang diverifikasi")
    assert a.pegawai.nama == "Mohuti Rapitah Jekhijeanto, A.Md.Ak"
    assert (a.pegawai.pangkat, a.pegawai.golongan) == ("Pengatur", "II/c")
    assert a.atasan.nama == "TIMWAN S.E"


def test_kukar_header_layouts(kukar):
    # Labels first, then the ": value" lines in the same order.
    _, iki = by_jabatan(kukar, "Pengolah Data Dan Informasi")
    assert iki.tugas.startswith("Melaksanakan Pengelolaan, Verifikasi, dan Penyusunan")
    assert len(iki.fungsi) == 8 and iki.fungsi[0].startswith("Mempelajari pedoman")
    # FUNGSI before TUGAS POKOK, markdown bold and bullets around the labels.
    _, iki = by_jabatan(kukar, "PENELAAH TEKNIS KEBIJAKAN")
    assert iki.fungsi == ("Melaksanakan Dukungan Teknis Dalam Rangka Penyiapan Bahan di "
                          "Lingkungan Instansi Pemerintahan Sesuai Dengan Prosedur dan "
                          "Ketentuan Yang Berlaku Dalam Rangka Memenuhi Ekspektasi Kinerja.",)
    assert iki.tugas.splitlines()[0] == ("a. Mengidentifikasi masalah kebijakan menggunakan "
                                         "data dasar")
    assert len(iki.tugas.splitlines()) == 5
    # Sub-items "1 …", "2 …" belong to fungsi "e … kegiatan:".
    _, iki = by_jabatan(kukar, "SEKRETARIS")
    assert len(iki.fungsi) == 9
    assert iki.fungsi[4].startswith("mengoordinasikan, memonitoring dan mengevaluasi pelaksanaan "
                                    "kegiatan: 1) administrasi umum Perangkat Daerah; 2)")
    # A typo in the label (PERANOKAT) and in the value (KEPEDAWARAN), unified and reported.
    a, iki = by_jabatan(kukar, "PENYUSUN RENCANA MUTASI")
    assert iki.perangkat_daerah == "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA"
    assert "perangkat_daerah_disamakan" in kinds(kukar, a.kode_iki)


def test_kukar_repairs_are_reported(kukar):
    a, iki = by_jabatan(kukar, "KEPALA BIDANG PENILAIAN DAN EVALUASI KINERJA APARATUR")
    sidak = iki.indicators[-1]  # shifted left in the source, put back under INDIKATOR
    assert (sidak.no, sidak.indikator, sidak.penjelasan) == (
        "13", "Terlaksananya SIDAK PD", "Jumlah Laporan")
    a, iki = by_jabatan(kukar, "BIDANG PENGADAAN, PEMBERHENTIAN DAN INFORMASI ASN")
    assert [i.no for i in iki.indicators].count("14") == 1  # empty NO between 13 and 15
    lhkpn = next(i for i in iki.indicators if i.no == "18")
    assert lhkpn.penjelasan.endswith(
        "; Jumlah Wajib SPT yang menyampaikan laporan dibagi Jumlah Wajib SPT")
    assert {"nomor_kosong", "baris_digabung"} <= kinds(kukar, a.kode_iki)


def test_kukar_block_without_signature_still_gives_a_pegawai_row(kukar):
    a, iki = by_jabatan(kukar, "KEPALA BIDANG PENGEMBANGAN SUMBER DAYA ASN")
    assert (a.pegawai.nama, a.pegawai.nip, a.atasan) == ("", "", None)
    assert len(iki.indicators) == 14
    assert "tanpa_tanda_tangan" in kinds(kukar, a.kode_iki)


def test_kukar_nip_problems(kukar):
    review = kukar.review
    long = {(r["line"], r["kind"]) for r in review if r["kind"] == "nip_panjang"}
    assert long == {(1416, "nip_panjang"), (2311, "nip_panjang"), (2784, "nip_panjang")}
    a, _ = by_jabatan(kukar, "ANALIS SUMBER DAYA MANUSIA APARATUR AHLI MUDA", 4)
    assert a.pegawai.nip == "1980061320060920151"  # 19 digits kept as printed
    # The same person printed with another NIP elsewhere (JAMRUMNO, MILAMAN KUTEDI …).
    differs = {r["line"] for r in review if r["kind"] == "nip_berbeda"}
    assert {63, 165, 2136} <= differs
    # One NIP printed for two different people (HERWOWAN and MILAMAN KUTEDI).
    shared = [r for r in review if r["kind"] == "nip_dipakai_nama_lain" and r["line"] == 380]
    assert shared and "MILAMAN KUTEDI" in shared[0]["message"]


def test_kukar_pegawai_is_the_signer_under_the_date(kukar):
    # JABATAN names the unit ("BIDANG PENILAIAN …"), closer to the superior's title; the
    # pegawai is still the one printed under "Tenggarong, 31 Januari 2025".
    a, _ = by_jabatan(kukar, "BIDANG PENILAIAN DAN EVALUASI KINERJA APARATUR")
    assert a.pegawai.nama == "POHNA KOSYOUDIN, SH"
    assert a.atasan.nama == "Dr. BOWATI RADU, SE.M.Si"


# --------------------------------------------------------------------------- sampang

def test_sampang_counts(sampang):
    s = sampang.summary
    assert (s["documents"], s["pegawai"], s["iki"], s["indikator"]) == (15, 15, 15, 46)
    groups = {(k, i.no) for k, d in sampang.master.iki.items() for i in d.indicators}
    assert len(groups) == 31
    count = {k: 0 for k in ("tanpa_perangkat_daerah", "tanpa_tanda_tangan")}
    for r in sampang.review:
        if r["kind"] in count:
            count[r["kind"]] += 1
    assert count == {"tanpa_perangkat_daerah": 15, "tanpa_tanda_tangan": 15}


def test_sampang_cells(sampang):
    iki = sampang.master.iki["IKI-001"]
    assert (iki.perangkat_daerah, iki.jabatan, iki.label_sasaran) == ("", "Sekretaris", "SASARAN")
    assert len(iki.fungsi) == 15
    assert iki.fungsi[11] == ('pelaksanaan koordinasi perencanaan jaringan teknologi informasi '
                              'dan pemeliharannya ("maintenance")')
    one, four = iki.indicators[0], iki.indicators[3]
    assert {i.no for i in iki.indicators} == {"1"}
    assert one.indikator == "Persentase pemenuhan kebutuhan administrasi perkantoran"
    assert one.penjelasan == ("Jumlah ASN yang mendapat pelayanan kepegawaian / Jumlah ASN yang "
                              "mengajukan pelayanan kepegawaian × 100%")
    assert (one.sumber_data, one.satuan) == ("Subag Umum", "%")
    assert four.sumber_data == ("Rencana Strategis; RKT/Renja; RKA/DPA/DPPA; LKjIP; LPPD; LKPJ; "
                                "Laporan Triwulan")
    # TUGAS as a lettered list, no FUNGSI; an HTML list inside a cell.
    iki = sampang.master.iki["IKI-003"]
    assert iki.fungsi == ()
    assert iki.tugas.splitlines()[1] == "b. Melaksanakan pengelolaan data"
    assert iki.indicators[1].sumber_data == (
        "Renstra; PK; Renja/RKT, Renja/RKT Perubahan; RKA/DPA, RKA/DPA Perubahan")
    # The last block repeats its column header on a new page.
    iki = sampang.master.iki["IKI-015"]
    assert [i.no for i in iki.indicators] == ["1", "1", "2", "2", "3", "4", "4", "4"]
    assert iki.indicators[-1].indikator == "Jumlah peserta pelatihan kewirausahaan KORPRI"


def test_sampang_blank_people_and_year_reported(sampang):
    assert all(a.pegawai.nip == "" and a.pegawai.nama == "" for a in sampang.master.assignments)
    assert any(r["kind"] == "tahun_tidak_ditemukan" for r in sampang.review)


# --------------------------------------------------------------------------- kaltim

def test_kaltim_iku(kaltim):
    assert kaltim.summary["documents"] == 1 and kaltim.summary["indikator"] == 3
    a = kaltim.master.assignments[0]
    iki = kaltim.master.iki[a.kode_iki]
    assert iki.perangkat_daerah == "Badan Kepegawaian Daerah Provinsi Kalimantan Timur"
    assert iki.jabatan == "Kepala BKD Prov. Kaltim"
    assert iki.label_sasaran == "Sasaran/ Kinerja Utama"
    assert len(iki.fungsi) == 9
    assert [(i.no, i.indikator) for i in iki.indicators][:2] == [
        ("1", "Skor Sistem Merit"), ("1", "Indeks Profesionalitas ASN")]
    third = iki.indicators[2]
    assert third.no == "2"
    assert third.penjelasan.endswith("SKM = Total dari Nilai Persepsi Per Unsur / Total Unsur "
                                     "yang Terisi × Nilai Penimbang")
    p = a.pegawai
    assert (p.nama, p.nip, p.pangkat, p.golongan) == (
        "Dr. Nuate Nyowensoati Joto Eana, MM", "197801102003111051", "Pembina Utama Madya", "IV/d")
    assert a.atasan is None
    s = kaltim.master.settings
    assert (s.tahun, s.tempat, s.tanggal) == (2021, "Samarinda", None)


def test_summary_text_is_indonesian(kaltim):
    text = summary_text(kaltim)
    assert "1 dokumen IKI" in text and "3 indikator" in text and "Perlu ditinjau" in text


# --------------------------------------------------------------------------- no real people

@pytest.mark.parametrize(("name", "signers"), [
    ("kukar-bkpsdm-2025.txt", 140),  # 139 "NIP." lines (grep -c NIP) and the Bupati's name
    ("sampang-bkd.txt", 0), ("kaltim-bkd-iku.txt", 1)])
def test_seed_holds_no_real_identity(name, signers):
    """Every NIP printed in the seed, and every name the importer or the tool's pattern
    rules find (whole, without honorifics, word by word), is checked against the
    digests of the real people."""
    tool, path = anonymiser(), seed(name)
    lines = path.read_text(encoding="utf-8").split("\n")
    nips = [line[a:b] for line in lines for a, b in tool.nip_spans(line)]
    result = import_documents([path])
    spots = tool.pattern_spots(lines)
    names = {p.nama for d in result.documents for p in d.signature.persons if p.nama}
    names |= {lines[s.line - 1][s.start:s.end].strip(" *~_") for s in spots}
    found = [(nip, real_identities_in(nip=nip)) for nip in nips]
    found += [(nama, real_identities_in(nama, words=True)) for nama in names]
    assert [(value, kinds) for value, kinds in found if kinds] == []
    assert (len(spots), len(nips)) == (signers, signers - (name == "kukar-bkpsdm-2025.txt"))
