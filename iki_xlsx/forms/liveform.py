"""The form reads its realisasi cells as the recap does: hidden helper cells.

The recap reads every realisasi through :func:`iki_xlsx.core.values.parse_realisasi`: a
percent-formatted 0.9 is 90, ``"85,5"`` stored as text is 85.5, ``" Ya "`` is Ya, a cell
holding only spaces is blank, and a negative, absurd or unreadable value is refused. A
CAPAIAN formula that looked at the raw cells would disagree with it on all of these, and
the pegawai would sign numbers the recap does not use. So each realisasi cell ``x`` gets
three helper cells in the same row of a very hidden, protected sheet (``_hitung``; the IKI
sheet that collect reads stays as it was):

* ``T`` — ``x`` as text without spaces and without one trailing ``%`` (``""`` for a
  number);
* ``V`` — the value the recap reads: a number (a percent format multiplies by 100; text
  is parsed as Indonesians write it: ``85``, ``85,5``, ``85.5``, ``1.234``, ``1.234,5``,
  ``85%``), ``""`` when blank-looking, or :data:`INVALID`;
* ``P`` — ``V`` checked like the recap (0 ≤ V ≤ the absurd limit, rounded to 10 decimals),
  else :data:`INVALID`; for ya/tidak it is the period's capaian (Ya → 100, Tidak → 0).

and one ``F`` cell per row counts the INVALID periods. The CAPAIAN formula
(:func:`iki_xlsx.core.capaian.capaian_formula`) aggregates the ``P`` cells, and shows a warning
instead of a number while ``F`` > 0. Text the helpers do not parse (``Rp 1.500.000``,
``+85``, tabs, non-breaking spaces) is INVALID too: the recap may read it, but the form
warns instead of showing a number — never a different one.

:func:`form_reading` is the same reading in Python (the tests hold the formulas, as
recalculated by LibreOffice and Gnumeric, to it, and it to ``values.py``).

Known limit: LibreOffice and Gnumeric report no date format through ``CELL("format")``,
so a date typed into a realisasi cell counts there as its serial number (usually above
the absurd limit, hence a warning); Excel reports it (``D…``) and the form warns.
"""

from __future__ import annotations

import math

from ..core.capaian import DEFAULT_CAP, FULL, excel_number, parse_answer
from ..core.model import Polarity

INVALID = "!"  # a helper's value for a realisasi the recap would refuse or reinterpret

_DIGITS_AND_SEPARATORS = "0123456789.,"


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def text_formula(x: str) -> str:
    """``T``: the text of ``x`` without spaces and one trailing ``%``; ``""`` otherwise."""
    s = f'SUBSTITUTE({x}," ","")'
    return f'=IF(ISTEXT({x}),IF(RIGHT({s},1)="%",LEFT({s},LEN({s})-1),{s}),"")'


def _parse_text(t: str) -> str:
    """Number in text ``t``, else INVALID. ``t`` may hold digits and one ``.`` and/or one
    ``,`` (``85``, ``85,5``, ``85.5``, ``1.234`` thousands, ``1.234,5``), not at either
    end. The value is the digits without separators divided by 10^(decimals): VALUE only
    ever sees a string of digits, so the result is the same in every locale, and equals
    Python's ``float("85.5")`` (both round the exact quotient once). The digits check:
    ``"1" & digits`` reads back as itself (no exponent, sign, date, time or currency)."""
    n = f"LEN({t})"
    pd, pc = f'FIND(".",{t}&".")', f'FIND(",",{t}&",")'  # n + 1 when absent: no error
    digits = f'SUBSTITUTE(SUBSTITUTE({t},".",""),",","")'
    only_digits = f'("1"&{digits})=(VALUE("1"&{digits})&"")'
    single = f'ISERROR(FIND(".",{t},{pd}+1)),ISERROR(FIND(",",{t},{pc}+1))'
    inside = f'{pd}>1,{pc}>1,{pd}<>{n},{pc}<>{n}'  # no separator at either end
    thousands = f'AND({pc}>{n},{n}-{pd}=3,LEFT({t},{pd}-1)<>"0")'  # 1.234 (or 1.2345…)
    ok = (f'AND({only_digits},{single},{inside},'
          f'OR({pc}>{n},{pd}>{n},AND({pc}-{pd}=4,{pd}<5)),OR(NOT({thousands}),{pd}<5))')
    decimals = f'IF({pc}<={n},{n}-{pc},IF(AND({pd}<={n},NOT({thousands})),{n}-{pd},0))'
    return f'IF({ok},VALUE({digits})/10^{decimals},"{INVALID}")'


