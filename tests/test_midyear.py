"""Issue 22, item 2: fair mid-year capaian. On the example master (most indikator are
``jumlah`` with a yearly target only) a pegawai who has done a quarter of each yearly
count by TW I is on track: the recap rates him "Baik" or better, states the rule, and
shows the progress against the yearly target beside it; the form's own live capaian
follows the same rule; the master setting *Target Tengah Tahun* = ``tahunan`` compares
with the whole yearly target instead, and changing it issues a new revision."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest
from filling import fill
from libreoffice import needs_libreoffice, run
from test_example import EXAMPLE

from iki_xlsx.collect import collect
from iki_xlsx.core.model import Aggregation, Master, MidYear, Polarity
from iki_xlsx.core.texts import get_texts
from iki_xlsx.define.master import load_master
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.wording import notes
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import Workspace

GOOD = {"Sangat Baik", "Baik"}


def on_track(ind) -> object:
    """TW I of a pegawai on track: a quarter of a yearly count (jumlah), the target
    itself for an average or a last value, the middle of a range, Ya."""
    t = ind.target
    if ind.polaritas is Polarity.YA_TIDAK:
        return "Ya"
    if ind.polaritas is Polarity.RENTANG:
        return (t.low + t.high) / 2
    return t.value / 4 if ind.agregasi is Aggregation.JUMLAH else t.value


def five(midyear: MidYear = MidYear.PROPORSIONAL) -> Master:
    """The example master's first five pegawai (the issue's small trial)."""
    m = load_master(EXAMPLE).master
    settings = dataclasses.replace(m.settings, target_tengah_tahun=midyear)
    return dataclasses.replace(m, settings=settings, assignments=m.assignments[:5])


def run_quarter(tmp_path, master: Master):
    ws = Workspace(tmp_path / "ws")
    planned = generate_forms(master, tmp_path / "forms", ws, jobs=1).forms
    for p in planned:
        values = {e["cells"]["realisasi"]["TW1"]: on_track(ind)
                  for e, ind in zip(p.manifest["indicators"], p.form.iki.indicators)}
        fill(p.path, tmp_path / "masuk" / f"{p.form_id}.xlsx", values)
    collect([tmp_path / "masuk"], ws, jobs=1)
    return ws, planned, build_recap(ws, upto="TW1")


def test_a_quarter_of_each_yearly_count_by_tw1_is_on_track(tmp_path):
    _, planned, recap = run_quarter(tmp_path, five())
    assert sum(ind.agregasi is Aggregation.JUMLAH and not ind.period_targets
               for p in planned for ind in p.form.iki.indicators) >= 10
    assert [f.predikat for f in recap.forms] and all(f.predikat in GOOD for f in recap.forms)
    assert recap.total.average >= 90
    for f in recap.forms:
        for ind, i in zip(next(p for p in planned if p.form_id == f.form_id).form.iki.indicators,
                          f.indicators):
            if ind.agregasi is Aggregation.JUMLAH and ind.polaritas is Polarity.MAKSIMAL:
                assert i.capaian == pytest.approx(100.0)
                assert i.progress == pytest.approx(25.0)  # beside it: a quarter of the year
    said = " ".join(notes(recap, get_texts()))
    assert "proporsional" in said and "1/4" in said
    path = write_recap_xlsx(recap, tmp_path / "rekap.xlsx")
    sheet = openpyxl.load_workbook(path)["Per Indikator"]
    head = [c.value for c in sheet[2]]
    assert "Capaian thd Target Tahunan (%)" in head


def test_the_master_may_compare_with_the_whole_yearly_target(tmp_path):
    """Target Tengah Tahun = tahunan: the same quarter is 25 % of the year, as before;
    the recap says so."""
    _, planned, recap = run_quarter(tmp_path, five(MidYear.TAHUNAN))
    for f in recap.forms:
        inds = next(p for p in planned if p.form_id == f.form_id).form.iki.indicators
        for ind, i in zip(inds, f.indicators):
            if ind.agregasi is Aggregation.JUMLAH and ind.polaritas is Polarity.MAKSIMAL:
                assert i.capaian == pytest.approx(25.0) == i.progress
    assert "tahunan" in " ".join(notes(recap, get_texts()))
    assert any(f.predikat not in GOOD for f in recap.forms)


def test_the_form_states_its_rule_and_a_new_rule_is_a_new_revision(tmp_path):
    ws = Workspace(tmp_path / "ws")
    first = generate_forms(five(), tmp_path / "a", ws, jobs=1).forms[0]
    sheet = openpyxl.load_workbook(first.path)["IKI"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("bagian target tahunan" in t and "TW I 1/4" in t for t in texts)
    again = generate_forms(five(), tmp_path / "b", ws, jobs=1).forms[0]
    assert again.status == "sama"
    other = generate_forms(five(MidYear.TAHUNAN), tmp_path / "c", ws, jobs=1).forms[0]
    assert (other.status, other.revision) == ("revisi", 2)


@needs_libreoffice
def test_the_forms_live_capaian_is_the_recaps(tmp_path):
    """One truth: the example form filled on track, recalculated by LibreOffice, shows
    per indikator the capaian the recap computes from the collected file."""
    _, planned, recap = run_quarter(tmp_path, five())
    p = planned[0]
    filled = tmp_path / "masuk" / f"{p.form_id}.xlsx"
    refs = [e["cells"]["capaian"] for e in p.manifest["indicators"]]
    (answer,) = run([{"path": str(filled), "sheet": "IKI", "reads": refs}])
    from libreoffice import Cell

    shown = [Cell(**answer["cells"][r]).python for r in refs]
    want = [i.capaian for i in next(f for f in recap.forms if f.form_id == p.form_id).indicators]
    assert shown == pytest.approx(want)


@pytest.mark.parametrize("written, rule", [("tahunan", MidYear.TAHUNAN),
                                           ("kumulatif terhadap target tahunan", MidYear.TAHUNAN),
                                           ("Proporsional", MidYear.PROPORSIONAL),
                                           (None, MidYear.PROPORSIONAL)])
def test_the_setting_is_read_from_yaml(tmp_path, written, rule):
    from conftest import SMALL_MASTER

    text = SMALL_MASTER.read_text(encoding="utf-8")
    if written:
        text = text.replace("pengaturan:\n", f"pengaturan:\n  target tengah tahun: {written}\n")
    path = tmp_path / "master.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_master(path)
    assert loaded.ok and loaded.master.settings.target_tengah_tahun is rule


def test_an_unknown_setting_is_named(tmp_path):
    from conftest import SMALL_MASTER

    path = tmp_path / "master.yaml"
    path.write_text(SMALL_MASTER.read_text(encoding="utf-8").replace(
        "pengaturan:\n", "pengaturan:\n  target tengah tahun: separuh\n"), encoding="utf-8")
    loaded = load_master(path)
    assert [p.code for p in loaded.errors] == ["pengaturan_target_tengah_tahun"]
    assert "separuh" in loaded.errors[0].message()
