"""Fuzzing (hypothesis): realisasi as people type it, manifest JSON as tools and people
mangle it, workbook bytes as networks and disks break them. Zero crashes; every case is
either a number or a clear, catalogued problem.

The same properties run twice: a few hundred cases in every test run, and 10,000 per
property in the tests marked ``slow`` (CI runs them: ``pytest -m slow``)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iki_xlsx.collect import Judge, RawReading, Source, read_bytes, read_path
from iki_xlsx.collect.check import _bare
from iki_xlsx.core.model import format_number
from iki_xlsx.core.problems import KINDS, Status
from iki_xlsx.core.rules import ABSURD_FACTOR, INVALID, context, table_reading
from iki_xlsx.core.values import (
    CellInfo,
    parse_realisasi,
    read_realisasi,
    plain_limit,
    plain_low,
    plain_number,
)
from iki_xlsx.forms.manifest import parse_manifest_text, sign

FAST, SLOW = 300, 10_000


def fuzz(n: int):
    return settings(max_examples=n, deadline=None, database=None, derandomize=n == FAST,
                    suppress_health_check=list(HealthCheck))


# --------------------------------------------------------------------------- realisasi

DIGITS = {  # digit sets people's keyboards and phones produce; NFKC makes most ASCII
    "ascii": "0123456789", "fullwidth": "０１２３４５６７８９",
    "arabic_indic": "٠١٢٣٤٥٦٧٨٩", "devanagari": "०१२३४५६७८९",
}
SPACES = ["", " ", "  ", "\u00a0", "\u202f", "\t", "\u2007"]


@st.composite
def indonesian_numbers(draw) -> tuple[str, float]:
    """(text, the value a person meant): 1.234,5 · 85,5 · 85 % · Rp 1.500.000 · ٨٥."""
    whole = draw(st.integers(0, 10**9))
    decimals = draw(st.sampled_from([None, 1, 2, 3]))
    frac = draw(st.integers(0, 10 ** decimals - 1)) if decimals else 0
    value = whole + (frac / 10 ** decimals if decimals else 0)
    grouped = draw(st.booleans()) and whole >= 1000
    text = f"{whole:,}".replace(",", ".") if grouped else str(whole)
    if decimals:
        text += "," + str(frac).rjust(decimals, "0")
    if grouped is False and decimals is None and whole >= 1000 and draw(st.booleans()):
        text = f"{whole:,}".replace(",", ".")  # dots as thousands, no decimals
    digits = DIGITS[draw(st.sampled_from(sorted(DIGITS)))]
    text = text.translate(str.maketrans("0123456789", digits))
    prefix = draw(st.sampled_from(["", "Rp", "Rp ", "Rp."])) if draw(st.booleans()) else ""
    suffix = draw(st.sampled_from(["", "%", " %", "\u00a0%"])) if not prefix else ""
    pad_l, pad_r = draw(st.sampled_from(SPACES)), draw(st.sampled_from(SPACES))
    return f"{pad_l}{prefix}{text}{suffix}{pad_r}", value


garbage = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.,%-+ eE\u2212Rp", max_size=25),
    st.sampled_from(["-", "nihil", "tidak ada", "N/A", "#DIV/0!", "1e5", "inf", "nan",
                     "NaN", "∞", "½", "²", "1/2", "10 dokumen", "85%%", "--5", "1.2.3,4,5",
                     "9" * 400, "0x1F", "١٠٠", "100٪", "=1/0", "[/] [red]x"]),
)
cell_values = st.one_of(
    indonesian_numbers().map(lambda t: t[0]), garbage, st.none(), st.booleans(),
    st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(), st.dates(), st.times(), st.timedeltas())
infos = st.builds(CellInfo, percent=st.booleans(), formula=st.booleans(), error=st.booleans(),
                  cached=st.booleans())
targets = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(0, 10**6).map(float))


def check_parsed(raw, info, yes_no, target) -> None:
    parsed = parse_realisasi(raw, info, yes_no=yes_no, target=target)
    assert parsed.note in ("", "realisasi_rumus", "realisasi_bentuk_lain")
    if parsed.value is None:
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        assert parsed.problem in KINDS or (blank and parsed.problem == ""), (raw, parsed)
        return
    assert parsed.problem == ""
    if yes_no:
        assert parsed.value in ("Ya", "Tidak")
        return
    limit = ABSURD_FACTOR * max(target if isinstance(target, float) and math.isfinite(target)
                                else 0.0, 1.0)
    assert isinstance(parsed.value, float) and math.isfinite(parsed.value)
    assert 0 <= parsed.value <= limit * (1 + 1e-9), (raw, parsed)


def realisasi_property(raw, info, yes_no, target) -> None:
    check_parsed(raw, info, yes_no, target)
    # collect's shortcut for a number in a plain cell never differs from the parser
    plain = context("maksimal", target)
    quick = plain_number(raw, plain_limit(plain), plain_low(plain))
    if quick is not None:
        assert parse_realisasi(raw, CellInfo(), target=target) == (quick, "", ""), raw
    # … and on a percent indikator, whose numbers also pass the percent checks
    pct = context("maksimal", target, "%")
    quick = plain_number(raw, plain_limit(pct), plain_low(pct))
    if quick is not None:
        assert parse_realisasi(raw, CellInfo(), target=target, satuan="%") == (
            quick, "", ""), raw


def typed_number_property(case, target) -> None:
    """A number typed the Indonesian way is read as the number meant (or, when it is
    beyond what the target allows, called absurd — never another number)."""
    text, value = case
    parsed = parse_realisasi(text, CellInfo(), target=target)
    if value > ABSURD_FACTOR * max(target or 0.0, 1.0):
        assert parsed.problem == "realisasi_tidak_wajar", (text, parsed)
    else:
        assert parsed.problem == "" and math.isclose(parsed.value, round(value, 10),
                                                     rel_tol=1e-12), (text, value, parsed)


@fuzz(FAST)
@given(cell_values, infos, st.booleans(), targets)
def test_realisasi_is_a_number_or_a_named_problem(raw, info, yes_no, target):
    realisasi_property(raw, info, yes_no, target)


@fuzz(FAST)
@given(indonesian_numbers(), st.sampled_from([None, 0.0, 85.0, 100.0, 1e6]))
def test_indonesian_numbers_read_as_meant(case, target):
    typed_number_property(case, target)


@pytest.mark.slow
@fuzz(SLOW)
@given(cell_values, infos, st.booleans(), targets)
def test_realisasi_fuzz_10000(raw, info, yes_no, target):
    realisasi_property(raw, info, yes_no, target)


@pytest.mark.slow
@fuzz(SLOW)
@given(indonesian_numbers(), st.sampled_from([None, 0.0, 85.0, 100.0, 1e6]))
def test_indonesian_numbers_fuzz_10000(case, target):
    typed_number_property(case, target)


# The form's reading (the rule table, what its formulas compute) and collect's.
CONTEXTS = [context("maksimal", 12.0, "dokumen"), context("maksimal", 90.0, "%"),
            context("minimal", 5.0, "Persen (%)"), context("maksimal", 40.0, "JP"),
            context("maksimal", 70.0, "nilai", "BB (70)"), context("ya/tidak", None, "", "Ya"),
            context("maksimal", 0.0, "laporan"), context("rentang", 90.0, "%", "80 - 90")]
typed_like = st.one_of(
    cell_values,
    st.lists(st.sampled_from(["1", "2", "0", "5", "9", ".", ",", "%", " ", "jp", "dok", "rp",
                              "persen", "(", ")", "a", "bb", "+", "-", "laporan", "\t", "ya"]),
             max_size=8).map("".join))


def form_and_collect_property(raw, percent, ctx) -> None:
    """The form shows what collect reads, or a warning where collect refuses the value
    or reads it only with a note — never another number."""
    pct = percent and isinstance(raw, float)
    live = table_reading(raw, ctx, percent=pct)
    parsed = read_realisasi(raw, CellInfo(percent=pct), ctx)
    if live == INVALID:
        assert parsed.problem or parsed.value is None \
            or parsed.note == "realisasi_bentuk_lain", (raw, ctx, parsed)
    elif live is None:
        assert parsed == (None, "", ""), (raw, parsed)
    elif ctx.yes_no:
        assert parsed.value == ("Ya" if live else "Tidak") and not parsed.problem, raw
    else:
        assert parsed.value == live and not parsed.problem and not parsed.note, (raw, ctx,
                                                                                parsed)


@fuzz(FAST)
@given(typed_like, st.booleans(), st.sampled_from(CONTEXTS))
def test_the_form_reads_what_collect_reads_or_warns(raw, percent, ctx):
    form_and_collect_property(raw, percent, ctx)


@pytest.mark.slow
@fuzz(SLOW)
@given(typed_like, st.booleans(), st.sampled_from(CONTEXTS))
def test_the_form_reads_what_collect_reads_fuzz_10000(raw, percent, ctx):
    form_and_collect_property(raw, percent, ctx)


@fuzz(FAST)
@given(st.text(alphabet="0123456789.,", min_size=1, max_size=16))
def test_the_tables_number_reading_is_collects(text):
    """On digits and separators the table reads exactly what collect's parser reads."""
    from iki_xlsx.core.model import parse_number
    from iki_xlsx.core.rules import parse_number_text

    mine, theirs = parse_number_text(text), parse_number(text)
    if mine == INVALID:
        digits = sum(ch.isdigit() for ch in text)
        assert theirs is None or digits > 15, (text, theirs)
    else:
        assert mine == theirs, (text, mine, theirs)


