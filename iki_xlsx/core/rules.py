"""How a realisasi is read: the one rule table (issue 22).

:data:`RULES` lists, in the order they apply, every way a pegawai may fill a REALISASI
cell and what becomes of it: read as a number (or Ya/Tidak), left blank, or refused with
a problem code. Each rule carries its cases (what the cell holds → what is read) and its
wording lives in ``templates/aturan.yaml`` under ``aturan.<key>``. From this table:

* collect reads every cell (:func:`iki_xlsx.core.values.parse_realisasi`);
* the form's helper formulas and its input check are generated
  (:mod:`iki_xlsx.forms.liveform`), per indikator from its :class:`Context`;
* :func:`table_reading` is what those formulas compute, in Python (the tests hold the
  formulas, recalculated by LibreOffice and Gnumeric, to it, and it to collect);
* the guides, the form's Petunjuk sheet and the input messages are rendered from it
  (:func:`rule_lines`).

Collect is a little more lenient than the table (``Rp1.500``, ``+85``, a tab or a
non-breaking space, full-width digits): such a value is used, with the note
``realisasi_bentuk_lain``, and the form shows its warning instead of a capaian, so
the two never show different numbers.

Longer than 400 lines because the table, its parameters and the reading it defines (the
form's, in Python) are kept together: a change to one is made to the others.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .capaian import DEFAULT_CAP, FULL, parse_answer
from .model import Polarity, parse_target

ABSURD_FACTOR = 1000  # a realisasi above 1000 × target (or 1000 for a zero target) is absurd
MAX_NUMBER_TEXT = 100  # characters: longer text in a realisasi cell is not a number
# On a percent indikator a realisasi above max(PERCENT_MAX, PERCENT_FACTOR × target) is
# not believed (``1.000`` typed for "1,000" is read as a thousand) …
PERCENT_MAX = 200.0
PERCENT_FACTOR = 2.0
# … nor a fraction below 1 (not formatted as percent, no "%") when the target is at least
# this: 0,9 against a target of 100 % is almost surely 90 % typed as Excel shows fractions.
FRACTION_TARGET_MIN = 10.0
MAX_DIGITS = 15  # digits a spreadsheet keeps exactly; a longer number text is not read
PERCENT_WORDS = ("persen", "prosen", "percent")
INVALID = "!"  # what the form's reading gives for a value the recap would not use as is

# --------------------------------------------------------------------------- vocabulary

_PERCENT_WORD = re.compile(r"(?:^|[^a-z])(?:" + "|".join(PERCENT_WORDS) + r")(?:$|[^a-z])")
_LETTER_TARGET = re.compile(r"^\s*(?P<letters>[A-Za-z]{1,3}[+-]?)\s*\(")


def unit_key(text: str) -> str:
    """A unit as compared: lower case, only letters a–z, digits and ``%``."""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[^0-9a-z%]", "", s)


@lru_cache(maxsize=256)
def is_percent(satuan: str) -> bool:
    """Whether a SATUAN is percent (``%``, ``persen``, ``Persen (%)``)."""
    s = unicodedata.normalize("NFKC", str(satuan or "")).casefold().strip()
    return bool(s) and ("%" in s or bool(_PERCENT_WORD.search(s)))


def unit_matches(unit: str, satuan: str) -> bool:
    """Whether a unit typed after a number is the indikator's SATUAN: the same word
    (case, spaces and dots aside), its start (``dok`` for ``dokumen``, ``JP`` for
    ``JP (jam pelajaran)``), or both percent."""
    if is_percent(unit) and is_percent(satuan):
        return True
    u, s = unit_key(unit), unit_key(satuan)
    if not u or not s:
        return False
    return u == s or (len(u) >= 2 and s.startswith(u))


def target_letters(target_text: str) -> str:
    """``BB`` of a target written ``BB (70)``; "" for any other target."""
    m = _LETTER_TARGET.match(str(target_text or ""))
    return m["letters"] if m else ""


def absurd_limit(target: object) -> float:
    """Above this a realisasi is absurd (a target that is not a finite number counts as
    none)."""
    if not (isinstance(target, (int, float)) and math.isfinite(target)):
        target = None
    return ABSURD_FACTOR * max(target or 0.0, 1.0)


def percent_limit(target: object) -> float:
    """Above this a realisasi of a percent indikator is not believed."""
    t = target if isinstance(target, (int, float)) and math.isfinite(target) else 0.0
    return max(PERCENT_MAX, PERCENT_FACTOR * t)


# --------------------------------------------------------------------------- context

@dataclass(frozen=True)
class Context:
    """What the table needs to know of one indikator (from its issued manifest)."""

    yes_no: bool = False
    satuan: str = ""
    target: float | None = None  # compared with (the upper bound of a range)
    target_text: str = ""
    polaritas: str = ""

    @property
    def percent(self) -> bool:
        return is_percent(self.satuan)

    @property
    def unit(self) -> str:
        """The SATUAN as compared with a unit typed after a number."""
        return unit_key(self.satuan)

    @property
    def letters(self) -> str:
        """The letters of a target like ``BB (70)``, lower case ("" for none)."""
        return target_letters(self.target_text).lower() if self.target is not None else ""

    @property
    def limit(self) -> float:
        """The highest number read: the absurd limit, or a percent indikator's."""
        absurd = absurd_limit(self.target)
        return min(absurd, percent_limit(self.target)) if self.percent else absurd

    @property
    def fraction_check(self) -> bool:
        """Whether 0 < value < 1 typed without ``%`` is refused (an unformatted percent)."""
        return (self.percent and self.polaritas != "minimal" and self.target is not None
                and math.isfinite(self.target) and self.target >= FRACTION_TARGET_MIN)


