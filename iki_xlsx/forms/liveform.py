"""The form reads its realisasi cells by the rule table: hidden helper cells.

The recap reads every realisasi by the table of :mod:`iki_xlsx.core.rules` (a percent
format multiplies by 100, ``"85,5"`` stored as text is 85.5, ``20 JP`` is 20 where the
SATUAN is JP, ``BB`` is 70 against a target ``BB (70)``, ``1000`` is refused on a percent
indikator with target 90, …). A CAPAIAN formula that looked at the raw cells would
disagree with it, and the pegawai would sign numbers the recap does not use. So each
realisasi cell ``x`` gets helper cells in its row of a very hidden, protected sheet
(``_hitung``; the IKI sheet that collect reads stays as it was), one column each:

* ``T`` — ``x`` as text, lower case, without spaces (``""`` for a number);
* ``W`` — the characters of ``T`` other than digits, ``.`` and ``,`` (a unit, ``%``, …);
* ``N`` — the number part to read (``T`` without its ``%``, its ``Rp``, the indikator's
  unit), the target's number for its letter, or :data:`INVALID`;
* ``M`` — ``N`` with every digit as 0, the shape of the number (``0.000,0``);
* ``A``, ``B`` — how many ``.`` and ``,`` it holds;
* ``D`` — where ``N`` has its decimal point (0: none), or INVALID for a malformed number;
* ``K`` — how many thousands separators ``N`` has before it;
* ``V`` — the value: a number cell as it is (× 100 when formatted as percent; a date
  is INVALID), a text as ``N`` and ``D`` say, ``""`` when blank;
* ``P`` — ``V`` checked like the recap (0 ≤ V ≤ the indikator's limit, not a fraction
  below 1 without ``%`` on a percent indikator), rounded to 10 decimals, else INVALID;
  for ya/tidak the period's capaian (Ya → 100, Tidak → 0; the only helper of such a row).

One ``F`` cell per row counts the INVALID periods. The CAPAIAN formula
(:func:`iki_xlsx.core.capaian.capaian_formula`) aggregates the ``P`` cells and shows a
warning instead of a number while ``F`` > 0. The formulas compute exactly
:func:`iki_xlsx.core.rules.table_reading` (tests recalculate them in LibreOffice and
Gnumeric); they use only functions every spreadsheet evaluates alike, and ``VALUE`` only
ever sees a string of digits, so the result is the same in every locale.

:func:`input_check` is the REALISASI cell's own check (data validation): any text (the
helpers read it), or a number of 0 or more.

Known limit: LibreOffice and Gnumeric report no date format through ``CELL("format")``
for an ISO date (``2025-03-04``), so such a date counts there as its serial number
(usually above the limit, hence a warning); Excel reports it (``D…``) and the form warns.
"""

from __future__ import annotations

from typing import NamedTuple

from ..core.capaian import DEFAULT_CAP, FULL, excel_number
from ..core.rules import INVALID, MAX_DIGITS, MAX_NUMBER_TEXT, PERCENT_WORDS, Context

__all__ = ["HELPERS", "INVALID", "ROW", "HelperCell", "flag_formula", "input_check",
           "period_formulas"]

ROW = "\x00"  # the row number (1-based) in a helper formula's row template


class HelperCell(NamedTuple):
    """One helper formula of the hidden sheet: its row's template (:data:`ROW` for the row
    number: the rows of a form differ only by it, so the writer escapes each template once
    and writes a run of rows as one shared formula) and its cached ``value``."""

    row: int  # 0-based
    col: int
    template: str
    value: object = ""

    @property
    def formula(self) -> str:
        return self.template.replace(ROW, str(self.row + 1))


HELPERS = ("T", "W", "N", "M", "A", "B", "D", "K", "V", "P")  # per period, in order
_BAD = f'"{INVALID}"'
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _without(expr: str, chars: str) -> str:
    for ch in chars:
        expr = f'SUBSTITUTE({expr},"{ch}","")'
    return expr


