"""The recap's rows written a whole row at a time (recap/direct.py) are byte for byte what
xlsxwriter writes for the same calls: every part of the workbook compared, for text XML
and Excel treat specially, numbers, dates, blanks, heights, rows it must hand back to
xlsxwriter, formats first used out of column order, and a sheet that becomes an Excel
2010 sheet after its rows."""

from __future__ import annotations

import io
import math
import zipfile
from datetime import datetime

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from test_recap import RICH, setup  # noqa: F401  (the fixture)

from iki_xlsx.recap import xlsx as recap_xlsx
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.direct import DirectRows
from iki_xlsx.recap.sheetkit import put_text

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

TEXTS = ["\x01bel\x1f", "_x0041_ bukan A", "  spasi di tepi ", "a & b < c > d \"kutip\"",
         "x" * 20_000, RICH, "<r>x</r>", "\ufffe\uffff", "baris\r\nbaru\n", "",
         "=HYPERLINK(\"http://x\")", "Pegawai Sintetis", "Pegawai Sintetis", "ß ∑ 漢字 😀"]
NUMBERS = [0.1 + 0.2, 1e20, -0.0, 0.0, 5, -7, 123456789012345678, 2.5e-12, 66.66666666666667,
           True]


class Passthrough:
    """Every call straight to the worksheet: what the sheets wrote before DirectRows."""

    def __init__(self, ws):
        self.ws = ws

    def __getattr__(self, name):
        return getattr(self.ws, name)

    def close(self):
        pass


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}


def _write(path, rows_of) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                         "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2026, 1, 2, 3, 4, 5)})
    bold = wb.add_format({"bold": True})
    text = wb.add_format({"text_wrap": True})
    date = wb.add_format({"num_format": "dd-mm-yyyy hh:mm"})
    decimals = [wb.add_format({"num_format": "0." + "0" * k}) for k in range(1, 6)]
    ws = wb.add_worksheet("Data")
    ws.write_string(0, 0, "Judul", bold)
    ws.set_row(1, 30)
    ws.write_string(1, 0, "Kepala", bold)
    out = rows_of(ws)
    for r in range(2, 80):
        if r == 40:  # back to a row already written: xlsxwriter ignores it
            out.write_string(12, 1, "terlambat", text)
        if r % 13 == 0:
            continue  # a row skipped
        # a format first used in a later column, then an earlier one (registration order)
        out.write_number(r, 7, NUMBERS[r % len(NUMBERS)], decimals[(r // 9) % 5])
        out.write_number(r, 0, r - 1, decimals[(r // 7) % 5])
        out.write_string(r, 2, TEXTS[r % len(TEXTS)], text)
        out.write_datetime(r, 3, datetime(2026, 3, r % 28 + 1, r % 24, 30), date)
        out.write_blank(r, 4, None, text if r % 3 else None)
        if r % 7 == 0:
            out.write_rich_string(r, 5, "a", bold, "b", text)
        if r % 11 == 0:
            out.write_number(r, 6, 5, None)  # no format: the cell takes the column's
        if r % 17 == 0:
            out.write_string(r, 2, "ditimpa", text)  # the same cell again: the last wins
        # a user's text as the sheets write it (DirectRows.write_text or xlsxtext's)
        put_text(out, r, 8, TEXTS[(r * 5) % len(TEXTS)], text if r % 4 else None)
        put_text(out, r, 9, [None, 5, 2.5, "x", True][r % 5], text)
        out.set_row(r, [None, 15, 12.75, 31.5, 0, 409][r % 6])
    out.close()
    ws.conditional_format(2, 7, 79, 7, {"type": "data_bar", "bar_solid": True})
    wb.close()


def test_rows_are_what_xlsxwriter_writes(tmp_path):
    _write(tmp_path / "a.xlsx", Passthrough)
    _write(tmp_path / "b.xlsx", DirectRows)
    a, b = parts(tmp_path / "a.xlsx"), parts(tmp_path / "b.xlsx")
    assert list(a) == list(b)
    for name in a:
        assert a[name] == b[name], name
    sheet = a["xl/worksheets/sheet1.xml"].decode()
    assert 'x14ac:dyDescent="0.25"' in sheet  # the last row: written as an Excel 2010 row
    assert sheet.count("<row ") == 2 + 78 - 6


def _same_recap_parts(setup, tmp_path, monkeypatch, owner, name, value) -> None:
    """The small master's recap at TW II written as it is, then again with ``owner``'s
    ``name`` set to ``value``: the same parts, in the same order (the time aside)."""
    ws, _ = setup
    recap = build_recap(ws, upto="TW II")
    recap.generated_at = datetime(2026, 12, 7, 1, 0)
    b = parts(recap_xlsx.write_recap_xlsx(recap, tmp_path / "b.xlsx"))
    monkeypatch.setattr(owner, name, value)
    a = parts(recap_xlsx.write_recap_xlsx(recap, tmp_path / "a.xlsx"))
    assert list(a) == list(b)
    for part in a:
        if part != "docProps/core.xml":  # the time it was written
            assert a[part] == b[part], part


def test_recap_workbook_is_what_xlsxwriter_writes(setup, tmp_path, monkeypatch):  # noqa: F811
    _same_recap_parts(setup, tmp_path, monkeypatch, recap_xlsx, "DirectRows", Passthrough)


VALUES = [1.0, 1, True, 0.0, -0.0, 0, float("nan"), float("inf"), -float("inf"), "Ya", "",
          None, "x" * 40, "x" * 40, 2.5, 2.5, 1e20, 66.66666666666667, "1.0", 123456789012,
          False, 0.1 + 0.2, -7.25, "_x0041_ & <b>", "\x01"]


def test_inline_cells_kept_are_cells_made_afresh():
    """InlineRows keeps a column's cell per value: an equal value of another type (1 and
    1.0 and True, 0.0 and -0.0) or a value it does not keep still gets its own cell."""
    import random

    from iki_xlsx.recap.inline import InlineRows

    styles, number_styles = [10, 11, 12, 13], (20, 21, 22)
    kept = InlineRows(styles, number_styles)
    rng = random.Random(25)
    for _ in range(3000):
        start = rng.randrange(4)
        values = [rng.choice(VALUES) for _ in range(4 - start)]
        fresh = InlineRows(styles, number_styles)  # nothing kept: every cell made
        assert kept.cells(start, values) == fresh.cells(start, values), values
    one = InlineRows(styles, number_styles)
    assert one.cells(0, [1.0, 1.0, 0.0, 0.0]) == (
        '<c r="A\x00" s="20"><v>1.0</v></c><c r="B\x00" s="20"><v>1.0</v></c>'
        '<c r="C\x00" s="20"><v>0.0</v></c><c r="D\x00" s="20"><v>0.0</v></c>')
    assert one.cells(0, [1, True, -0.0, None]) == (
        '<c r="A\x00" s="20"><v>1</v></c><c r="B\x00" s="11" t="inlineStr"><is><t>True</t>'
        '</is></c><c r="C\x00" s="20"><v>-0.0</v></c><c r="D\x00" s="13"/>')


def test_recap_workbook_is_the_same_deflated_by_zlib(setup, tmp_path, monkeypatch):  # noqa: F811
    """Per Indikator and every other member deflated by ISA-L (where installed) or by
    zlib inflate to the same parts."""
    from iki_xlsx.recap import inline

    _same_recap_parts(setup, tmp_path, monkeypatch, inline, "_deflate", None)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())) | st.sampled_from(
    TEXTS + ["a\tb", "\ud800x", "\xa0nbsp\xa0", "x_x0041_", "\u2028", "a>b", "\x7f", ""]))
def test_inline_text_is_escaped_as_the_pattern_escapes(value):
    """InlineRows.text skips the escaping pattern for a text it cannot match: the same
    ``<is>`` as the pattern makes, for any text."""
    from iki_xlsx.core.xlsxtext import limit
    from iki_xlsx.recap.inline import _XML_SPECIAL, InlineRows, _escape_one

    body = _XML_SPECIAL.sub(_escape_one, limit(value))
    space = ' xml:space="preserve"' if body[:1].isspace() or body[-1:].isspace() else ""
    assert InlineRows([1], (2, 3, 4)).text(value) == f"<is><t{space}>{body}</t></is>"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())) | st.sampled_from(
    TEXTS + ["a\tb", "\ud800x", "\xa0nbsp\xa0", "x_x0041_", "\u2028", "a>b", "\x7f", "x\n"]))
