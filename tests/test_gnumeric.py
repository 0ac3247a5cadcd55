"""Gnumeric (ssconvert) re-saves a filled form: it drops the password hash, shows hidden
sheets, writes inline strings and junk defined names (clients.md). Collect still
recognises the form and reads the right values."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from filling import fill, realisasi_ref

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

pytestmark = pytest.mark.skipif(
    shutil.which("ssconvert") is None,
    reason="Gnumeric's ssconvert not installed: apt-get install -y --no-install-recommends "
           "gnumeric")


def test_gnumeric_resaved_form_is_collected(tmp_path, small_master):
    ws = Workspace(tmp_path / "ws")
    forms = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f", ws,
                                                   jobs=1).forms}
    p = forms[("199005202015031003", "IKI-PENGOLAH")]
    m = p.manifest
    filled = fill(p.path, tmp_path / "diisi.xlsx", {realisasi_ref(m, 0, "TW1"): 3,
                                                     realisasi_ref(m, 1, "TW1"): "72,5"})
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    done = subprocess.run(["ssconvert", str(filled), str(inbox / "gnumeric.xlsx")],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    r = collect([inbox], ws, jobs=1).results[0]
    assert r.form_id == p.form_id
    assert r.status == "diterima", [(x.code, x.cell) for x in r.problems]
    assert r.realisasi["01"]["realisasi"]["TW1"] == 3.0
    assert r.realisasi["02"]["realisasi"]["TW1"] == 72.5


def test_gnumeric_resaved_untouched_form_is_accepted_without_note(tmp_path, small_master):
    """Gnumeric drops a trailing space in a locked cell: the form writes none (an empty
    header part is ':' alone), so re-saving an untouched form changes nothing we check."""
    ws = Workspace(tmp_path / "ws")
    for p in generate_forms(small_master, tmp_path / "f", ws, jobs=1).forms:
        inbox = tmp_path / "masuk" / p.form_id
        inbox.mkdir(parents=True)
        done = subprocess.run(["ssconvert", str(p.path), str(inbox / "g.xlsx")],
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        r = collect([inbox], ws, jobs=1).results[0]
        assert r.form_id == p.form_id
        notes = [(x.code, x.cell) for x in r.problems if x.code != "belum_diisi"]
        assert notes == [], (p.path.name, r.status, notes)  # only "not filled in yet"