@lru_cache(maxsize=4096)
def context(polaritas: str = "", target: float | None = None, satuan: str = "",
            target_text: str = "") -> Context:
    """The :class:`Context` of an indikator (shared: forms repeat the same indikator)."""
    if not (isinstance(target, (int, float)) and not isinstance(target, bool)
            and math.isfinite(target)):
        target = None
    return Context(polaritas == "ya/tidak", str(satuan or ""), target,
                   str(target_text or ""), str(polaritas or ""))


# --------------------------------------------------------------------------- the table

@dataclass(frozen=True)
class Case:
    """One example: a cell holding ``typed`` (text when a str; ``percent``: a number in a
    cell formatted as percent, as Excel stores ``85%``) in an indikator with this SATUAN,
    target and polaritas, read as ``read`` (a number, "Ya"/"Tidak", None for blank) or
    refused with ``problem``. ``shown``: the guides and messages show it as an example,
    so it reads the same typed in any locale."""

    typed: object
    read: float | str | None = None
    problem: str = ""
    satuan: str = "dokumen"
    target: str = "12"
    polaritas: str = "maksimal"
    percent: bool = False
    shown: bool = True

    @property
    def context(self) -> Context:
        t = parse_target(self.target, Polarity(self.polaritas))
        value = None if t is None else (t.value if t.value is not None else t.high)
        return context(self.polaritas, value, self.satuan, self.target)


@dataclass(frozen=True)
class Rule:
    """One row of the table: ``key`` names its wording (``aturan.<key>``); ``used``:
    what it matches is read (True) or refused (False); ``about``: what of the
    indikator its examples name (``satuan``, ``target``)."""

    key: str
    used: bool
    cases: tuple[Case, ...]
    about: tuple[str, ...] = ()


PCT = {"satuan": "%", "target": "90"}  # a percent indikator, target 90
JP = {"satuan": "JP", "target": "40"}
GRADE = {"satuan": "nilai", "target": "BB (70)"}
YT = {"polaritas": "ya/tidak", "target": "Ya"}

