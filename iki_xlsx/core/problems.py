"""One catalogue of problem kinds, and the problem instances every stage reports.

A problem kind has a stable ``code`` and a severity (here); its Indonesian message
template lives in ``templates/pesan.yaml`` under ``masalah.<code>`` (with an optional
``masalah.<code>_saran``: what to do). Each instance carries where it is: file, sheet,
cell or row, column title, indicator. Tests assert codes and places, people read
:meth:`Problem.message`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from .texts import Texts, get_texts


class Severity(str, Enum):
    ERROR = "error"  # the thing cannot be used (master row, file)
    WARNING = "warning"  # used, but someone should look


# code → severity. Every code needs ``masalah.<code>`` in pesan.yaml (a test checks it).
KINDS: dict[str, Severity] = {}


def _kinds(severity: Severity, *codes: str) -> None:
    for code in codes:
        KINDS[code] = severity


# master workbook / YAML
_kinds(Severity.ERROR,
       "master_tidak_terbaca", "master_sheet_hilang", "master_kolom_hilang",
       "nip_kosong", "nip_bukan_angka", "nip_panjang", "nip_tanggal_lahir",
       "nama_kosong", "kode_iki_kosong", "kode_iki_tidak_dikenal", "kode_iki_ganda",
       "pegawai_ganda", "atasan_tidak_dikenal", "atasan_diri_sendiri",
       "iki_tanpa_indikator", "jabatan_kosong", "indikator_kosong",
       "target_kosong", "target_bukan_angka", "target_rentang_salah",
       "target_periode_bukan_angka", "polaritas_tidak_dikenal", "agregasi_tidak_dikenal",
       "pengaturan_tahun", "pengaturan_periode", "pengaturan_kertas",
       "pengaturan_batas_capaian", "pengaturan_tanggal", "pengaturan_skala",
       "iki_tidak_valid", "agregasi_ya_tidak_jumlah", "pengaturan_target_tengah_tahun",
       "pengaturan_hanya_terverifikasi")  # issue 26
_kinds(Severity.WARNING,
       "pangkat_tidak_dikenal", "golongan_tidak_dikenal", "iki_tidak_dipakai",
       "email_tidak_valid", "no_hp_tidak_valid",  # contacts (issue 14): not used, warned
       "pengaturan_smtp_port",
       "target_ya_tidak_angka", "formulir_tidak_lengkap", "teks_terlalu_panjang",
       "target_periode_disarankan")
# returned files: the file cannot be used (status ditolak)
_kinds(Severity.ERROR,
       "berkas_kosong", "berkas_terlalu_besar", "berkas_rusak", "berkas_terenkripsi",
       "format_xls", "pesan_outlook", "format_pdf", "format_xlsm", "bukan_spreadsheet", "zip_rusak", "zip_bom",
       "arsip_terlalu_dalam", "berkas_tidak_ada", "berkas_tidak_terbaca", "tanpa_manifest",
       "manifest_rusak", "sheet_iki_hilang", "ruang_kerja_lain", "tanda_tangan_salah",
       "formulir_tidak_dikenal", "revisi_tidak_dikenal", "tahun_lain", "baris_bergeser",
       "format_xlsb", "bagian_ganda", "xml_entitas", "lembar_terlalu_luas",
       "identitas_tidak_cocok", "indikator_tidak_cocok", "baris_dihapus",
       "ods_tanpa_manifest", "arsip_zip",
       "unggahan_terlalu_banyak")  # a portal upload holding more than it may: not read
# returned files: used, with a note (status diterima dengan catatan)
_kinds(Severity.WARNING,
       "revisi_lama", "target_diubah", "isi_terkunci_berubah", "isian_di_luar", "proteksi_dibuka",
       "rumus_diubah", "realisasi_galat", "realisasi_tanggal", "realisasi_tidak_terbaca",
       "realisasi_negatif", "realisasi_tidak_wajar", "realisasi_ya_tidak", "realisasi_rumus",
       "belum_diisi", "tanpa_kunci", "realisasi_salah_kolom", "keterangan_rumus",
       "realisasi_rumus_tanpa_nilai")
# returned files: used, but their bytes could not be kept in the workspace's store
_kinds(Severity.WARNING, "berkas_tidak_tersimpan")
# returned files: a realisasi typed with another unit or a grade letter, or implausible for
# a percent indikator (not used; values.py)
# returned files: said by the collect report only (never stored with the file: it depends
# on which other files have been collected)
_kinds(Severity.WARNING, "waktu_simpan_sama")
# returned files: a saved time that cannot be true, set aside for the time that counts
# (the trusted clock, core.timeline.trusted_time): noted, never a rejection
_kinds(Severity.WARNING, "waktu_simpan_disesuaikan", "waktu_simpan_sebelum_terbit")
_kinds(Severity.WARNING,
       "realisasi_satuan_lain", "realisasi_huruf", "realisasi_persen_tidak_wajar",
       "realisasi_pecahan_persen")
# … and a realisasi read, though not as the rule table writes it (the form warns for it)
_kinds(Severity.WARNING, "realisasi_bentuk_lain")

# the whole year (issue 11): Mulai / Selesai of a Pegawai row; files of forms not counted
_kinds(Severity.ERROR, "aktif_periode_salah", "aktif_tanggal_salah", "aktif_di_luar_tahun",
       "mulai_setelah_selesai")
_kinds(Severity.WARNING, "formulir_ditarik", "periode_tidak_aktif", "terisi_diubah")

# the atasan's review workbooks (issue 26): a workbook that cannot be used …
_kinds(Severity.ERROR, "verifikasi_tidak_dikenal", "verifikasi_atasan_tidak_cocok")
# … and a bawahan's sheet or a row whose decisions are not recorded (the rest are)
_kinds(Severity.WARNING,
       "verifikasi_periode_lain", "verifikasi_terkunci_berubah", "verifikasi_lembar_hilang",
       "verifikasi_bukan_atasan", "verifikasi_tanpa_umpan_balik", "verifikasi_koreksi_kosong",
       "verifikasi_koreksi_salah", "verifikasi_keputusan_tidak_dikenal",
       "verifikasi_tanpa_keputusan", "verifikasi_nilai_diabaikan", "verifikasi_kosong")

# mail (issue 14): a message or attachment that cannot be used (a ditolak row) …
_kinds(Severity.ERROR,
       "surel_rusak", "surel_kepala_besar", "surel_terlalu_besar", "surel_terlalu_rumit",
       "lampiran_terlalu_banyak", "surel_tidak_terbaca")
# … and report-only notes about where a file came from (never stored, never a rejection)
_kinds(Severity.WARNING, "pengirim_lain", "nama_lampiran_tidak_aman")


@dataclass
class Problem:
    code: str
    params: dict = field(default_factory=dict)
    file: str = ""
    sheet: str = ""
    cell: str = ""  # "B12", or "" when the problem concerns a whole row or file
    row: int | None = None
    column: str = ""  # column title as the user sees it
    indicator: str = ""  # indikator text, when the problem concerns one

    def __post_init__(self) -> None:
        if self.code not in KINDS:
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return KINDS[self.code]

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def message(self, texts: Texts | None = None) -> str:
        texts = texts or get_texts()
        return texts.t(f"masalah.{self.code}", **self._context())

    def advice(self, texts: Texts | None = None) -> str:
        texts = texts or get_texts()
        key = f"masalah.{self.code}_saran"
        return texts.t(key, **self._context()) if texts.has(key) else ""

    def location(self, texts: Texts | None = None) -> str:
        texts = texts or get_texts()
        return texts.t("lokasi", file=self.file, sheet=self.sheet, cell=self.cell,
                       row=self.row, column=self.column)

    def _context(self) -> dict:
        ctx = dict(self.params)
        ctx.update(file=self.file, sheet=self.sheet, cell=self.cell, row=self.row,
                   column=self.column, indicator=self.indicator)
        return ctx

    def to_dict(self, texts: Texts | None = None) -> dict:
        data = asdict(self)
        data.update(severity=self.severity.value, message=self.message(texts),
                    advice=self.advice(texts))
        return data


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


class Status(str, Enum):
    """The verdict on a returned file (stored in the ledger by value)."""

    OK = "diterima"  # accepted, nothing to say
    NOTE = "diterima_catatan"  # accepted, with notes (warnings)
    REJECTED = "ditolak"  # not used; the reasons are its problems

    def __str__(self) -> str:  # its value wherever it is printed, on every Python
        return self.value

    __format__ = str.__format__

    @classmethod
    def of(cls, problems: list[Problem]) -> Status:
        if any(p.is_error for p in problems):
            return cls.REJECTED
        return cls.NOTE if problems else cls.OK


ACCEPTED = (Status.OK.value, Status.NOTE.value)  # statuses whose values count
