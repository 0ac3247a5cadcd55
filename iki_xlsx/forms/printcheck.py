"""What a form would print incompletely, as warnings on the master: a header or
signature block with a missing part, a text too long to print whole in one row. Kept in
``forms`` because only the form's layout knows what fits; ``validate`` and ``generate``
add these to what :func:`iki_xlsx.define.master.load_master` found."""

from __future__ import annotations

from ..core.problems import Problem
from .layout import atasan_unit, overlong_texts


def print_warnings(loaded) -> list[Problem]:
    """The print warnings of a loaded master (``LoadedMaster``), each located at the
    master's row it concerns."""
    master = loaded.master
    if master is None:
        return []
    out: list[Problem] = []

    def add(code: str, row, fld: str, **params) -> None:
        out.append(row.problem(code, fld, loaded.file, **params) if row is not None
                   else Problem(code, params, file=loaded.file))

    for kode, definition in master.iki.items():
        row = loaded.iki_rows.get(kode)
        for where, excerpt in overlong_texts(definition):
            add("teks_terlalu_panjang", row, "kode_iki", kode=kode, where=where,
                excerpt=excerpt)
    for a, form in zip(master.assignments, master.forms()):
        peg, ats = form.pegawai, form.atasan
        missing = [name for name, value in (
            ("unit_kerja_pegawai", peg.unit_kerja), ("pangkat_pegawai", peg.pangkat_text),
            ("jabatan_pegawai", peg.jabatan), ("nama_atasan", ats.nama),
            ("jabatan_atasan", ats.jabatan),
            ("pangkat_atasan", ats.pangkat_text or not ats.nip),  # a Bupati has none
            ("unit_kerja_atasan", atasan_unit(form)),
            ("tugas", form.iki.tugas), ("fungsi", form.iki.fungsi)) if not value]
        if missing:
            add("formulir_tidak_lengkap", loaded.pegawai_rows.get(a.row), "nip",
                nama=peg.nama, kode=a.kode_iki, parts=missing)
    return out


def add_print_warnings(loaded) -> None:
    """Append :func:`print_warnings` to ``loaded.problems`` (in place)."""
    loaded.problems.extend(print_warnings(loaded))
