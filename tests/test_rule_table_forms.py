"""Issue 22, item 1: every case of the rule table, typed into a real form by LibreOffice
(in an English and an Indonesian locale) and stored by Gnumeric, recalculated, then
collected: the form shows the recap's capaian, or its warning where the table refuses
the value — never another number. The input check, evaluated by LibreOffice, never
refuses what the table reads."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import rule_table_forms as R
from libreoffice import needs_libreoffice, run

from iki_xlsx.collect import collect
from iki_xlsx.core.texts import get_texts
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.forms.inputcheck import number_messages
from iki_xlsx.forms.layout import col_name, reading_context
from iki_xlsx.forms.liveform import input_check
from iki_xlsx.workspace import Workspace

WARNING = get_texts().t("form.periksa")
LOCALES = ("en-US", "id-ID")


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    root = tmp_path_factory.mktemp("tabel")
    ws = Workspace(root / "ws")
    planned = generate_forms(R.master(), root / "forms", ws, jobs=1).forms[0]
    return ws, planned


def _cells(planned) -> tuple[list[str], list[str]]:
    """Each indikator's TW I cell and CAPAIAN cell."""
    inds = planned.manifest["indicators"]
    return ([i["cells"]["realisasi"]["TW1"] for i in inds],
            [i["cells"]["capaian"] for i in inds])


def _check(planned, placed, shown: dict, results: dict, client: str) -> None:
    """``shown``: (filling, cell) → what the form's CAPAIAN shows; ``results``: filling
    → the collected FileResult."""
    form = planned.form
    inputs, capaian = _cells(planned)
    bad = []
    for p in placed:
        res = results[p.filling]
        ref = inputs[p.indicator]
        got = shown[(p.filling, capaian[p.indicator])]
        read = (res.realisasi or {}).get(f"{p.indicator + 1:02d}", {}).get("realisasi", {})
        codes = {x.code for x in res.problems if x.cell == ref}
        want = R.expected_capaian(p.case, form, p.indicator)
        if p.case.problem:
            ok = got == WARNING and read.get("TW1") is None and p.case.problem in codes
        elif want is None:  # blank
            ok = got in (None, "") and read.get("TW1") is None and not codes
        else:
            ok = (isinstance(got, (int, float)) and abs(got - want) < 1e-9
                  and read.get("TW1") == (p.case.read if isinstance(p.case.read, str)
                                          else pytest.approx(p.case.read)) and not codes)
        if not ok:
            bad.append((p.rule.key, p.case.typed, got, want, read.get("TW1"), sorted(codes)))
    assert not bad, f"{client}: {bad}"


def _collected(inbox: Path, ws) -> dict:
    """filling → its collected FileResult (files named ``isi-NN.xlsx``)."""
    return {int(Path(r.name).stem.split("-")[-1]): r
            for r in collect([inbox], ws, jobs=1).results}


@needs_libreoffice
@pytest.mark.parametrize("locale", LOCALES)
def test_libreoffice_types_the_table_into_the_form(issued, tmp_path, locale):
    ws, planned = issued
    placed = R.placed()
    inputs, capaian = _cells(planned)
    inbox = tmp_path / "masuk"
    docs = []
    for k in range(max(p.filling for p in placed) + 1):
        writes = {inputs[p.indicator]: R.as_typed(p.case, locale)
                  for p in placed if p.filling == k and p.case.typed is not None}
        docs.append({"path": str(planned.path), "sheet": "IKI", "writes": writes,
                     "reads": capaian,
                     "save": [{"path": str(inbox / f"isi-{k:02d}.xlsx"), "format": "xlsx"}]})
    answers = run(docs)
    from libreoffice import Cell

    shown = {(k, ref): Cell(**info).python for k, a in enumerate(answers)
             for ref, info in a["cells"].items()}
    _check(planned, placed, shown, _collected(inbox, ws), f"LibreOffice {locale}")


