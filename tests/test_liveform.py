"""The form's live CAPAIAN, average and predikat equal what the recap computes from the
same file, for what people type or paste: recalculated by LibreOffice and by Gnumeric.

Each case is a form filled through openpyxl (a percent-formatted cell as Excel stores
``90%``), recalculated by the real client. The expected capaian is the recap's: every
realisasi read by ``values.parse_realisasi`` and aggregated by ``capaian_upto``. Where
the recap refuses or reinterprets a value, the form must show the warning instead.
"""

from __future__ import annotations

import math
import shutil
import subprocess

import liveform_cases as C
import openpyxl
import pytest
from libreoffice import needs_libreoffice, run

from iki_xlsx.core.capaian import PredikatScale, capaian_upto
from iki_xlsx.core.texts import get_texts
from iki_xlsx.core.values import CellInfo, absurd_limit, parse_realisasi
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.forms.liveform import INVALID, form_reading
from iki_xlsx.workspace import Workspace

WARNING = get_texts().t("form.periksa")


def expected(form, rows):
    """Per indicator: the capaian the recap computes, or WARNING; then the average and
    the predikat the recap computes (None/WARNING)."""
    s = form.settings
    periods = s.periode.periods
    out, warned = [], False
    for ind, row in zip(form.iki.indicators, rows):
        yes_no = ind.polaritas is C.YT
        target = ind.target.value if ind.target.value is not None else ind.target.high
        read, shown = {}, []
        for period, (raw, pct) in zip(periods, row):
            parsed = parse_realisasi(raw, CellInfo(percent=pct), yes_no=yes_no,
                                     target=target)
            live = form_reading(raw, percent=pct, yes_no=yes_no,
                                limit=absurd_limit(target), cap=s.batas_capaian)
            shown.append(live)
            if live != INVALID:  # the form reads what the recap reads
                if yes_no:
                    assert (live is None) == (parsed.value is None) and not parsed.problem
                else:
                    assert live == parsed.value and not parsed.problem, (raw, live, parsed)
            if parsed.value is not None:
                read[period] = parsed.value
        recap = capaian_upto(read, periods[-1], ind, s.periode, s.batas_capaian)
        if INVALID in shown:
            out.append((WARNING, recap))
            warned = True
        else:
            out.append(recap)
    got = [x for x in out if isinstance(x, float)]  # (no average while a row warns)
    if warned:
        return out, WARNING, ""
    mean = math.fsum(got) / len(got) if got else None
    label = PredikatScale.from_setting(s.skala_predikat).label(mean)
    return out, mean, label


def write_filling(src, dst, manifest, rows, periods):
    wb = openpyxl.load_workbook(src)
    ws = wb["IKI"]
    for ind, row in zip(manifest["indicators"], rows):
        for period, (raw, pct) in zip(periods, row):
            ref = ind["cells"]["realisasi"][period]
            if raw is None:
                continue
            ws[ref] = raw
            if isinstance(raw, str):
                ws[ref].data_type = "s"
            if pct:
                ws[ref].number_format = "0%"
    wb.save(dst)
    return dst


@pytest.fixture(scope="module", params=[("triwulan", 120.0), ("semester", 100.0),
                                        ("tahunan", 110.5)], ids=lambda p: p[0])