def value_formula(x: str, t: str) -> str:
    """``V`` of a numeric indicator: what the recap reads in ``x`` (``t`` is its ``T``)."""
    percent = f'LEFT(IFERROR(CELL("format",{x}),"G"),1)="P"'
    return (f'=IF(ISERROR({x}),"{INVALID}",IF(ISBLANK({x}),"",'
            f'IF(ISLOGICAL({x}),"{INVALID}",'
            f'IF(ISNUMBER({x}),IF({percent},{x}*100,{x}),'
            f'IF(TRIM({x})="","",IFERROR({_parse_text(t)},"{INVALID}"))))))')


def checked_formula(v: str, limit: float) -> str:
    """``P`` of a numeric indicator: ``V`` when 0 ≤ V ≤ ``limit``."""
    return (f'=IF(ISNUMBER({v}),IF(OR({v}<0,{v}>{excel_number(limit)}),"{INVALID}",'
            f'ROUND({v},10)),{v})')


def answer_formula(x: str, cap: float = DEFAULT_CAP) -> str:
    """``P`` of a ya/tidak indicator: the period's capaian, ``""`` or INVALID."""
    full = excel_number(min(cap, FULL))
    a = f"LOWER(TRIM({x}))"
    return (f'=IF(ISERROR({x}),"{INVALID}",IF(ISBLANK({x}),"",'
            f'IF(ISLOGICAL({x}),IF({x},{full},0),IF(ISNUMBER({x}),"{INVALID}",'
            f'IF(TRIM({x})="","",IF({a}="ya",{full},IF({a}="tidak",0,"{INVALID}")))))))')


def flag_formula(checked: list[str]) -> str:
    """``F``: how many periods hold a value the recap would refuse or reinterpret. Always
    a number: a lone comparison would be a boolean, and Excel and Gnumeric rank FALSE
    above every number (FALSE > 0 is TRUE)."""
    return "=0+" + "+".join(f'({p}="{INVALID}")' for p in checked)


def row_formulas(inputs: list[str], helpers: list[tuple[str, str, str]],
                 polaritas: Polarity, limit: float, cap: float = DEFAULT_CAP
                 ) -> list[tuple[str, str] | None]:
    """(T, V, P) formulas for each period's input cell; T and V are None (cell left
    empty) for a ya/tidak indicator."""
    out = []
    for x, (t, v, _p) in zip(inputs, helpers):
        if Polarity(polaritas) is Polarity.YA_TIDAK:
            out.append((None, None, answer_formula(x, cap)))
        else:
            out.append((text_formula(x), value_formula(x, t), checked_formula(v, limit)))
    return out


# --------------------------------------------------------------------------- in Python

def _text_value(raw: str) -> float | str | None:
    s = raw.replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        return None if not raw.strip(" ") else INVALID
    if any(ch not in _DIGITS_AND_SEPARATORS for ch in s) or s[0] in ".," or s[-1] in ".,":
        return INVALID
    if len(s.replace(".", "").replace(",", "")) > 14:  # "1" & digits: over 15 digits
        return INVALID  # no longer reads back as itself
    n, dots, commas = len(s), s.count("."), s.count(",")
    pd, pc = s.find(".") + 1 or n + 1, s.find(",") + 1 or n + 1  # FIND(".", s & ".")
    thousands = dots == 1 and commas == 0 and n - pd == 3 and s[:pd - 1] != "0"
    if dots > 1 or commas > 1 or (dots + commas == 2 and not (pc - pd == 4 and pd < 5)) \
            or (thousands and pd >= 5):
        return INVALID
    decimals = n - pc if commas == 1 else n - pd if dots == 1 and not thousands else 0
    return int(s.replace(".", "").replace(",", "")) / 10 ** decimals


def form_reading(raw: object, *, percent: bool = False, yes_no: bool = False,
                 limit: float = math.inf, cap: float = DEFAULT_CAP) -> float | str | None:
    """What the helper ``P`` shows for a cell holding ``raw`` (as a value reader sees it:
    None, float, str, bool; ``percent``: the cell's number format shows percent): a
    number, None for blank, or :data:`INVALID`."""
    if raw is None:
        return None
    if yes_no:
        if isinstance(raw, bool):
            return min(cap, FULL) if raw else 0.0
        if isinstance(raw, (int, float)):
            return INVALID
        if not str(raw).strip(" "):
            return None
        answer = parse_answer(str(raw).strip(" ").lower())
        if str(raw).strip(" ").lower() not in ("ya", "tidak"):
            return INVALID
        return min(cap, FULL) if answer else 0.0
    if isinstance(raw, bool):
        return INVALID
    if isinstance(raw, (int, float)):
        value: float | str | None = float(raw) * 100 if percent else float(raw)
    elif not str(raw).strip(" "):
        return None
    else:
        value = _text_value(str(raw))
    if value is None or value == INVALID:
        return value
    if value < 0 or value > limit:
        return INVALID
    return round(value, 10)
