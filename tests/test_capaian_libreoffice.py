"""The live CAPAIAN formula, recalculated by a real LibreOffice, equals capaian_upto.

One workbook holds every case (polarity × target incl. zero and ranges × aggregation ×
per-period targets × scheme × cap × filled/partly filled/blank periods, plus seeded random
rows); xlsxwriter writes each formula with its cached value computed in Python. The cached
values must read back through openpyxl and calamine; LibreOffice must recalculate to the same
numbers, both from the values in the file and after typing values into an empty form.
"""

from __future__ import annotations

import itertools
import random
import time

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from libreoffice import (
    CellError,
    LibreOfficeError,
    cells,
    fill_and_save,
    needs_libreoffice,
    pdf_text,
    recalc,
    run,
    to_pdf,
)
from xlsxwriter.utility import xl_rowcol_to_cell

from iki_xlsx.core.capaian import capaian_formula, capaian_upto
from iki_xlsx.core.model import Aggregation, Indicator, PeriodScheme, Polarity, Target
from iki_xlsx.forms.liveform import answer_formula

pytestmark = needs_libreoffice

SHEET, DATA_SHEET = "Capaian", "Data realisasi"
FIRST_ROW = 1  # 0-based row of the first case (row 0 is the header)
VALUE_COLS = (1, 2, 3, 4)  # B..E realisasi
FORMULA_COL = 5  # F
CAPS = (120.0, 100.0, 150.0, 110.5)

MAKS, MIN, RENT, YT = Polarity.MAKSIMAL, Polarity.MINIMAL, Polarity.RENTANG, Polarity.YA_TIDAK
TARGETS = [
    (MAKS, Target("100", value=100.0)), (MAKS, Target("4", value=4.0)),
    (MAKS, Target("0", value=0.0)), (MAKS, Target("0,3", value=0.3)),
    (MIN, Target("5", value=5.0)), (MIN, Target("0", value=0.0)),
    (MIN, Target("12,5", value=12.5)),
    (RENT, Target("80-90", low=80.0, high=90.0)), (RENT, Target("0-5", low=0.0, high=5.0)),
    (RENT, Target("0-0", low=0.0, high=0.0)),
    (YT, Target("Ya")),
]
NUMBERS = [0, 0, 1, 2.5, 4, 5, 6, 0.1, 0.2, 12.5, 25, 33.3, 50, 79.9, 80, 85, 90, 90.01,
           100, 130, 1e-7, -1, -20, 1234.5]
ANSWERS = ["Ya", "Tidak", "ya", "TIDAK", True, False, " Ya "]  # others: test_liveform.py
HELPER_COLS = (6, 7, 8, 9)  # G..J: a ya/tidak period's capaian, as the form's helper cells


def period_target_variants(polaritas, target, scheme):
    yield {}
    if polaritas not in (MAKS, MIN):
        yield {"TW1": 10}  # ignored for rentang / ya/tidak: must stay ignored
        return
    t = target.value or 8.0
    if scheme is PeriodScheme.TRIWULAN:
        yield {"TW1": t / 4, "TW2": t / 2, "TW3": t * 0.75}
        yield {"TW1": 0.0, "TW3": t * 0.75}  # zero target, gap in TW2 and TW4
    elif scheme is PeriodScheme.SEMESTER:
        yield {"S1": t / 2}
    else:
        yield {"TAHUNAN": t * 0.9}


def patterns(n, rng, answers):
    """Rows of realisasi: all blank, one filled, gaps, all filled, zeros, random."""
    pool = ANSWERS if answers else NUMBERS

    def pick():
        return rng.choice(pool)

    rows = [[None] * n, [pick()] + [None] * (n - 1), [None] * (n - 1) + [pick()],
            [pick() for _ in range(n)], [0] * n if not answers else ["Tidak"] * n]
    if n > 1:
        rows.append([pick() if i % 2 == 0 else None for i in range(n)])
        rows.append([None if i % 2 == 0 else pick() for i in range(n)])
    rows += [[rng.choice([None, pick()]) for _ in range(n)] for _ in range(3)]
    return rows


def build_cases(seed=20250101):
    rng = random.Random(seed)
    cases = []
    for scheme, (polaritas, target), agregasi in itertools.product(
            PeriodScheme, TARGETS, Aggregation):
        for period_targets in period_target_variants(polaritas, target, scheme):
            ind = Indicator("1", "s", "i", "", "", "", target, polaritas, agregasi,
                            period_targets)
            for values in patterns(len(scheme.periods), rng, polaritas is YT):
                cases.append((ind, scheme, values, CAPS[len(cases) % len(CAPS)]))
    return cases