@pytest.mark.skipif(shutil.which("ssconvert") is None,
                    reason="Gnumeric's ssconvert not installed: apt-get install -y "
                           "--no-install-recommends gnumeric")
def test_gnumeric_recalculates_the_table_in_the_form(issued, tmp_path):
    ws, planned = issued
    placed = R.placed()
    inputs, capaian = _cells(planned)
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    shown = {}
    for k in range(max(p.filling for p in placed) + 1):
        wb = openpyxl.load_workbook(planned.path)
        sheet = wb["IKI"]
        for p in (p for p in placed if p.filling == k and p.case.typed is not None):
            cell = sheet[inputs[p.indicator]]
            cell.value = p.case.typed
            if isinstance(p.case.typed, str):
                cell.data_type = "s"
            if p.case.percent:
                cell.number_format = "0%"
        filled = tmp_path / f"diisi-{k:02d}.xlsx"
        wb.save(filled)
        out = inbox / f"isi-{k:02d}.xlsx"
        done = subprocess.run(["ssconvert", "--recalc", str(filled), str(out)],
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        values = openpyxl.load_workbook(out, data_only=True)["IKI"]
        shown.update({(k, ref): values[ref].value for ref in capaian})
    _check(planned, placed, shown, _collected(inbox, ws), "Gnumeric")


@needs_libreoffice
def test_the_input_check_never_refuses_what_the_table_reads(issued):
    """The REALISASI cell's data validation, evaluated by LibreOffice for every case:
    every value the table reads passes; a negative number is refused as typed (text and
    other numbers pass: the helpers read them by the table, in any locale, and warn).
    TRUE is left out: LibreOffice stores it as 1 (Excel's check refuses it; the helpers
    warn in both)."""
    _, planned = issued
    placed = [p for p in R.placed() if p.case.typed not in (None, "")  # (blank: unchecked)
              and not isinstance(p.case.typed, bool) and p.case.polaritas != "ya/tidak"]
    inputs, _ = _cells(planned)
    probe = col_name(40)
    docs = []
    for p in placed:
        ref = inputs[p.indicator]
        docs.append({"path": str(planned.path), "sheet": "IKI",
                     "writes": {ref: R.as_typed(p.case, "en-US"),
                                # (LibreOffice's API formulas separate arguments by ";")
                                f"{probe}1": {"formula": input_check(ref).replace(",", ";")}},
                     "reads": [f"{probe}1"]})
    answers = run(docs)
    from libreoffice import Cell

    for p, a in zip(placed, answers):
        verdict = Cell(**a["cells"][f"{probe}1"]).python
        assert verdict in (0, 1), (p.rule.key, p.case.typed, verdict)
        passed = verdict == 1
        refused = p.case.problem == "realisasi_negatif" and not isinstance(p.case.typed, str)
        assert passed == (not refused), (p.rule.key, p.case.typed, passed)


def test_the_form_checks_each_realisasi_by_its_indikator(issued):
    """Every numeric REALISASI cell has the input check, relative to the first cell of
    its rule, with the messages of the table for its kind of indikator (Excel keeps 255
    characters); a form holds a few rules, not one per cell."""
    _, planned = issued
    sheet = openpyxl.load_workbook(planned.path)["IKI"]
    rules = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                rules[f"{col_name(rng.min_col - 1)}{row}"] = dv
    for k, ind in enumerate(planned.form.iki.indicators):
        for ref in planned.manifest["indicators"][k]["cells"]["realisasi"].values():
            dv = rules[ref]
            if ind.polaritas is R.Polarity.YA_TIDAK:
                assert dv.type == "list"
                continue
            first = str(dv.sqref).split(":")[0].split()[0]
            assert dv.type == "custom" and "=" + dv.formula1 == input_check(first)
            msgs = number_messages(reading_context(ind), get_texts(), dv.promptTitle[10:])
            assert (dv.prompt, dv.error) == (msgs["input_message"], msgs["error_message"])
    assert len(sheet.data_validations.dataValidation) <= 4 * 4 + 1
