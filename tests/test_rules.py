"""Issue 22, item 1: one rule table for reading a realisasi (core/rules.py). Collect
reads every case as the table says; the form's reading (what its formulas compute) is
the same number or a warning; the form's Petunjuk sheet and its input messages say
exactly the table. (Real clients: test_rule_table_forms.py; the guides: test_guide.py.)"""

from __future__ import annotations

import openpyxl
import pytest

from iki_xlsx.core.rules import (
    INVALID,
    RULES,
    context,
    rule_lines,
    table_reading,
)
from iki_xlsx.core.texts import get_texts
from iki_xlsx.core.values import CellInfo, read_realisasi
from iki_xlsx.forms.inputcheck import number_messages

CASES = [(rule, case) for rule in RULES for case in rule.cases]


@pytest.mark.parametrize("rule, case", CASES, ids=[f"{r.key}:{c.typed!r}" for r, c in CASES])
def test_collect_and_the_form_read_each_case_as_the_table_says(rule, case):
    ctx = case.context
    parsed = read_realisasi(case.typed, CellInfo(percent=case.percent), ctx)
    live = table_reading(case.typed, ctx, percent=case.percent)
    assert parsed.problem == case.problem and parsed.value == case.read, parsed
    assert not parsed.note  # the table's own cases need no note
    if case.problem:
        assert not rule.used and live == INVALID
    elif ctx.yes_no:
        assert rule.used and live == (100.0 if case.read == "Ya" else 0.0)
    else:
        assert rule.used and live == case.read


def test_every_rule_has_its_wording_and_an_example():
    texts = get_texts()
    lines = rule_lines(texts)
    assert len(lines) == len(RULES) == len({r.key for r in RULES})
    for rule, (title, text) in zip(RULES, lines):
        assert title and "{{" not in text and any(c.shown for c in rule.cases), rule.key
    assert [r.key for r in RULES if not r.used] == [
        "satuan_lain", "huruf_lain", "ya_tidak_lain", "negatif", "tidak_wajar",
        "persen_tidak_wajar", "pecahan_persen", "bukan_angka"]


def test_text_outside_the_table_is_read_with_a_note_and_the_form_warns():
    """What collect still reads but the table does not list: used, noted, and the form
    shows its warning instead of a capaian (never another number)."""
    jp = context("maksimal", 40.0, "JP")
    for typed, value in (("+85", 85.0), ("20 J.P.", 20.0), ("\t12", 12.0), ("８５", 85.0)):
        parsed = read_realisasi(typed, CellInfo(), jp)
        assert parsed == (value, "", "realisasi_bentuk_lain"), typed
        assert table_reading(typed, jp) == INVALID


def test_the_petunjuk_sheet_says_the_table(generated):
    result, _ = generated
    sheet = openpyxl.load_workbook(result.forms[0].path)["Petunjuk"]
    text = "\n".join(str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0])
    texts = get_texts()
    for title, line in rule_lines(texts):
        assert f"- {title}: {line}" in text
    assert texts.t("aturan.penutup") in text and "angka saja" not in text


@pytest.mark.parametrize("ctx, tokens", [
    (context("maksimal", 12.0, "Dokumen"), {"85,5": 85.5, "85.5": 85.5, "1234": 1234.0}),
    (context("maksimal", 40.0, "JP (jam pelajaran)"), {"20 JP": 20.0}),
    (context("maksimal", 90.0, "Persen (%)"), {"85": 85.0, "85%": 85.0, "85,5": 85.5}),
    (context("maksimal", 70.0, "nilai", "BB (70)"), {"BB": 70.0, "A (80)": 80.0}),
])
def test_the_input_message_examples_read_as_they_say(ctx, tokens):
    """Each example an input message shows is in it and read as meant for such an
    indikator, and the texts fit Excel's limits (255 characters a message, 32 a title)."""
    msgs = number_messages(ctx, get_texts(), "TW I")
    for token, value in tokens.items():
        assert token in msgs["input_message"], (token, msgs["input_message"])
        assert table_reading(token, ctx) == value
        assert read_realisasi(token, CellInfo(), ctx) == (value, "", "")
    assert all(len(msgs[k]) <= 255 for k in ("input_message", "error_message"))
    assert all(len(msgs[k]) <= 32 for k in ("input_title", "error_title"))
    assert "85,5" in msgs["error_message"]


def test_long_letters_keep_the_messages_within_excel_limits():
    ctx = context("maksimal", 95.0, "Persen (%)", "AA+ (95)")
    msgs = number_messages(ctx, get_texts(), "SEM II")
    assert len(msgs["input_message"]) <= 255 and "AA+" in msgs["input_message"]