def period_formulas(x: str, h: dict[str, str], ctx: Context,
                    cap: float = DEFAULT_CAP) -> dict[str, str]:
    """The helper formulas of one period: ``x`` the realisasi cell, ``h`` the helper
    cells by :data:`HELPERS` letter. Only ``P`` for a ya/tidak indikator."""
    if ctx.yes_no:
        return {"P": answer_formula(x, cap)}
    return {"T": f'=IF(ISTEXT({x}),LOWER(SUBSTITUTE({x}," ","")),"")',
            "W": f'=IF({h["T"]}="","",{_without(h["T"], "0123456789.,")})',
            "N": number_text_formula(x, h["T"], h["W"], ctx),
            "M": mask_formula(h["N"]),
            "A": count_formula(h["N"], "."),
            "B": count_formula(h["N"], ","),
            "D": decimal_formula(h["N"], h["M"], h["A"], h["B"]),
            "K": groups_formula(h["N"], h["D"], h["A"], h["B"]),
            "V": value_formula(x, h["N"], h["M"], h["D"], h["K"]),
            "P": checked_formula(x, h["T"], h["W"], h["V"], ctx)}


def number_text_formula(x: str, t: str, w: str, ctx: Context) -> str:
    """``N`` (:func:`iki_xlsx.core.rules.number_text`)."""
    lt, lw = f"LEN({t})", f"LEN({w})"
    suffix = f"RIGHT({t},{lw})={w}"
    head = f"LEFT({t},{lt}-{lw})"
    rest = f"MID({t},3,{lt}-{lw})"
    rp = (f'IF(OR(SUBSTITUTE(MID({w},3,999),"%","")<>"",RIGHT({t},{lw}-2)<>MID({w},3,999)),'
          f'{_BAD},IF(LEFT({rest},1)=".",IF(MID({rest},2,1)=".",{_BAD},MID({rest},2,999)),'
          f'{rest}))')
    expr = _BAD
    if ctx.unit:
        ok = [f'{w}={_q(ctx.unit)}', f'AND({lw}>=2,LEFT({_q(ctx.unit)},{lw})={w})']
        if ctx.percent:
            ok += [f'ISNUMBER(FIND("%",{w}))', *(f'{w}="{word}"' for word in PERCENT_WORDS)]
        spaced = f"LEFT(LOWER(TRIM({x})),{lt}-{lw})={head}"  # no space inside the number
        expr = (f"IF(AND({suffix},{lw}<{lt},{spaced},OR({','.join(ok)})),{head},{expr})")
    if ctx.letters:
        s = f"LOWER(TRIM({x}))"
        expr = (f"IF({s}={_q(ctx.letters)},{excel_number(ctx.target)},"
                f"{letter_value_formula(s, expr)})")
    number = f'OR({w}="",AND(SUBSTITUTE({w},"%","")="",{suffix}))'
    return (f'=IF({t}="","",IF(LEN({x})>{MAX_NUMBER_TEXT},{_BAD},IF(LEFT({t},2)="rp",{rp},'
            f'IF({number},{head},{expr}))))')


def letter_value_formula(s: str, otherwise: str) -> str:
    """The number text of ``A (80)`` in ``s`` (trimmed, lower case), else ``otherwise``
    (:func:`iki_xlsx.core.rules._letter_value`)."""
    p = f'FIND("(",{s})'
    pre = f"TRIM(LEFT({s},{p}-1))"
    sign = f'AND(LEN({pre})>1,OR(RIGHT({pre},1)="+",RIGHT({pre},1)="-"))'
    letters = f"IF({sign},LEFT({pre},LEN({pre})-1),{pre})"
    each = ",".join(f'OR(LEN({letters})<{i},ISNUMBER(FIND(MID({letters},{i},1),"{_LETTERS}")))'
                    for i in (1, 2, 3))
    inner = f"MID({s},{p}+1,LEN({s})-{p}-1)"
    bare = f'IF(RIGHT({inner},1)="%",LEFT({inner},LEN({inner})-1),{inner})'
    shape = (f'AND({p}>1,RIGHT({s},1)=")",LEN({letters})>=1,LEN({letters})<=3,{each},'
             f'LEFT({bare},1)<>" ",{_without(f"TRIM({bare})", "0123456789.,")}="")')
    return f"IF(IFERROR({shape},FALSE),TRIM({bare}),{otherwise})"


