"""The numbered header of an IKI document: ``1. PERANGKAT DAERAH : …``, ``2. JABATAN : …``,
``3. TUGAS : …``, ``4. FUNGSI : a. … b. …``.

Labels are recognised with typos (``PERANOKAT DAERAH``), with or without numbers or
bullets, followed by ``:`` or a tab, in markdown tables (``| 2. JABATAN | : … |``) and in
the layout where all labels come first and the ``: value`` lines follow in the same
order. A value continues on the following lines until the next label or the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from .cleanup import clean_cell, squash
from .words import Vocabulary

# field → accepted label spellings (upper case, letters and spaces only)
LABELS: dict[str, tuple[str, ...]] = {
    "perangkat_daerah": ("PERANGKAT DAERAH", "NAMA PERANGKAT DAERAH", "OPD", "SKPD",
                         "INSTANSI", "ORGANISASI PERANGKAT DAERAH", "SATUAN KERJA"),
    "unit_kerja": ("UNIT KERJA",),
    "jabatan": ("JABATAN", "NAMA JABATAN"),
    "tugas": ("TUGAS", "TUGAS POKOK", "URAIAN TUGAS", "IKHTISAR JABATAN"),
    "fungsi": ("FUNGSI",),
    "nama": ("NAMA", "NAMA PEGAWAI"),
    "nip": ("NIP",),
    "pangkat": ("PANGKAT", "PANGKAT GOL", "PANGKAT GOL RUANG", "PANGKAT GOLONGAN", "GOLONGAN"),
    "indikator": ("INDIKATOR KINERJA",),  # "4. Indikator Kinerja :" just before the table
}
_PREFIX = re.compile(r"^\s*(?:[-•*]\s*)?(?:(?P<num>\d{1,2}|[IVX]{1,4})\s*[.)]\s*)?")
_ITEM = re.compile(r"^\s*(?P<bullet>[-•*·▪]\s*)?(?:(?P<mark>[a-zA-Z]|\d{1,2})(?:[.)]\s*|\s+(?=\S))"
                   r"(?=[A-Za-z\"'(])|(?P<only>))")


@lru_cache(maxsize=2048)
def match_label(text: str) -> str | None:
    """The header field a label names, tolerating typos; None when it is no label."""
    key = re.sub(r"[^A-Z ]+", " ", text.upper())
    key = re.sub(r"\s+", " ", key).strip()
    if not key or len(key.split()) > 4:
        return None
    best, score = None, 0.0
    for name, aliases in LABELS.items():
        for alias in aliases:
            if key == alias:
                return name
            if key.startswith(alias + " ") and len(key.split()) <= len(alias.split()) + 1:
                s = 0.95
            elif len(alias) >= 5:
                s = SequenceMatcher(None, key, alias).ratio()
            else:
                continue
            if s > score:
                best, score = name, s
    return best if score >= 0.85 else None


def parse_label_line(line: str, cells: list[str] | None) -> tuple[str, str | None] | None:
    """(field, value) when ``line`` starts a header field; value None for a bare label.

    ``1. PERANGKAT DAERAH : X`` · ``- Jabatan : X`` · ``FUNGSI :`` · ``JABATAN<tab>X`` ·
    ``| 2. JABATAN | : X |`` · ``1. PERANGKAT DAERAH`` (label alone, value later).
    """
    if cells is not None:
        filled = [c.strip() for c in cells if c.strip()]
        if len(filled) > 1 and _PREFIX.fullmatch(filled[0]):  # "1." <tab> "JABATAN"
            filled = [f"{filled[0]} {filled[1]}", *filled[2:]]
        if not filled or len(filled) > 4:
            return None
        first = filled[0][_PREFIX.match(filled[0]).end():]
        if ":" in first.rstrip(": "):
            return parse_label_line(" ".join(filled), None)
        name = match_label(first.rstrip(": "))
        if not name:
            return None
        rest = " ".join(filled[1:]).strip()
        rest = rest[1:].strip() if rest.startswith(":") else rest
        return name, rest or None
    m = _PREFIX.match(line)
    body = line[m.end():]
    if ":" in body:
        label, value = body.split(":", 1)
        name = match_label(label)
        if name:
            return name, value.strip() or None
        return None
    if m["num"] and len(body.split()) <= 4:
        name = match_label(body)
        if name:
            return name, None
    return None


_TITLE = re.compile(r"INDIKATOR\s+KINERJA\s+(?:INDIVIDU\w*|UTAMA|PEGAWAI)", re.I)


def title_year(line: str) -> int | None | bool:
    """False when ``line`` is no IKI title; else the year it names (or None)."""
    m = _TITLE.search(line)
    if not m:
        return False
    rest = line[:m.start()] + " " + line[m.end():]
    year = re.search(r"\b((?:19|20)\d{2})\b", rest)
    rest = re.sub(r"\(?\bIK[IU]\b\)?|\bTAHUN\b|\b(?:19|20)\d{2}\b|[^\w\s]", " ", rest, flags=re.I)
    if len(rest.split()) > 3:
        return False  # prose mentioning IKI, e.g. a decree's "tentang … Indikator Kinerja …"
    return int(year[1]) if year else None


@dataclass
class HeaderFields:
    """Lines collected per header field, with the line number each field started on."""

    lines: dict[str, list[str]] = field(default_factory=dict)
    line_of: dict[str, int] = field(default_factory=dict)
    vocab: Vocabulary | None = None  # joins a value's wrapped lines (Perundang-/Undangan)
    _current: str | None = None
    _pending: list[str] = field(default_factory=list)

    def __contains__(self, name: str) -> bool:
        return bool(self.lines.get(name))

    def label(self, name: str, value: str | None, line_no: int) -> None:
        self.line_of.setdefault(name, line_no)
        self.lines.setdefault(name, [])
        self._current = name
        if value is None:
            if name not in self._pending:
                self._pending.append(name)
        else:
            self._add(name, value)

    def content(self, text: str) -> None:
        """A line after a label: a ``: value`` of a queued label, or a continuation."""
        text = text.strip()
        value_line = text.startswith(":") or re.match(r"^[-•]\s*:", text)
        text = re.sub(r"^[-•]?\s*:\s*", "", text) if value_line else text
        if not text:
            return
        current = self._current
        if value_line and self._pending:
            current = self._pending[0]
        elif current is not None and self.lines.get(current) and self._pending and _ITEM.match(
                text)["mark"]:
            current = self._pending[0]
        elif current is None:
            return
        self._current = current
        self._add(current, text)

    def _add(self, name: str, text: str) -> None:
        text = re.sub(r"\s*\|\s*$", "", text)  # the end of a markdown table cell
        if text:
            self.lines[name].append(text)
            if name in self._pending:
                self._pending.remove(name)

    def text(self, name: str) -> str:
        """A one-line field (perangkat daerah, jabatan, NIP …)."""
        return squash(clean_cell(join_lines(self.lines.get(name, ()), self.vocab)))

    def items(self, name: str) -> list[str]:
        """A list field (fungsi, tugas) split into its items, markers removed."""
        return split_items(self.lines.get(name, ()), self.vocab)


def join_lines(lines, vocab: Vocabulary | None) -> str:
    """Wrapped lines as one text (``vocab`` decides a line-end hyphen)."""
    out = ""
    for line in lines:
        out = vocab.join(out, line.strip()) if vocab is not None else f"{out} {line}"
    return out


def split_items(lines: list[str] | tuple[str, ...], vocab: Vocabulary | None = None
                ) -> list[str]:
    """Split lettered/numbered/bulleted lines into items; sub-items (``1 …`` under
    ``e …:``) are appended to their parent; unmarked lines continue the previous item.

    A first marker other than ``a``/``1``/a bullet after unmarked text does not start a
    list, so a wrapped line that happens to start with ``4. ORGANISASI`` stays part of
    the text it continues.
    """
    items: list[str] = []
    kind = None  # "letter", "number" or "bullet": the list's own markers
    last = 0  # last marker value of that kind
    sub = False  # inside the sub-items of the last item
    for part in (p for raw in lines for p in _inline_items(raw)):
        m = _ITEM.match(part)
        mark = m["mark"]
        mkind = ("number" if mark and mark.isdigit() else "letter" if mark
                 else "bullet" if m["bullet"] else None)
        value = int(mark) if mark and mark.isdigit() else ord(mark.lower()) - 96 if mark else 0
        body = part[m.end():].strip() if mkind else part.strip()
        if mkind is None:
            new = not items
        elif kind is None:
            new = not items or mkind == "bullet" or value == 1
            if new:
                kind = mkind
        elif mkind == kind:
            new, sub = True, False
        elif items and (sub or items[-1].rstrip().endswith(":")):
            items[-1] = f"{items[-1]} {mark + ')' if mark else '-'} {body}"
            sub = True
            continue
        else:
            new = True
        if new:
            items.append(body)
            last = value or last
        else:
            items[-1] = (vocab.join(items[-1], part.strip()) if vocab is not None
                         else f"{items[-1]} {part.strip()}")
    return [t for t in (_tidy(i) for i in items) if t]


def _inline_items(line: str) -> list[str]:
    """``a. foo; b. bar`` typed on one line → two parts (only with ``;`` before a letter)."""
    parts = re.split(r"(?<=;)\s+(?=[b-z][.)]\s)", clean_cell(line) if "<" in line or "$" in line
                     else squash(line))
    return [p for p in parts if p]


def _tidy(item: str) -> str:
    item = squash(item)
    item = re.sub(r"\s*[;,]\s*(?:dan|atau)?\s*$", "", item, flags=re.I)
    return item.strip()