RULES: tuple[Rule, ...] = (
    Rule("kosong", True, (Case(None), Case("", shown=False), Case("   ", shown=False))),
    Rule("angka", True, (Case(85, 85.0), Case("85,5", 85.5), Case("85.5", 85.5),
                         Case("1234", 1234.0, target="2000"), Case(0, 0.0),
                         Case("0,75", 0.75, shown=False), Case("12.5", 12.5, shown=False))),
    Rule("ribuan", True, (Case("1.234,5", 1234.5, target="2000"),
                          Case("12.345.678", 12345678.0, target="20000000"),
                          Case("1.234", 1234.0, target="2000", shown=False),
                          Case("1,234,567", 1234567.0, target="2000000", shown=False),
                          Case("1.234.567,89", 1234567.89, target="2000000", shown=False))),
    Rule("rupiah", True, (Case("Rp 1.500.000", 1500000.0, satuan="rupiah", target="2000000"),
                          Case("Rp1500", 1500.0, satuan="rupiah", target="2000",
                               shown=False))),
    Rule("persen", True, (Case("85%", 85.0, **PCT), Case("85 %", 85.0, **PCT),
                          Case(0.85, 85.0, percent=True, **PCT, shown=False),
                          Case("0,5%", 0.5, **PCT))),
    Rule("satuan", True, (Case("20 JP", 20.0, **JP), Case("1 laporan", 1.0, satuan="laporan"),
                          Case("3 dok", 3.0), Case("85 persen", 85.0, **PCT),
                          Case("20jp", 20.0, **JP, shown=False)), ("satuan",)),
    Rule("satuan_lain", False, (Case("20 jam", problem="realisasi_satuan_lain", **JP),
                                Case("3 lembar", problem="realisasi_satuan_lain")),
         ("satuan",)),
    Rule("huruf", True, (Case("BB", 70.0, **GRADE), Case("A (80)", 80.0, **GRADE),
                         Case("72", 72.0, **GRADE), Case("bb", 70.0, **GRADE, shown=False)),
         ("target",)),
    Rule("huruf_lain", False, (Case("A", problem="realisasi_huruf", **GRADE),), ("target",)),
    Rule("ya_tidak", True, (Case("Ya", "Ya", **YT), Case("Tidak", "Tidak", **YT),
                            Case(" ya ", "Ya", **YT, shown=False))),
    Rule("ya_tidak_lain", False, (Case("belum", problem="realisasi_ya_tidak", **YT),
                                  Case(1, problem="realisasi_ya_tidak", **YT, shown=False))),
    Rule("negatif", False, (Case(-5, problem="realisasi_negatif"),
                            Case("-3", problem="realisasi_negatif", shown=False))),
    Rule("tidak_wajar", False, (Case(50000, problem="realisasi_tidak_wajar"),), ("target",)),
    Rule("persen_tidak_wajar", False, (Case(1000, problem="realisasi_persen_tidak_wajar",
                                            **PCT),
                                       Case(250, problem="realisasi_persen_tidak_wajar",
                                            **PCT)), ("satuan", "target")),
    Rule("pecahan_persen", False, (Case("0,9", problem="realisasi_pecahan_persen", **PCT),
                                   Case(0.9, problem="realisasi_pecahan_persen", **PCT,
                                        shown=False)), ("satuan", "target")),
    Rule("bukan_angka", False, (Case("delapan", problem="realisasi_tidak_terbaca"),
                                Case("1234.567", problem="realisasi_tidak_terbaca",
                                     shown=False),
                                Case(True, problem="realisasi_tidak_terbaca", shown=False))),
)

PARAMETERS = {"faktor": ABSURD_FACTOR, "persen_maks": PERCENT_MAX,
              "persen_kali": PERCENT_FACTOR, "pecahan_target": FRACTION_TARGET_MIN}


def shown_cases(rule: Rule) -> list[Case]:
    return [c for c in rule.cases if c.shown]


def rule_lines(texts, markdown: bool = False) -> list[tuple[str, str]]:
    """(title, text) of every rule as people read it (``aturan.<key>.judul`` and
    ``.teks``, given the rule's shown examples as ``contoh`` and the table's
    :data:`PARAMETERS`). ``markdown``: examples in backticks (the guides), else in
    quotes (the form)."""
    out = []
    for rule in RULES:
        examples = [example_text(c, rule, texts, markdown) for c in shown_cases(rule)]
        params = {k: plain_number(v) for k, v in PARAMETERS.items()}
        out.append((texts.t(f"aturan.{rule.key}.judul"),
                    texts.t(f"aturan.{rule.key}.teks", contoh=", ".join(examples), **params)))
    return out