def mask_formula(n: str) -> str:
    """``M``: the number text ``n`` with every digit as 0 (``1.234,5`` → ``0.000,0``): the
    shape of a number, for the checks of ``D`` and ``V``."""
    return f'=IF(ISTEXT({n}),{_zeros(n)},"")'


def _zeros(expr: str) -> str:
    for digit in "123456789":
        expr = f'SUBSTITUTE({expr},"{digit}","0")'
    return expr


def count_formula(n: str, ch: str) -> str:
    """``A`` (``ch`` ".") and ``B`` (","): how many of ``ch`` the number text holds."""
    return f'=IF(ISTEXT({n}),LEN({n})-LEN(SUBSTITUTE({n},"{ch}","")),0)'


def decimal_formula(n: str, m: str, dots: str, commas: str) -> str:
    """``D``: the 1-based place of the decimal point in the number text ``n`` (0: none),
    or INVALID when ``n`` is not a well-formed number (separators side by side, at either
    end, a decimal point twice or before a thousands separator) — the first half of
    :func:`iki_xlsx.core.rules.parse_number_text`; ``m`` is ``n``'s mask (``M``), ``dots``
    and ``commas`` its counts of ``.`` and ``,`` (``A``, ``B``)."""
    size = f"LEN({n})"
    fd, fc = f'FIND(".",{n}&".")', f'FIND(",",{n}&",")'  # n + 1 when absent: no error
    pairs = ",".join(f'ISERROR(FIND("{p}",{n}))' for p in ("..", ",,", ".,", ",."))
    shape = (f'AND({size}>0,{pairs},RIGHT({m},1)="0",'
             f'OR(LEFT({m},1)="0",{dots}+{commas}=1))')
    both = (f'IF(AND({commas}=1,FIND(".",{n}&".",{fc})>{size}),{fc},'
            f'IF(AND({dots}=1,FIND(",",{n}&",",{fd})>{size}),{fd},{_BAD}))')
    thousands = f'AND({size}-{fd}=3,{fd}>1,LEFT({n},{fd}-1)<>"0")'  # 1.234 (one dot)
    dec = (f"IF(AND({dots}>0,{commas}>0),{both},IF({commas}>0,IF({commas}=1,{fc},0),"
           f"IF({dots}=1,IF({thousands},0,{fd}),0)))")
    return (f'=IF(OR(ISNUMBER({n}),{n}=""),"",IF({n}={_BAD},{_BAD},'
            f'IFERROR(IF({shape},{dec},{_BAD}),{_BAD})))')


def groups_formula(n: str, d: str, dots: str, commas: str) -> str:
    """``K``: how many thousands separators ``n`` holds before its decimal point ``d``
    (all of the other kind when it has one, else all of its separators)."""
    return (f'=IF(OR({d}="",{d}={_BAD}),"",IF({d}>0,IF(MID({n},{d},1)=",",{dots},{commas}),'
            f'{dots}+{commas}))')