def test_direct_text_is_escaped_as_xlsxwriter_escapes(value):
    """DirectRows skips xlsxwriter's escaping for a text it would not change: the same
    ``<is>`` as xlsxwriter's own functions make, for any text."""
    from xlsxwriter.utility import _preserve_whitespace
    from xlsxwriter.worksheet import Worksheet

    ws = Worksheet()
    ws.constant_memory = True
    text = ws._escape_control_characters(value)
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    want = None if text.startswith("<r>") and text.endswith("</r>") else \
        f"<is><t{space}>{ws._escape_data(text)}</t></is>"
    assert DirectRows(ws)._text(value) == want



CALL_VALUES = [*TEXTS[:4], *TEXTS[5:], "Ya", "Ya", "Tidak", 2.5, 0.1 + 0.2, 7, 0.0, 1e20,
               True, None, float("nan")]


def _calls_sheet(calls, rows_of) -> bytes:
    """The sheet's XML after ``calls`` (rows further, column, kind, value, formatted)
    made through ``rows_of``, after a title row (as every sheet of the recap has)."""
    out_file = io.BytesIO()
    wb = xlsxwriter.Workbook(out_file, {"constant_memory": True, "in_memory": False,
                                        "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2026, 1, 2, 3, 4, 5)})
    fmt = wb.add_format({"text_wrap": True})
    ws = wb.add_worksheet("Data")
    ws.write_string(0, 0, "Judul", fmt)
    out = rows_of(ws)
    r = 1
    for step, col, kind, value, formatted in calls:
        r += step
        row = float(r) if formatted == "float row" else r
        f = None if formatted is False else fmt
        if kind == "number":
            if isinstance(value, (int, float)) and not math.isnan(value):
                out.write_number(row, col, value, f)
        elif kind == "string":
            if isinstance(value, str) and len(value) < 10_000:
                out.write_string(row, col, value, f)
        elif kind == "text":
            put_text(out, row, col, value, f)
        elif kind == "blank":
            out.write_blank(row, col, None, f)
        else:
            out.set_row(row, 20 if f else None)
    out.close()
    wb.close()
    with zipfile.ZipFile(out_file) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_any_calls_write_what_xlsxwriter_writes():
    """Random sequences of the calls the sheets make (a text or number met before in a
    row's later cells, taken in one step; a cell without a format; a rich, odd or
    over-long text; a row number given as a float): the same sheet as xlsxwriter's own
    calls make."""
    import random

    rng = random.Random(35)
    for _ in range(400):
        calls = [(rng.choice([0, 0, 1, 1, 2]), rng.choice([0, 1, 2, 3, 5]),
                  rng.choice(["number", "string", "text", "text", "blank", "height"]),
                  rng.choice(CALL_VALUES), rng.choice([True, True, True, False, "float row"]))
                 for _ in range(rng.randrange(40))]
        assert _calls_sheet(calls, DirectRows) == _calls_sheet(calls, Passthrough), calls