def example_text(case: Case, rule: Rule, texts, markdown: bool = False) -> str:
    """```85,5` = 85,5`` — what is typed, what is read (when it differs), and what of
    the indikator the example needs (``(SATUAN JP)``)."""
    if case.typed is None or case.typed == "":
        return texts.t("aturan.kosong_contoh")
    typed = typed_text(case)
    out = f"`{typed}`" if markdown else f"'{typed}'"
    if case.read is not None and not isinstance(case.read, str):
        read = plain_number(case.read)
        if read != typed:
            out += f" = {read}"
    about = [texts.t(f"aturan.konteks.{what}", satuan=case.satuan, target=case.target)
             for what in rule.about]
    return out + (f" ({', '.join(about)})" if about else "")


def typed_text(case: Case) -> str:
    """A case's cell as the pegawai sees it: text as typed, a number as Indonesian
    Excel shows it (a percent-formatted one with %)."""
    raw = case.typed
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, (int, float)):
        return plain_number(raw * 100) + "%" if case.percent else plain_number(raw)
    return str(raw)


def plain_number(x: float) -> str:
    """A number with a decimal comma and no thousands separator (``1234,5``)."""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.10g}".replace(".", ",")


# --------------------------------------------------------------------------- the reading

_DIGITS = "0123456789"
_NUMBER_CHARS = frozenset(_DIGITS + ".,")


def table_reading(raw: object, ctx: Context, *, percent: bool = False, date: bool = False,
                  cap: float = DEFAULT_CAP) -> float | str | None:
    """What the form computes for a cell holding ``raw`` (as a value reader sees it: None,
    float, str, bool; ``percent``/``date``: the cell's number format): the number read
    (for ya/tidak, the period's capaian: Ya → 100, Tidak → 0), None for blank, or
    :data:`INVALID` where the recap refuses the value or reads it only with a note.
    The formulas of :mod:`iki_xlsx.forms.liveform` compute exactly this."""
    if raw is None:
        return None
    if ctx.yes_no:
        return _answer(raw, cap)
    if isinstance(raw, bool):
        return INVALID
    if isinstance(raw, (int, float)):
        if date or not math.isfinite(raw):  # (no spreadsheet cell holds inf or NaN)
            return INVALID
        value: object = float(raw) * 100 if percent else float(raw)
        explicit = percent
    elif not str(raw).strip(" "):
        return None
    elif len(str(raw)) > MAX_NUMBER_TEXT:
        return INVALID
    else:
        t = str(raw).replace(" ", "").lower()
        w = "".join(ch for ch in t if ch not in _NUMBER_CHARS)
        n = number_text(str(raw), t, w, ctx)
        value = n if n == INVALID or isinstance(n, float) else parse_number_text(n)
        explicit = explicit_percent(t, w)
    if value == INVALID:
        return INVALID
    if value < 0 or value > ctx.limit or (ctx.fraction_check and 0 < value < 1
                                          and not explicit):
        return INVALID
    return round(value, 10)


def _answer(raw: object, cap: float) -> float | str | None:
    full = min(cap, FULL)
    if isinstance(raw, bool):
        return full if raw else 0.0
    if isinstance(raw, (int, float)):
        return INVALID
    key = _trim(str(raw)).lower()
    if not key:
        return None
    if key not in ("ya", "tidak"):
        return INVALID
    return full if parse_answer(key) else 0.0


def _trim(text: str) -> str:
    """A spreadsheet's TRIM: spaces off both ends, inner runs of spaces made one."""
    return " ".join(part for part in text.split(" ") if part)


