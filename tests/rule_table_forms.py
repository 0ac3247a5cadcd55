"""A form holding one indikator per context of the rule table's cases
(:data:`iki_xlsx.core.rules.RULES`), and those cases laid out as fillings: each filling
puts at most one case into each indikator's TW I cell (shared by the LibreOffice and
Gnumeric tests of the table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from iki_xlsx.core.capaian import capaian_upto
from iki_xlsx.core.model import (
    Aggregation,
    Assignment,
    IKIDefinition,
    Indicator,
    Master,
    PeriodScheme,
    Person,
    Polarity,
    Settings,
    parse_target,
)
from iki_xlsx.core.rules import RULES, Case, Rule, typed_text


@dataclass(frozen=True)
class Placed:
    rule: Rule
    case: Case
    indicator: int  # index into the form's indikator
    filling: int


def contexts() -> list[tuple[str, str, str]]:
    """(polaritas, satuan, target text) of every case, each once, in table order."""
    out: list[tuple[str, str, str]] = []
    for rule in RULES:
        for case in rule.cases:
            key = (case.polaritas, case.satuan, case.target)
            if key not in out:
                out.append(key)
    return out


def master() -> Master:
    inds = []
    for i, (polaritas, satuan, target) in enumerate(contexts(), start=1):
        pol = Polarity(polaritas)
        inds.append(Indicator(str(i), f"Sasaran {i}", f"Indikator {satuan} {target}", "-", "-",
                              satuan, parse_target(target, pol), pol, Aggregation.TERAKHIR))
    iki = IKIDefinition("IKI-TABEL", "Badan Uji", "Penguji", "Menguji", ("Menguji",),
                        "SASARAN", tuple(inds))
    boss = Person("196601072006121003", "Kepala", "Pembina", "IV/a", "Kepala Badan",
                  "Badan Uji", "Badan Uji")
    peg = Person("199001012015031001", "Pegawai Uji", "Penata", "III/c", "Penguji",
                 "Subbagian Uji", "Badan Uji")
    settings = Settings(2025, periode=PeriodScheme.TRIWULAN, tempat="Tenggarong",
                        tanggal=date(2025, 1, 2))
    return Master(settings, [Assignment(peg, "IKI-TABEL", boss.nip, boss)],
                  {"IKI-TABEL": iki})


def placed() -> list[Placed]:
    """Every case of the table, in the filling where its indikator is free."""
    index = {key: i for i, key in enumerate(contexts())}
    used: dict[int, int] = {}
    out = []
    for rule in RULES:
        for case in rule.cases:
            i = index[(case.polaritas, case.satuan, case.target)]
            out.append(Placed(rule, case, i, used.get(i, 0)))
            used[i] = used.get(i, 0) + 1
    return out


def as_typed(case: Case, locale: str) -> object:
    """What the client is told to put in the cell: a case the guides show (and a
    percent-formatted number: ``85%``) is typed as a person types it in that locale; the
    others are stored as they are (text as text, a number as a number, TRUE as a
    boolean)."""
    if (case.shown or case.percent) and not isinstance(case.typed, bool):
        return {"typed": typed_text(case), "locale": locale}
    return case.typed


def expected_capaian(case: Case, form, k: int) -> float | None:
    """The recap's capaian s.d. TW I of indikator ``k`` holding the case as read."""
    if case.problem or case.read is None:
        return None
    ind = form.iki.indicators[k]
    return capaian_upto({"TW1": case.read}, "TW1", ind, form.settings.periode,
                        form.settings.batas_capaian)