def test_format_number_round_trips():
    for x in (0, 1, 85.5, 1234.5, 1500000, 0.25, 999.99):
        assert parse_realisasi(format_number(x), target=1e7).value == x


# --------------------------------------------------------------------------- manifest

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
              st.sampled_from(["A1", "H22", "ZZZ9999999", "", "IKI", "TW1", "maksimal"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


@st.composite
def mutated_manifests(draw, base: dict, form_ids: tuple[str, ...] = ()) -> dict:
    """The issued manifest with 1–4 mutations anywhere in it (as deep as an indicator's
    cell address): keys dropped or added, values replaced by other JSON, lists emptied
    or duplicated; or plausible edits: another form's id, a revision or year off by one."""
    m = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(["deep"] * 6 + ["form_id", "revision", "tahun"]))
        if edit == "form_id" and form_ids:
            m["form_id"] = draw(st.sampled_from(form_ids))
            continue
        if edit in ("revision", "tahun") and isinstance(m.get(edit), int):
            m[edit] += draw(st.sampled_from([-1, 1]))
            continue
        depth = draw(st.integers(0, 5))
        path, node = [], m
        while isinstance(node, (dict, list)) and node and len(path) < 2 * depth:
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict)
                                       else list(range(len(node)))))
            path.append(node)
            node = node[key]
            path.append(key)
        if not path:
            key = draw(st.sampled_from(sorted(m)))
            parent = m
        else:
            parent, key = path[-2], path[-1]
        action = draw(st.sampled_from(["replace", "drop", "add", "empty", "double"]))
        if action == "drop" and isinstance(parent, dict):
            parent.pop(key, None)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        elif action == "empty" and isinstance(parent[key], (dict, list)):
            parent[key] = type(parent[key])()
        elif action == "double" and isinstance(parent[key], list):
            parent[key] = parent[key] * 2
        else:
            parent[key] = draw(json_values)
    return m


