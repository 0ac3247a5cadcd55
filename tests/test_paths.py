"""Generated file names are valid on Windows and stay well under its 260-character path
limit, even for long perangkat daerah, names and Plt. jabatan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from iki_xlsx.forms.generate import generate_forms, plan_paths, safe_name
from iki_xlsx.workspace import Workspace

MAX_RELATIVE = 150
LONG_PD = ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia serta Pendidikan dan "
           "Pelatihan Pemerintah Kabupaten Kutai Kartanegara Provinsi Kalimantan Timur")
LONG_NAME = ("Prof. Dr. Ir. H. Muhammad Abdurrahman Syaifuddin Al-Banjari Wicaksono "
             "Kusumanegara, S.H., M.H., M.Si., M.Kn., Ph.D.")
LONG_JABATAN = ("Pelaksana Tugas Kepala Bidang Pengadaan, Pemberhentian, Informasi, "
                "Mutasi dan Promosi Aparatur Sipil Negara")


@pytest.mark.parametrize("raw, expected", [
    ("CON", "_CON"), ("con.xlsx", "_con.xlsx"), ("Nul", "_Nul"), ("COM1", "_COM1"),
    ("LPT9.txt", "_LPT9.txt"), ("COM¹", "_COM¹"), ("CONIN$", "_CONIN$"),
    ("AUX .xlsx", "_AUX .xlsx"), ("Drs. H. Suhartono, S.Sos.", "Drs. H. Suhartono, S.Sos"),
    ("nama ...  ", "nama"), ("a/b\\c:d*e?f\"g<h>i|j", "a b c d e f g h i j"),
    ("tab\tdan\nbaris", "tab dan baris"), ("...", "_"), ("", "_"),
    ("CONSOLE", "CONSOLE"), ("COM10", "COM10"),
])
def test_safe_name(raw, expected):
    assert safe_name(raw) == expected


def test_safe_name_cuts_at_a_space_and_never_ends_with_dot_or_space():
    cut = safe_name(LONG_NAME, 60)
    assert len(cut) <= 60 and LONG_NAME.startswith(cut)
    assert not cut.endswith((" ", "."))
    assert LONG_NAME[len(cut)] == " "  # the next word was dropped whole, not cut


def test_every_generated_path_is_short_and_valid(small_master, tmp_path):
    """The small master made extreme: long perangkat daerah, names and a Plt. jabatan
    (a second form for one NIP adds the jabatan); two pegawai whose names differ only
    after the cut get distinct files."""
    people = []
    for i, a in enumerate(small_master.assignments):
        p = replace(a.pegawai, perangkat_daerah=LONG_PD, nama=LONG_NAME + (" I" * i),
                    jabatan=LONG_JABATAN if a.kode_iki == "IKI-PENGOLAH" else a.pegawai.jabatan)
        people.append(replace(a, pegawai=p))
    master = replace(small_master, assignments=people)
    out = tmp_path / "output" / "forms"
    result = generate_forms(master, out, Workspace(tmp_path / "ws"), jobs=1)
    paths = [f.path for f in result.forms]
    assert len(set(p.as_posix().casefold() for p in paths)) == len(paths)  # no clash
    for p in [*paths, result.distribution]:
        rel = p.relative_to(out).as_posix()
        assert len(rel) <= MAX_RELATIVE, (len(rel), rel)
        for part in Path(rel).parts:
            assert part == safe_name(part, 255), part  # each part already safe
        assert p.is_file()


def test_plan_paths_second_iki_of_a_pegawai_adds_its_jabatan(small_master, tmp_path):
    forms = small_master.forms()
    paths = plan_paths(forms, tmp_path)
    sri = [p.name for f, p in zip(forms, paths) if f.pegawai.nip == "198203152006042002"]
    assert len(sri) == 2 and sri[0] != sri[1]
    assert "Plt" in sri[1]