def value_formula(x: str, n: str, m: str, d: str, k: str) -> str:
    """``V``: what the recap reads in ``x`` before its checks (the rest of
    :func:`iki_xlsx.core.rules.parse_number_text`: thousands grouped by threes — the
    mask of the part before the decimal point is ``0…0`` then ``.000`` ``k`` times — at
    most 15 digits, the digits divided by 10^decimals)."""
    fmt = f'LEFT(IFERROR(CELL("format",{x}),"G"),1)'
    head = f"IF({d}>0,{d}-1,LEN({n}))"  # length of the part before the decimal point
    group = f'IF({d}>0,IF(MID({n},{d},1)=",",".",","),IF(ISNUMBER(FIND(",",{n})),",","."))'
    first = f"({head}-4*{k})"
    grouped = (f'IF({k}=0,TRUE,AND({first}>=1,{first}<=3,'
               f'LEFT({m},{head})=REPT("0",{first})&REPT({group}&"000",{k})))')
    digits = f'SUBSTITUTE(SUBSTITUTE({n},".",""),",","")'
    parsed = (f"IFERROR(IF(AND({grouped},LEN({digits})<={MAX_DIGITS}),"
              f"VALUE({digits})/10^IF({d}>0,LEN({n})-{d},0),{_BAD}),{_BAD})")
    return (f'=IF(ISERROR({x}),{_BAD},IF(ISBLANK({x}),"",IF(ISLOGICAL({x}),{_BAD},'
            f'IF(ISNUMBER({x}),IF({fmt}="D",{_BAD},IF({fmt}="P",{x}*100,{x})),'
            f'IF(TRIM({x})="","",IF(ISNUMBER({n}),{n},IF(OR({n}={_BAD},{n}="",{d}={_BAD}),'
            f'{_BAD},{parsed})))))))')


def checked_formula(x: str, t: str, w: str, v: str, ctx: Context) -> str:
    """``P``: ``V`` within 0 … the indikator's limit and, on a percent indikator with a
    target of 10 or more, not a fraction below 1 unless it says percent itself."""
    bad = [f"{v}<0", f"{v}>{excel_number(ctx.limit)}"]
    if ctx.fraction_check:
        said = (f'IF(LEFT({t},2)="rp",ISNUMBER(FIND("%",{w})),AND(RIGHT({t},LEN({w}))={w},'
                f'OR(ISNUMBER(FIND("%",{w})),'
                + ",".join(f'{w}="{word}"' for word in PERCENT_WORDS) + ")))")
        explicit = (f'IF(ISNUMBER({x}),LEFT(IFERROR(CELL("format",{x}),"G"),1)="P",'
                    f'{said})')
        bad.append(f"AND({v}>0,{v}<1,NOT({explicit}))")
    return f'=IF(ISNUMBER({v}),IF(OR({",".join(bad)}),{_BAD},ROUND({v},10)),{v})'


def answer_formula(x: str, cap: float = DEFAULT_CAP) -> str:
    """``P`` of a ya/tidak indicator: the period's capaian, ``""`` or INVALID."""
    full = excel_number(min(cap, FULL))
    a = f"LOWER(TRIM({x}))"
    return (f'=IF(ISERROR({x}),{_BAD},IF(ISBLANK({x}),"",'
            f'IF(ISLOGICAL({x}),IF({x},{full},0),IF(ISNUMBER({x}),{_BAD},'
            f'IF(TRIM({x})="","",IF({a}="ya",{full},IF({a}="tidak",0,{_BAD})))))))')


def flag_formula(checked: list[str]) -> str:
    """``F``: how many periods hold a value the recap would refuse or reinterpret. Always
    a number: a lone comparison would be a boolean, and Excel and Gnumeric rank FALSE
    above every number (FALSE > 0 is TRUE)."""
    return "=0+" + "+".join(f'({p}={_BAD})' for p in checked)


def input_check(x: str) -> str:
    """The data validation of a numeric REALISASI cell ``x`` (relative): any text — the
    helpers read it by the table, in any locale — or a number of 0 or more. Refused as
    typed: a negative number, TRUE/FALSE; the helpers warn for the rest the table
    refuses (an implausible number, an unformatted fraction on a percent indikator)."""
    return f"=OR(ISTEXT({x}),AND(ISNUMBER({x}),{x}>=0))"
