"""The master workbook's sheets and columns: defined once, used by ``init`` (blank master),
the master reader/validator, and the importer that writes masters.

Column titles are what the officer sees in Excel (Bahasa Indonesia, kept stable: users'
masters depend on them); the field names are the code's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    title: str  # header cell text in the master workbook
    field: str  # key in row dicts / YAML
    width: float = 18
    required: bool = False  # header must be present in the sheet


SHEET_SETTINGS = "Pengaturan"
SHEET_PEGAWAI = "Pegawai"
SHEET_IKI = "IKI"
SHEET_INDIKATOR = "Indikator"
SHEET_GUIDE = "Petunjuk"
SHEET_LISTS = "Daftar"  # hidden sheet with dropdown sources

# Pengaturan: (Kunci title, field, default shown in a blank master)
SETTINGS_KEYS: tuple[tuple[str, str, object], ...] = (
    ("Tahun", "tahun", None),
    ("Periode", "periode", "triwulan"),
    ("Tempat", "tempat", None),
    ("Tanggal Penetapan", "tanggal", None),
    ("Kertas", "kertas", "A4"),
    ("Batas Capaian", "batas_capaian", 120),
    ("Skala Predikat", "skala_predikat", "lima"),
    ("Sandi Proteksi", "sandi", None),
    ("Instansi", "instansi", None),
    ("Pemerintah Daerah", "pemerintah_daerah", None),
    ("Target Tengah Tahun", "target_tengah_tahun", "proporsional"),  # issue 22
    ("Hanya Nilai Terverifikasi", "hanya_terverifikasi", "Tidak"),  # issue 26: the recap
    # mail (optional; the password is never written here: environment or a prompt)
    ("Server SMTP", "smtp_host", None),
    ("Port SMTP", "smtp_port", None),
    ("Pengguna SMTP", "smtp_user", None),
    ("Email Pengirim", "email_pengirim", None),
)
MAIL_SETTINGS = ("smtp_host", "smtp_port", "smtp_user", "email_pengirim")  # not in Settings

PEGAWAI_COLUMNS = (
    Column("NIP", "nip", 22, True),
    Column("Nama", "nama", 30, True),
    Column("Pangkat", "pangkat", 22),
    Column("Golongan", "golongan", 10),
    Column("Jabatan", "jabatan", 34),  # blank: the IKI's jabatan
    Column("Perangkat Daerah", "perangkat_daerah", 34),
    Column("Unit Kerja", "unit_kerja", 28),
    Column("Kode IKI", "kode_iki", 14, True),
    Column("NIP Atasan", "nip_atasan", 22, True),
    Column("Nama Atasan", "nama_atasan", 30),
    Column("Jabatan Atasan", "jabatan_atasan", 30),
    Column("Pangkat Atasan", "pangkat_atasan", 22),
    Column("Golongan Atasan", "golongan_atasan", 10),
    Column("Unit Kerja Atasan", "unit_kerja_atasan", 28),
    Column("Email", "email", 30),  # optional contacts (distribute / remind by e-mail)
    Column("No HP", "no_hp", 18),
    # optional (issue 11): when the form starts / ends — a period (TW3) or a date (TMT)
    Column("Mulai", "mulai", 12),
    Column("Selesai", "selesai", 12),
)

IKI_COLUMNS = (
    Column("Kode IKI", "kode_iki", 14, True),
    Column("Perangkat Daerah", "perangkat_daerah", 34, True),
    Column("Jabatan", "jabatan", 34, True),
    Column("Tugas", "tugas", 60, True),
    Column("Fungsi", "fungsi", 60, True),  # one function per line (Alt+Enter)
    Column("Label Sasaran", "label_sasaran", 22),
)

PERIOD_TARGET_CODES = ("TW1", "TW2", "TW3", "TW4", "S1", "S2")

INDIKATOR_COLUMNS = (
    Column("Kode IKI", "kode_iki", 14, True),
    Column("No", "no", 6, True),
    Column("Sasaran", "sasaran", 40, True),
    Column("Indikator Kinerja", "indikator", 40, True),
    Column("Penjelasan", "penjelasan", 40),
    Column("Sumber Data", "sumber_data", 28),
    Column("Satuan", "satuan", 12),
    Column("Target", "target", 12, True),
    Column("Polaritas", "polaritas", 14),
    Column("Agregasi", "agregasi", 14),
    *(Column(f"Target {code}", f"target_{code.lower()}", 11) for code in PERIOD_TARGET_CODES),
    Column("Catatan", "catatan", 40),  # free text, ignored by generate (import notes)
)

SHEETS = {
    SHEET_PEGAWAI: PEGAWAI_COLUMNS,
    SHEET_IKI: IKI_COLUMNS,
    SHEET_INDIKATOR: INDIKATOR_COLUMNS,
}

POLARITY_CHOICES = ("maksimal", "minimal", "rentang", "ya/tidak")
AGGREGATION_CHOICES = ("jumlah", "rata-rata", "terakhir")
SCHEME_CHOICES = ("triwulan", "semester", "tahunan")
PAPER_CHOICES = ("A4", "F4")
SCALE_CHOICES = ("lima", "sakip")
MIDYEAR_CHOICES = ("proporsional", "tahunan")