def filled(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("liveform")
    m = C.master(*request.param)
    planned = generate_forms(m, root / "forms", Workspace(root / "ws"), jobs=1).forms[0]
    form, lay = planned.form, planned.layout
    periods = lay.periods
    out = []
    for k, rows in enumerate(C.fillings(form.iki.indicators, periods, 6)):
        path = write_filling(planned.path, root / f"isi{k}.xlsx", planned.manifest, rows,
                             periods)
        out.append((path, expected(form, rows)))
    first, last = lay.table_rows
    cap = lay.capaian_col
    refs = [f"{_col(cap)}{r + 1}" for r in range(first, last + 1)]
    summary = (f"{_col(cap)}{last + 2}", f"{_col(lay.keterangan_col)}{last + 2}")
    return out, refs, summary


def _col(c: int) -> str:
    from iki_xlsx.forms.layout import col_name
    return col_name(c)


def _same(got, want, exact: bool = True) -> bool:
    if isinstance(want, tuple):  # the warning; a client that reads the value exactly as
        # the recap does (Gnumeric: a non-breaking space alone is blank) agrees too
        return _same(got, want[0]) or (not exact and _same(got, want[1]))
    if want is None or want == "":
        return got in (None, "")
    if isinstance(want, str):
        return got == want
    return isinstance(got, (int, float)) and abs(got - want) < 1e-9


def _check(values: dict, case, refs, summary, client: str, exact: bool = True) -> None:
    path, (caps, mean, label) = case
    bad = [(ref, values.get(ref), want) for ref, want in zip(refs, caps)
           if not _same(values.get(ref), want, exact)]
    assert not bad, f"{client} {path.name}: {bad}"
    assert _same(values.get(summary[0]), mean), (client, path.name, values.get(summary[0]), mean)
    assert _same(values.get(summary[1]), label or ""), (client, values.get(summary[1]), label)


def test_the_cases_cover_agreement_and_warnings(filled):
    cases, _, _ = filled
    caps = [c for _, (row, _, _) in cases for c in row]
    assert any(isinstance(c, tuple) for c in caps) and sum(isinstance(c, float) for c in caps) > 20
    assert isinstance(cases[0][1][1], float) and cases[0][1][2]  # an average, a predikat


@needs_libreoffice
def test_libreoffice_recalculates_what_the_recap_computes(filled):
    cases, refs, summary = filled
    reads = [f"{refs[0]}:{refs[-1]}", *summary]
    results = run([{"path": str(path), "sheet": "IKI", "calculate": True, "reads": reads}
                   for path, _ in cases])
    from libreoffice import Cell
    for case, result in zip(cases, results):
        values = {a: Cell(**info).python for a, info in result["cells"].items()}
        _check(values, case, refs, summary, "LibreOffice")


@pytest.mark.skipif(shutil.which("ssconvert") is None, reason="Gnumeric not installed")
def test_gnumeric_recalculates_what_the_recap_computes(filled, tmp_path):
    cases, refs, summary = filled
    for case in cases:
        out = tmp_path / f"g-{case[0].name}"
        done = subprocess.run(["ssconvert", "--recalc", str(case[0]), str(out)],
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        ws = openpyxl.load_workbook(out, data_only=True)["IKI"]
        values = {ref: ws[ref].value for ref in [*refs, *summary]}
        _check(values, case, refs, summary, "Gnumeric", exact=False)


# --------------------------------------------------------------------------- in Python

TYPED = [None, "", " ", "  ", "\t", "\u00a0", 0, 0.0, 1, 90, 0.9, 85.5, -0.0, -1, -5.5,
         1e3, 1e5, 1e9, float("inf"), True, False, "85", "85,5", "85.5", "85%", " 85 % ",
         "1.234", "1.234,5", "0.500", "00.500", "12.345.678", "1,234,567", "85,", ",5",
         ".5", "+85", "-3", "Rp 1.500", "delapan", "Ya", " ya ", "TIDAK", "Tidak ", "belum",
         "Ya.", "1e3", "85%%", "%", "0,0001", "1.2345", "1234.567", "1.234.5", "1,2,3",
         "１２", "8 5", "85 ,5"]


@pytest.mark.parametrize("yes_no", [False, True])
@pytest.mark.parametrize("percent", [False, True])
@pytest.mark.parametrize("target", [0.0, 4.0, 100.0])
def test_form_reads_what_the_recap_reads_or_warns(yes_no, percent, target):
    """Over values people type or paste: the form's reading is the recap's, or a warning
    where the recap refuses or reinterprets (never another number, never a silent 0)."""
    limit = absurd_limit(target)
    for raw in TYPED:
        live = form_reading(raw, percent=percent and isinstance(raw, float), yes_no=yes_no,
                            limit=limit)
        parsed = parse_realisasi(raw, CellInfo(percent=percent and isinstance(raw, float)),
                                 yes_no=yes_no, target=target)
        if live == INVALID:  # refused, or text the recap reinterprets
            assert parsed.problem or isinstance(raw, str), (raw, parsed)
        elif live is None:
            assert parsed.value is None and not parsed.problem, (raw, parsed)
        elif yes_no:
            assert parsed.value == ("Ya" if live == 100 else "Tidak"), (raw, parsed)
        else:
            assert parsed.value == pytest.approx(live, abs=1e-9) and not parsed.problem, raw


def test_the_issue_cases_read_as_the_recap_reads():
    """90% typed (0.9, percent format) is 90; "85,5" as text is 85.5; " Ya " is Ya; a
    cell holding a space is blank; negative, absurd and words warn."""
    assert form_reading(0.9, percent=True, limit=1000) == 90
    assert form_reading("85,5", limit=1000) == 85.5
    assert form_reading(" Ya ", yes_no=True) == 100
    assert form_reading(" ", limit=1000) is None and form_reading(" ", yes_no=True) is None
    assert form_reading(-5, limit=1000) == INVALID
    assert form_reading(5000, limit=1000) == INVALID
    assert form_reading("delapan", limit=1000) == INVALID


def test_helper_formulas_use_portable_functions_and_fit_excel():
    import re

    from iki_xlsx.forms.liveform import (
        answer_formula,
        checked_formula,
        flag_formula,
        text_formula,
        value_formula,
    )

    allowed = {"IF", "AND", "OR", "NOT", "ISERROR", "ISBLANK", "ISLOGICAL", "ISNUMBER",
               "ISTEXT", "IFERROR", "CELL", "LEFT", "RIGHT", "MID", "LEN", "FIND", "SUBSTITUTE",
               "TRIM", "LOWER", "VALUE", "ROUND"}
    for f in (text_formula("H14"), value_formula("H14", "Z14"), checked_formula("AA14", 1e5),
              answer_formula("H14", 110), flag_formula(["AB14", "AE14", "AH14", "AK14"])):
        assert set(re.findall(r"([A-Z]+)\(", f)) <= allowed, f
        assert f.count("(") == f.count(")") and len(f) < 8192 and ";" not in f