def number_text(raw: str, t: str, w: str, ctx: Context) -> str | float:
    """The helper ``N``: from a text realisasi, the number part to read (digits and
    separators), the target's number for its letter, or INVALID. ``t`` is the text in
    lower case without spaces (``T``), ``w`` its characters other than digits, ``.`` and
    ``,`` (``W``)."""
    if t.startswith("rp"):  # Rp 1.500.000: only a number may follow
        rest, unit = t[2:], w[2:]
        if unit.replace("%", "") or not rest.endswith(unit):
            return INVALID
        rest = rest[:len(rest) - len(unit)]
        if rest.startswith("."):
            rest = rest[1:]
            if rest.startswith("."):
                return INVALID
        return rest
    if not w or (not w.replace("%", "") and t.endswith(w)):  # a number, perhaps with %
        return t[:len(t) - len(w)]
    if ctx.letters:
        s = _trim(raw).lower()
        if s == ctx.letters:
            return float(ctx.target)
        inner = _letter_value(s)
        if inner is not None:
            return inner
    head = t[:len(t) - len(w)]
    if ctx.unit and t.endswith(w) and len(w) < len(t) and _unit_ok(w, ctx) \
            and _trim(raw).lower()[:len(head)] == head:  # no space inside the number
        return head
    return INVALID


def _letter_value(s: str) -> str | None:
    """The number text of ``a (80)`` (letters, optional ``+``/``-``, a space, the number
    in brackets, perhaps with ``%``); None when ``s`` is not written so."""
    p = s.find("(")
    if p < 1 or not s.endswith(")"):
        return None
    pre = _trim(s[:p])
    letters = pre[:-1] if len(pre) > 1 and pre[-1] in "+-" else pre
    if not 1 <= len(letters) <= 3 or any(ch not in "abcdefghijklmnopqrstuvwxyz"
                                         for ch in letters):
        return None
    inner = s[p + 1:-1]
    inner = inner.removesuffix("%")
    if inner.startswith(" ") or any(ch not in _NUMBER_CHARS for ch in _trim(inner)):
        return None
    return _trim(inner)


def _unit_ok(w: str, ctx: Context) -> bool:
    k = ctx.unit
    if w == k or (len(w) >= 2 and k.startswith(w)):
        return True
    return ctx.percent and ("%" in w or w in PERCENT_WORDS)


def explicit_percent(t: str, w: str) -> bool:
    """Whether a text realisasi says percent itself (``85%``, ``85 persen``): then a value
    below 1 is meant (``0,5%``), not an unformatted fraction."""
    if t.startswith("rp"):
        return "%" in w
    return t.endswith(w) and ("%" in w or w in PERCENT_WORDS)


def parse_number_text(n: str) -> float | str:
    """The number of ``n`` (digits with ``.`` and ``,``) as Indonesians write it, else
    INVALID: one ``,`` or ``.`` is a decimal point, except one ``.`` followed by exactly
    three digits after something other than 0 (``1.234`` thousands); several of one
    kind group thousands (``12.345.678``, ``1,234,567``); with both, the later one is the
    decimal point and the other groups thousands (``1.234,5``, ``1,234.5``). The value is
    the digits divided by 10^decimals, as the form's formula computes it (both round the
    exact quotient once, like ``float("1234.5")``)."""
    if not n or any(ch not in _NUMBER_CHARS for ch in n):
        return INVALID
    if any(pair in n for pair in ("..", ",,", ".,", ",.")) or n[-1] not in _DIGITS:
        return INVALID
    nd, nc = n.count("."), n.count(",")
    if n[0] not in _DIGITS and nd + nc != 1:
        return INVALID
    ld, lc = n.rfind(".") + 1, n.rfind(",") + 1  # 1-based, 0 when absent
    size = len(n)
    thousands = nc == 0 and nd == 1 and size - ld == 3 and ld > 1 and n[:ld - 1] != "0"
    if nd and nc:
        dec = max(ld, lc)
        if (nc if lc > ld else nd) != 1:
            return INVALID
        group = "." if lc > ld else ","
    else:
        dec = lc if nc == 1 else ld if nd == 1 and not thousands else 0
        group = "," if nc > 1 else "."
    head = n[:dec - 1] if dec else n
    k = head.count(group)
    first = len(head) - 4 * k
    if k and not (1 <= first <= 3 and k <= 4
                  and all(head[first + 4 * j] == group for j in range(k))):
        return INVALID
    digits = n.replace(".", "").replace(",", "")
    if len(digits) > MAX_DIGITS:
        return INVALID
    return int(digits) / 10 ** (size - dec if dec else 0)