CASES = build_cases()


def expected(case):
    ind, scheme, values, cap = case
    return capaian_upto(dict(zip(scheme.periods, values)), scheme.periods[-1], ind, scheme, cap)


def write_value(ws, row, col, value):
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, str):
        ws.write_string(row, col, value)
    else:
        ws.write_number(row, col, value)


def value_cells(case_index, n, on_data_sheet):
    row = FIRST_ROW + case_index
    refs = [xl_rowcol_to_cell(row, col) for col in VALUE_COLS[:n]]
    if on_data_sheet:
        return [f"'{DATA_SHEET}'!{ref}" for ref in refs]
    return refs


def build_workbook(path, with_values=True):
    """Every case on one row: realisasi in B..E (every 7th case on another sheet, to check
    quoted sheet references), the formula in F with its Python-computed cached value.
    Without values, returns what to type instead: {case index: {address: value}}."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(SHEET)
    data = wb.add_worksheet(DATA_SHEET)
    ws.write_row(0, 0, ["kasus", "P1", "P2", "P3", "P4", "capaian"])
    to_type: dict[int, dict[str, object]] = {}
    for i, case in enumerate(CASES):
        ind, scheme, values, cap = case
        on_data = i % 7 == 3
        refs = value_cells(i, len(values), on_data)
        row = FIRST_ROW + i
        ws.write_string(row, 0, f"{ind.polaritas.value} {ind.agregasi.value} {scheme.value} "
                                f"T={ind.target.text} pt={ind.period_targets} cap={cap}")
        for col, ref, value in zip(VALUE_COLS, refs, values):
            if with_values:
                write_value(data if on_data else ws, row, col, value)
            elif value is not None:
                to_type.setdefault(i, {})[ref if on_data else f"'{SHEET}'!{ref}"] = value
        cached = expected(case) if with_values else None
        if ind.polaritas is YT:  # the form aggregates each period's capaian (liveform.py)
            helpers = [xl_rowcol_to_cell(row, col) for col in HELPER_COLS[:len(refs)]]
            for col, ref in zip(HELPER_COLS, refs):
                ws.write_formula(row, col, answer_formula(ref, cap), None, "")
            refs = helpers
        ws.write_formula(row, FORMULA_COL, capaian_formula(refs, ind, cap, scheme), None,
                         "" if cached is None else cached)
    wb.close()
    return to_type


def formula_addresses():
    return [xl_rowcol_to_cell(FIRST_ROW + i, FORMULA_COL) for i in range(len(CASES))]


def formula_range():
    first, *_, last = formula_addresses()
    return f"{first}:{last}"


def assert_matches(got, label, blank=()):
    """Every formula shows capaian_upto of its case (cases in ``blank``: nothing typed)."""
    mismatches = []
    for i, (case, address) in enumerate(zip(CASES, formula_addresses())):
        want, value = (None if i in blank else expected(case)), got[address]
        ok = (value in ("", None)) if want is None else (
            isinstance(value, float) and not isinstance(value, CellError)
            and abs(value - want) <= 1e-9)
        if not ok:
            ind, scheme, values, cap = case
            mismatches.append(f"{address} {ind.polaritas.value}/{ind.agregasi.value}/"
                              f"{scheme.value} T={ind.target} pt={ind.period_targets} "
                              f"cap={cap} values={values}: {label}={value!r}, python={want!r}")
    assert not mismatches, f"{len(mismatches)} of {len(CASES)} differ:\n" + "\n".join(
        mismatches[:20])


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("capaian") / "capaian.xlsx"
    build_workbook(path)
    return path


def test_case_coverage():
    assert len(CASES) > 500
    results = [expected(c) for c in CASES]
    assert any(r is None for r in results)
    assert any(r == 0.0 for r in results)
    assert any(r == c[3] and r > 100 for r, c in zip(results, CASES))  # capped above 100
    assert any(r is not None and 0 < r < 100 and r != int(r) for r in results)


def test_cached_values_read_back_before_libreoffice(workbook):
    sheet = python_calamine.CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(SHEET)
    cal = sheet.to_python(skip_empty_area=False)
    opx = openpyxl.load_workbook(workbook, data_only=True)[SHEET]
    for i, case in enumerate(CASES):
        want = expected(case)
        row = FIRST_ROW + i
        got_cal = cal[row][FORMULA_COL]
        got_opx = opx.cell(row + 1, FORMULA_COL + 1).value
        if want is None:
            assert got_cal == "" and got_opx is None, (row, got_cal, got_opx)
        else:
            assert got_cal == want and got_opx == want, (row, want, got_cal, got_opx)


def test_libreoffice_recalculates_like_python(workbook):
    started = time.monotonic()
    got = recalc(workbook, reads=[formula_range()], sheet=SHEET)
    print(f"\nLibreOffice recalc of {len(CASES)} formulas: {time.monotonic() - started:.2f} s")
    assert_matches(got, "libreoffice")


def test_libreoffice_recalculates_typed_values(tmp_path):
    """An empty form (cached "") filled in through LibreOffice shows the Python capaian.
    A third of the cases is typed (each typed cell costs ~1 ms over UNO); the other rows
    must still show ""."""
    path = tmp_path / "empty.xlsx"
    to_type = build_workbook(path, with_values=False)
    typed = {i for i in to_type if i % 3 == 0}
    writes = {ref: v for i in sorted(typed) for ref, v in to_type[i].items()}
    got = recalc(path, writes=writes, reads=[formula_range()], sheet=SHEET)
    assert_matches(got, "libreoffice", blank=set(range(len(CASES))) - typed)


def test_fill_and_save_round_trip(tmp_path, workbook):
    """LibreOffice saves the recalculated values as the cache other readers see."""
    ind = Indicator("1", "s", "i", "", "", "", Target("100", value=100.0), MAKS,
                    Aggregation.JUMLAH, {"TW1": 25.0})
    path = tmp_path / "form.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("IKI")
    ws.write_formula("F2", capaian_formula(["B2", "C2", "D2", "E2"], ind), None, "")
    ws.write_string("A2", "Jumlah dokumen")
    ws.set_column("A:A", 30)
    wb.close()
    xlsx = fill_and_save(path, {"B2": 20}, tmp_path / "out.xlsx", sheet="IKI")
    ods = fill_and_save(path, {"B2": 10, "C2": 30}, tmp_path / "out.ods", fmt="ods",
                        sheet="IKI")
    assert openpyxl.load_workbook(xlsx, data_only=True)["IKI"]["F2"].value == 80.0
    cal = python_calamine.CalamineWorkbook.from_path(str(ods)).get_sheet_by_name("IKI")
    # 40 s.d. TW II, which has no per-period target: against 100 × 2/4 (issue 22)
    assert cal.to_python(skip_empty_area=False)[1][5] == 80.0
    assert recalc(ods, reads=["IKI!F2", "C2"], sheet="IKI") == {"IKI!F2": 80.0, "C2": 30.0}

    pdf = to_pdf(xlsx, tmp_path / "pdf")
    assert pdf.name == "out.pdf" and pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Jumlah dokumen" in text and "80" in text


def test_errors_are_clear(tmp_path, workbook):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a spreadsheet at all")
    with pytest.raises(LibreOfficeError, match="no such file"):
        recalc(tmp_path / "missing.xlsx", reads=["A1"])
    with pytest.raises(LibreOfficeError, match="no sheet 'Nope'"):
        recalc(workbook, reads=["A1"], sheet="Nope")
    with pytest.raises(LibreOfficeError, match="broken.xlsx"):
        run([{"path": workbook, "reads": ["A1"]}, {"path": bad, "reads": ["A1"]}])
    # the shared soffice is still usable afterwards
    assert recalc(workbook, reads=["A1"], sheet=SHEET) == {"A1": "kasus"}


def test_bulk_range_read_matches_cell_reads(workbook):
    """Reading a range in bulk gives the same cells as naming each one."""
    addresses = [f"{col}{row}" for row in range(1, 21) for col in "ABCDEF"]
    addresses += [f"'{DATA_SHEET}'!{col}{row}" for row in range(1, 21) for col in "BCDE"]
    one_by_one = cells(workbook, addresses, sheet=SHEET)
    bulk = cells(workbook, ["A1:F20", f"'{DATA_SHEET}'!B1:E20"], sheet=SHEET)
    assert set(bulk) == set(one_by_one)
    kinds = set()
    for address, cell in one_by_one.items():
        b = bulk[address]
        assert (b.type, b.value, b.formula, b.result, b.error, b.python) == (
            cell.type, cell.value, cell.formula, cell.result, cell.error, cell.python), address
        kinds.add((cell.type, cell.result))
    assert {("empty", None), ("value", None), ("text", None), ("formula", "value"),
            ("formula", "text")} <= kinds
    assert recalc(workbook, writes={"F5": {"formula": "=1/0"}}, reads=["F4:F5"],
                  sheet=SHEET)["F5"] == CellError("#DIV/0!")
