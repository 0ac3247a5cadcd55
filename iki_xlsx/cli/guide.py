"""Parts of the guides are generated so they never drift, each between two markers:

* PANDUAN.md lists every problem a master or a returned file can have, with what to do,
  from the catalogue (``problems.py`` and ``templates/pesan.yaml``);
* PANDUAN.md and PETUNJUK-PEGAWAI.md show the rule table of how a realisasi is read
  (:mod:`iki_xlsx.core.rules`, wording in ``templates/aturan.yaml``) — the table the
  form's Petunjuk sheet and input messages show too;
* PANDUAN.md says how capaian is computed (``templates/capaian.yaml``), its worked
  examples computed by :mod:`iki_xlsx.core.capaian`.

A test checks the guides hold exactly what this module writes.

    python -m iki_xlsx.cli.guide            # rewrite the generated parts of both guides
    python -m iki_xlsx.cli.guide --check    # exit 1 when a guide is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jinja2

from ..core.capaian import DEFAULT_CAP, aggregate, capaian, capaian_upto
from ..core.model import (
    Aggregation,
    Indicator,
    MidYear,
    PeriodScheme,
    Polarity,
    Target,
    format_number,
)
from ..core.predikat import LIMA
from ..core.problems import KINDS, Severity
from ..core.rules import rule_lines
from ..core.texts import Texts


def markers(name: str) -> tuple[str, str]:
    """The begin and end markers of the generated block ``name``."""
    begin = (f"<!-- {name}: mulai (dibuat oleh `python -m iki_xlsx.cli.guide`; jangan "
             f"disunting) -->")
    return begin, f"<!-- {name}: selesai -->"


BEGIN, END = markers("daftar-masalah")
RULES_BEGIN, RULES_END = markers("aturan-realisasi")
CAPAIAN_BEGIN, CAPAIAN_END = markers("aturan-capaian")
# KINDS keeps the catalogue's order: the master's problems, then those of returned files
# (from this code on).
FIRST_FILE_CODE = "berkas_kosong"
GUIDE = Path(__file__).resolve().parents[2] / "PANDUAN.md"
STAFF = GUIDE.with_name("PETUNJUK-PEGAWAI.md")


class _Blank(jinja2.Undefined):
    """A placeholder in a message template, shown as "…" (and taken as present)."""

    def __str__(self) -> str:
        return "…"

    def __bool__(self) -> bool:
        return True

    def __iter__(self):
        return iter(["…"])

    def __eq__(self, other) -> bool:
        return False

    def __ne__(self, other) -> bool:
        return True

    __hash__ = jinja2.Undefined.__hash__


def _env() -> jinja2.Environment:
    env = jinja2.Environment(undefined=_Blank, autoescape=False)
    env.filters["nip"] = env.filters["angka"] = lambda v: str(v)
    return env


def sections(texts: Texts | None = None) -> list[tuple[str, list[str]]]:
    """(title key, codes) of the three lists: master, rejected file, file with a note."""
    codes = list(KINDS)
    start = codes.index(FIRST_FILE_CODE)
    master, files = codes[:start], codes[start:]
    return [("master", master),
            ("ditolak", [c for c in files if KINDS[c] is Severity.ERROR]),
            ("catatan", [c for c in files if KINDS[c] is Severity.WARNING])]


def problem_list(texts: Texts | None = None) -> str:
    """The generated Markdown between the markers (markers included)."""
    texts = texts or Texts()  # the bundled texts, whatever IKI_XLSX_TEMPLATES says
    env = _env()
    source = texts._source  # the catalogue's raw templates (overrides applied)

    def render(key: str) -> str:
        text = env.from_string(source[key]).render().strip()
        return " ".join(text.split()).replace("|", "\\|")

    out = [BEGIN, ""]
    for title, codes in sections(texts):
        out.append(f"### {texts.t(f'panduan.judul.{title}')}")
        out.append("")
        out.append(texts.t(f"panduan.pengantar.{title}"))
        out.append("")
        for code in codes:
            line = f"- **`{code}`** — {render(f'masalah.{code}')}"
            if f"masalah.{code}_saran" in source:
                line += f" *{texts.t('panduan.tindakan')}:* {render(f'masalah.{code}_saran')}"
            out.append(line)
        out.append("")
    out.append(END)
    return "\n".join(out)


def rule_table(texts: Texts | None = None) -> str:
    """The generated Markdown of the rule table (markers included)."""
    texts = texts or Texts()
    out = [RULES_BEGIN, "", texts.t("aturan.pengantar"), ""]
    out += [f"- **{title}** — {text}" for title, text in rule_lines(texts, markdown=True)]
    out += ["", texts.t("aturan.penutup"), RULES_END]
    return "\n".join(out)


def capaian_rules(texts: Texts | None = None) -> str:
    """The generated Markdown of how capaian is computed (markers included), with worked
    examples computed by :mod:`iki_xlsx.core.capaian` itself."""
    texts = texts or Texts()
    tw = PeriodScheme.TRIWULAN
    maks, mins, rent = Polarity.MAKSIMAL, Polarity.MINIMAL, Polarity.RENTANG
    twelve, four = Target("12", value=12.0), Target("4", value=4.0)
    laporan = Indicator("1", "", "", "", "", "laporan", twelve, maks, Aggregation.JUMLAH)

    def n(x: float) -> str:
        return format_number(round(x, 2))

    params = {
        "maksimal": {"hasil": n(capaian(9, twelve, maks))},
        "minimal": {"hasil": n(capaian(5, four, mins)), "batas": n(DEFAULT_CAP),
                    "tanpa_batas": n(capaian(2, four, mins, cap=1000))},
        "rentang": {"atas": n(capaian(95, Target("80 - 90", low=80.0, high=90.0), rent)),
                    "bawah": n(capaian(72, Target("80 - 90", low=80.0, high=90.0), rent))},
        "batas": {"batas": n(DEFAULT_CAP)},
        "agregasi": {k: n(aggregate([60, 80], a)) for k, a in (
            ("jumlah", Aggregation.JUMLAH), ("rata", Aggregation.RATA_RATA),
            ("akhir", Aggregation.TERAKHIR))},
        "proporsional": {"tw1": n(capaian_upto({"TW1": 3}, "TW1", laporan, tw)),
                         "tahunan": n(capaian_upto({"TW1": 3}, "TW1", laporan, tw,
                                                   midyear=MidYear.TAHUNAN))},
        "berhenti": {"hasil": n(capaian_upto({"TW1": 3}, "TW2", laporan, tw,
                                             target_period="TW2"))},
        "rata_rata": {"skala": LIMA.describe()},
    }
    keys = ("maksimal", "minimal", "rentang", "ya_tidak", "nol", "batas", "kosong",
            "agregasi", "periode", "proporsional", "berhenti", "rata_rata")
    out = [CAPAIAN_BEGIN, "", texts.t("capaian_aturan.pengantar"), ""]
    out += [f"- {texts.t(f'capaian_aturan.{k}', **params.get(k, {}))}" for k in keys]
    out += ["", CAPAIAN_END]
    return "\n".join(out)


def updated(text: str, texts: Texts | None = None) -> str:
    """``text`` (a guide) with each generated block it holds written anew."""
    found = False
    for (begin, end), block in (((BEGIN, END), problem_list),
                                ((RULES_BEGIN, RULES_END), rule_table),
                                ((CAPAIAN_BEGIN, CAPAIAN_END), capaian_rules)):
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            _, tail = rest.split(end, 1)
            text, found = head + block(texts) + tail, True
    if not found:
        raise ValueError("markers of a generated block not found")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m iki_xlsx.cli.guide",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the guide is up to date (exit 1 if not)")
    parser.add_argument("--guide", type=Path, action="append",
                        help="a guide to check or rewrite (default: both)")
    args = parser.parse_args(argv)
    stale = 0
    for guide in args.guide or (GUIDE, STAFF):
        text = guide.read_text(encoding="utf-8")
        new = updated(text)
        if new == text:
            continue
        if args.check:
            print(f"{guide}: bagian yang dibuat otomatis usang; jalankan "
                  f"python -m iki_xlsx.cli.guide")
            stale = 1
        else:
            guide.write_text(new, encoding="utf-8", newline="\n")
            print(f"{guide}: bagian yang dibuat otomatis diperbarui")
    return stale


if __name__ == "__main__":
    sys.exit(main())
