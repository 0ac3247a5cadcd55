"""Files filled and saved by a real LibreOffice, as .xlsx and .ods, are collected with
the right values (the UNO writes respect the form: only the yellow input cells)."""

from __future__ import annotations

import pytest
from libreoffice import fill_and_save, needs_libreoffice

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

pytestmark = needs_libreoffice


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_filled_forms_are_accepted(tmp_path, small_master, fmt):
    ws = Workspace(tmp_path / "ws")
    forms = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f", ws,
                                                   jobs=1).forms}
    sek = forms[("198203152006042002", "IKI-SEKRETARIS")]
    peng = forms[("199005202015031003", "IKI-PENGOLAH")]
    s, p = sek.manifest["indicators"], peng.manifest["indicators"]
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    fill_and_save(sek.path, {s[0]["cells"]["realisasi"]["TW1"]: "Ya",
                             s[1]["cells"]["realisasi"]["TW1"]: 85.5,
                             s[1]["cells"]["realisasi"]["TW2"]: 88,
                             s[1]["cells"]["keterangan"]: "=HYPERLINK(\"x\")"},
                  inbox / f"sekretaris.{fmt}", fmt=fmt, sheet="IKI")
    fill_and_save(peng.path, {p[0]["cells"]["realisasi"]["TW1"]: 3,
                              p[1]["cells"]["realisasi"]["TW1"]: "72,5"},
                  inbox / f"pengolah.{fmt}", fmt=fmt, sheet="IKI")
    report = collect([inbox], ws, jobs=1)
    got = {r.nip + r.kode_iki: r for r in report.results}
    r = got["198203152006042002IKI-SEKRETARIS"]
    assert r.status == "diterima", [(x.code, x.cell) for x in r.problems]
    assert r.kind == fmt
    assert r.realisasi["01"]["realisasi"]["TW1"] == "Ya"
    assert r.realisasi["02"]["realisasi"] == {"TW1": 85.5, "TW2": 88.0, "TW3": None,
                                             "TW4": None}
    assert r.realisasi["02"]["keterangan"] == "=HYPERLINK(\"x\")"  # typed as text via UNO
    r = got["199005202015031003IKI-PENGOLAH"]
    assert r.status == "diterima", [(x.code, x.cell) for x in r.problems]
    assert r.realisasi["01"]["realisasi"]["TW1"] == 3.0
    assert r.realisasi["02"]["realisasi"]["TW1"] == 72.5  # "72,5" typed as text
    # "not submitted" is about a period: TW2 (the latest with a value) misses all but the
    # Sekretaris, TW1 misses the three forms nobody returned
    assert report.period == "TW2"
    assert len(report.not_submitted) == 4 and len(report.missing["TW1"]) == 3
