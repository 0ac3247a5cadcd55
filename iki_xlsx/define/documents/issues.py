"""Uncertainties found while reading documents, and their rendering as review rows.

A parser records an :class:`Issue` (a stable ``kind`` code, the source line, parameters);
the importer turns each into a ``Tinjauan`` row whose Indonesian message and advice come
from ``templates/impor.yaml`` (``impor.masalah.<kind>`` and ``impor.saran.<kind>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.texts import Texts, get_texts

# Every kind an importer may report (a test checks each has a message and an advice).
KINDS = (
    "tanpa_jabatan", "tanpa_perangkat_daerah", "tanpa_tabel", "tanpa_tanda_tangan",
    "nama_kosong", "nip_kosong", "nip_panjang", "nip_tanggal_lahir", "nip_berbeda",
    "nip_dipakai_nama_lain", "pegawai_ganda", "atasan_tidak_ditemukan",
    "pangkat_tidak_dikenal", "pangkat_golongan_beda",
    "kolom_tidak_pasti", "baris_digabung", "baris_terpotong", "baris_ganda",
    "baris_tanpa_indikator", "baris_tidak_dikenali", "nomor_kosong", "sasaran_kosong",
    "kolom_tidak_dikenal", "tabel_tanpa_judul",
    "target_kosong", "target_diduga", "target_tidak_terbaca",
    "perangkat_daerah_disamakan", "tahun_tidak_ditemukan", "berkas_tidak_terbaca",
    "berkas_tanpa_iki", "pdf_tanpa_teks", "pdf_tidak_terbaca",
)


@dataclass
class Issue:
    kind: str
    line: int | None = None
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown import issue kind {self.kind!r}")


def review_row(issue: Issue, file: str, kode_iki: str = "",
               texts: Texts | None = None) -> dict:
    """The ``Tinjauan`` row of an issue (keys: file, line, kind, message, kode_iki, action)."""
    texts = texts or get_texts()
    ctx = dict(issue.params)
    ctx.setdefault("kode_iki", kode_iki)
    ctx.setdefault("line", issue.line)
    return {
        "file": file,
        "line": issue.line,
        "kind": issue.kind,
        "message": texts.t(f"impor.masalah.{issue.kind}", **ctx),
        "kode_iki": kode_iki,
        "action": texts.t(f"impor.saran.{issue.kind}", **ctx),
    }