@pytest.fixture(scope="module")
def form_ids(generated) -> tuple[str, ...]:
    result, _ = generated
    return tuple(sorted({p.form_id for p in result.forms}))


@pytest.fixture(scope="module")
def issued_reading(generated):
    """A real filled form's reading, its workspace and the issued manifest."""
    from filling import fill, realisasi_ref

    result, ws = generated
    p = next(p for p in result.forms if p.form.key[1] == "IKI-KEPALA")
    path = fill(p.path, Path(p.path).with_name("fuzz-basis.xlsx"),
                {realisasi_ref(p.manifest, 0, "TW1"): "85,5"})
    raw = read_path(path, ws.key, ws.key_id)
    assert not raw.problems
    return raw, ws


def manifest_property(raw: RawReading, ws, manifest: dict, resign: bool) -> None:
    text = json.dumps(manifest, ensure_ascii=False)
    parsed, problem = parse_manifest_text(text)
    assert (parsed is None) != (problem is None)
    if problem is not None:
        assert problem.code == "manifest_rusak"
        return
    if resign:  # as if signed by the workspace itself: gets past the signature check
        parsed = sign({k: v for k, v in parsed.items() if k != "hmac"}, ws.key)
    reading = copy.copy(raw)
    reading.manifest = parsed
    reading.key_match = parsed.get("key_id") == ws.key_id
    reading.signature_ok = resign and reading.key_match
    src = Source("fuzz.xlsx", "/fuzz.xlsx", path=Path("/fuzz.xlsx"))
    for res in (Judge(ws, 2025).judge(reading, src), _bare(reading, src)):
        assert res.status in (Status.OK, Status.NOTE, Status.REJECTED)
        for p in res.problems:
            assert p.code in KINDS and p.message()
        json.dumps(res.entry())  # storable as it is


