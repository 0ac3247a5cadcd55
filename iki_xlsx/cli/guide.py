"""The officer's guide (PANDUAN.md) lists every problem a master or a returned file can
have, with what to do. That list is generated from the catalogue (``problems.py`` and
``templates/pesan.yaml``) so it never drifts: this module writes it between two markers
of the guide, and a test checks the guide holds exactly what it writes.

    python -m iki_xlsx.cli.guide            # rewrite the list in PANDUAN.md
    python -m iki_xlsx.cli.guide --check    # exit 1 when PANDUAN.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jinja2

from ..core.problems import KINDS, Severity
from ..core.texts import Texts

BEGIN = "<!-- daftar-masalah: mulai (dibuat oleh `python -m iki_xlsx.cli.guide`; jangan disunting) -->"
END = "<!-- daftar-masalah: selesai -->"
# KINDS keeps the catalogue's order: the master's problems, then those of returned files
# (from this code on).
FIRST_FILE_CODE = "berkas_kosong"
GUIDE = Path(__file__).resolve().parents[2] / "PANDUAN.md"


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


def updated(text: str, texts: Texts | None = None) -> str:
    """``text`` (the guide) with its problem list replaced by :func:`problem_list`."""
    if BEGIN not in text or END not in text:
        raise ValueError("markers of the problem list not found")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + problem_list(texts) + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m iki_xlsx.cli.guide",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the guide is up to date (exit 1 if not)")
    parser.add_argument("--guide", type=Path, default=GUIDE)
    args = parser.parse_args(argv)
    text = args.guide.read_text(encoding="utf-8")
    new = updated(text)
    if args.check:
        if new != text:
            print(f"{args.guide}: daftar masalah usang; jalankan python -m iki_xlsx.cli.guide")
            return 1
        return 0
    if new != text:
        args.guide.write_text(new, encoding="utf-8", newline="\n")
        print(f"{args.guide}: daftar masalah diperbarui")
    return 0


if __name__ == "__main__":
    sys.exit(main())
