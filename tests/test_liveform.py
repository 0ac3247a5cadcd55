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

from iki_xlsx.core.capaian import capaian_upto
from iki_xlsx.core.predikat import PredikatScale
from iki_xlsx.core.rules import INVALID, context, table_reading
from iki_xlsx.core.texts import get_texts
from iki_xlsx.core.values import CellInfo, read_realisasi
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.forms.layout import reading_context
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
        ctx = reading_context(ind)
        read, shown = {}, []
        for period, (raw, pct) in zip(periods, row):
            parsed = read_realisasi(raw, CellInfo(percent=pct), ctx)
            live = table_reading(raw, ctx, percent=pct, cap=s.batas_capaian)
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


@pytest.mark.parametrize("polaritas", ["maksimal", "minimal", "ya/tidak"])
@pytest.mark.parametrize("percent", [False, True])
@pytest.mark.parametrize("target, satuan, text", [
    (0.0, "dokumen", "0"), (4.0, "laporan", "4"), (100.0, "%", "100"),
    (70.0, "nilai", "BB (70)"), (40.0, "JP (jam pelajaran)", "40")])
def test_form_reads_what_the_recap_reads_or_warns(polaritas, percent, target, satuan, text):
    """Over values people type or paste: the form's reading is the recap's, or a warning
    where the recap refuses the value or reads it only with a note (never another
    number, never a silent 0)."""
    yes_no = polaritas == "ya/tidak"
    ctx = context(polaritas, target, satuan, text)
    for raw in TYPED:
        pct = percent and isinstance(raw, float)
        live = table_reading(raw, ctx, percent=pct)
        parsed = read_realisasi(raw, CellInfo(percent=pct), ctx)
        if live == INVALID:  # refused, read with a note, or blank there (a tab)
            assert parsed.problem or parsed.note == "realisasi_bentuk_lain" \
                or parsed == (None, "", ""), (raw, parsed)
        elif live is None:
            assert parsed.value is None and not parsed.problem, (raw, parsed)
        elif yes_no:
            assert parsed.value == ("Ya" if live == 100 else "Tidak"), (raw, parsed)
        else:
            assert parsed.value == pytest.approx(live, abs=1e-9) and not parsed.problem, raw


def test_the_issue_cases_read_as_the_recap_reads():
    """90% typed (0.9, percent format) is 90; "85,5" as text is 85.5; " Ya " is Ya; a
    cell holding a space is blank; negative, absurd and words warn; on a percent
    indikator with target 90, 1000 and an unformatted 0,9 warn (issue 22)."""
    plain, pct, yn = context("maksimal", 1.0), context("maksimal", 90.0, "%"), \
        context("ya/tidak")
    assert table_reading(0.9, pct, percent=True) == 90
    assert table_reading("85,5", plain) == 85.5
    assert table_reading(" Ya ", yn) == 100
    assert table_reading(" ", plain) is None and table_reading(" ", yn) is None
    assert table_reading(-5, plain) == INVALID
    assert table_reading(5000, plain) == INVALID
    assert table_reading("delapan", plain) == INVALID
    assert table_reading(1000, pct) == INVALID and table_reading(0.9, pct) == INVALID


def test_helper_formulas_use_portable_functions_and_fit_excel():
    import re

    from iki_xlsx.forms.liveform import HELPERS, flag_formula, input_check, period_formulas

    allowed = {"IF", "AND", "OR", "NOT", "ISERROR", "ISBLANK", "ISLOGICAL", "ISNUMBER",
               "ISTEXT", "IFERROR", "CELL", "LEFT", "RIGHT", "MID", "LEN", "FIND", "SUBSTITUTE",
               "TRIM", "LOWER", "VALUE", "ROUND", "REPT"}
    refs = {h: f"{h}14" for h in HELPERS}
    formulas = [flag_formula(["AB14", "AE14", "AH14", "AK14"])]
    for ctx in (context("maksimal", 70.0, "nilai", "BB (70)"), context("ya/tidak"),
                context("maksimal", 90.0, "Persen (%)"), context("minimal", 4.0, "JP")):
        formulas += period_formulas("IKI!H14", refs, ctx, 110).values()
        formulas.append(input_check("H14"))
    for f in formulas:
        code = re.sub(r'"[^"]*"', '""', f)  # outside string constants
        assert set(re.findall(r"([A-Z]+)\(", code)) <= allowed, f
        assert code.count("(") == code.count(")") and len(f) < 8192 and ";" not in code
    assert len(input_check("XFD1048576")) < 255