def text_property(text: str) -> None:
    parsed, problem = parse_manifest_text(text)
    assert (parsed is None) != (problem is None)


@fuzz(FAST)
@given(st.data(), st.booleans())
def test_manifest_mutations_never_crash(issued_reading, form_ids, data, resign):
    raw, ws = issued_reading
    manifest_property(raw, ws, data.draw(mutated_manifests(raw.manifest, form_ids)), resign)


@pytest.mark.slow
@fuzz(SLOW)
@given(st.data(), st.booleans())
def test_manifest_fuzz_10000(issued_reading, form_ids, data, resign):
    raw, ws = issued_reading
    manifest_property(raw, ws, data.draw(mutated_manifests(raw.manifest, form_ids)), resign)


@fuzz(FAST)
@given(st.data())
def test_manifest_text_cut_and_spliced(issued_reading, data):
    text = json.dumps(issued_reading[0].manifest)
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    insert = data.draw(st.sampled_from(["", "{", "]", '"', "\\", "NaN", "1e999", "[" * 5000,
                                        "\x00", "\ud800"]))
    text_property(text[:i] + insert + text[j:])


# --------------------------------------------------------------------------- bytes

@st.composite
def damaged(draw, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        i = draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            del out[i: i + draw(st.integers(1, 4096))]
        elif kind == "insert":
            out[i:i] = draw(st.binary(min_size=1, max_size=64))
        elif out:
            out[i: i + 64] = bytes(min(64, len(out) - i))
    return bytes(out)


def bytes_property(data: bytes, ws) -> None:
    raw = read_bytes(data, ws.key, ws.key_id)
    assert all(p.code in KINDS for p in raw.problems)
    if not raw.problems:
        assert isinstance(raw.manifest, dict)
        src = Source("fuzz.xlsx", "/fuzz.xlsx", data=data)
        res = Judge(ws, 2025).judge(raw, src)
        assert all(p.code in KINDS for p in res.problems)


@fuzz(FAST // 3)
@given(st.data())
def test_damaged_workbooks_never_crash(generated, data):
    result, ws = generated
    original = result.forms[0].path.read_bytes()
    bytes_property(data.draw(damaged(original)), ws)


@pytest.mark.slow
@fuzz(2_000)
@given(st.data())
def test_damaged_workbooks_fuzz(generated, data):
    result, ws = generated
    original = result.forms[0].path.read_bytes()
    bytes_property(data.draw(damaged(original)), ws)


def test_an_infinite_cell_is_never_a_plain_number_beside_the_largest_target():
    """Hypothesis found it: a target near the float's largest makes the plain bound
    infinite, and collect's shortcut then took an infinite cell as a realisasi."""
    realisasi_property(math.inf, CellInfo(), False, 1.797693134862316e+305)
