"""The indicator table of an IKI document: recognise its header, split lines into cells,
repair rows the PDF extraction broke or shifted, and resolve NO/sasaran spans.

Rows arrive as tab-separated or markdown (``| … |``) lines. Column titles vary
(``SASARAN AKTIVITAS``, ``Sasaran/ Kinerja Utama``, ``PENJELASAN (FORMULASI PERHITUNGAN)``,
``Cara Perhitungan / Penjelasan``, ``RUMUS``…) and carry typos (``SABARAN``,
``PERTHITUNGAN``), so titles are matched word by word with a similarity threshold, and a
title that matches nothing takes the role its position implies. Anything the reader is not
sure of is reported as an :class:`~.issues.Issue`, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from .cleanup import clean_cell, squash
from .issues import Issue

FIELDS = ("no", "sasaran", "indikator", "penjelasan", "sumber_data", "target", "satuan")

# Title words per column kind, checked in this order (first recognised word of a title wins).
_TITLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sasaran", ("SASARAN",)),
    ("indikator", ("INDIKATOR",)),
    ("penjelasan", ("PENJELASAN", "FORMULASI", "PERHITUNGAN", "PENGHITUNGAN", "RUMUS", "CARA",
                    "DEFINISI", "FORMULA", "METODE")),
    ("sumber_data", ("SUMBER",)),
    ("target", ("TARGET",)),
    ("satuan", ("SATUAN",)),
    ("lain", ("KETERANGAN", "REALISASI", "CAPAIAN", "BOBOT", "KET")),
)
_EXACT = ("INDIKATOR", "SASARAN", "SUMBER", "PENJELASAN", "FORMULASI", "TARGET", "SATUAN",
          "RUMUS", "PERHITUNGAN", "NO")
_DEFAULT_LAYOUT = {  # columns of a table found without a title row, by cell count
    4: ("sasaran", "indikator", "penjelasan", "sumber_data"),
    5: ("no", "sasaran", "indikator", "penjelasan", "sumber_data"),
    7: ("no", "sasaran", "indikator", "penjelasan", "target", "satuan", "sumber_data"),
}
_NUMBER = re.compile(r"^\(?(?:\d{1,3}(?:\.\d{1,2})*|[IVX]{1,4}|[a-z])[.)]?\)?$")
_ENUM = re.compile(r"^(\d{1,3})[.)]?\s+(?=\S)")
_SEPARATOR = re.compile(r"^\s*:?-{2,}:?\s*$")
_SIGNATURE = re.compile(r"^\s*(?:NIP\b|[A-Z][A-Za-z .'-]{2,30},\s*\d{1,2}\s+[A-Za-z]+\s+\d{4}|"
                        r"(?:Mengetahui|Menyetujui|Atasan\s+Langsung|Pihak\s+(?:Pertama|Kedua)|"
                        r"Pejabat\s+Penilai|Pegawai\s+yang\s+Dinilai)\b)", re.I)


def split_cells(line: str) -> list[str] | None:
    """Cells of a tab-separated or markdown table line; None for a plain text line."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    s = line.strip()
    if s.startswith("|") and s.count("|") >= 2:
        s = s[1:-1] if s.endswith("|") else s[1:]
        return [c.strip() for c in s.split("|")]
    return None


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


@lru_cache(maxsize=1024)
def title_kind(cell: str) -> str | None:
    """The column kind a header cell names (``no``, ``sasaran``, …, ``lain``), else None."""
    words = re.findall(r"[A-Z]+", clean_cell(cell).upper())
    if not words or len(words) > 7:
        return None
    if words[0] in ("NO", "NOMOR") and len(words) <= 2:
        return "no"
    for word in words:
        if len(word) < 3:
            continue
        for kind, keys in _TITLE_WORDS:
            for key in keys:
                if word == key or (len(word) >= 5 and len(key) >= 5 and word[0] == key[0]
                                   and abs(len(word) - len(key)) <= 3
                                   and SequenceMatcher(None, word, key).ratio() >= 0.8):
                    return kind
    return None


_FILLER = {"KINERJA", "DATA", "AKTIVITAS", "STRATEGIS", "UTAMA", "INDIVIDU", "PERHITUNGAN",
           "PENGHITUNGAN", "FORMULASI", "KEGIATAN", "SUB", "PROGRAM", "DAN", "ATAU", "TAHUN",
           "PERSPEKTIF", "KINERJA/", "PENGUKURAN", "PENGUMPULAN", "INDIKATOR", "DEFINISI",
           "OPERASIONAL", "IKI", "IKU", "/", "-", "&"}

def title_word(word: str) -> bool:
    """A word of a column title: ``NO``, ``SASARAN``, ``KINERJA``, ``(FORMULASI`` …"""
    core = word.strip(".,:;()[]")
    return not core.strip("/-&") or core.upper() in _FILLER or title_kind(core) is not None


def header_words_only(line: str) -> bool:
    """Every word of ``line`` is a column-title word (``NO``, ``SASARAN``, ``KINERJA`` …)."""
    words = re.findall(r"[^\s()/]+", line)
    return bool(words) and all(title_word(w) for w in words)


def is_header(cells: list[str]) -> bool:
    """A table header: an INDIKATOR column plus two other recognised titles, all short."""
    filled = [c for c in cells if c]
    if len(filled) < 3 or any(len(c.split()) > 8 for c in filled):
        return False
    exact = sum(any(k in c.upper() for k in _EXACT) for c in filled)
    if exact < 2:  # cheap test first: most rows are data
        return False
    kinds = [title_kind(c) for c in filled]
    return "indikator" in kinds and sum(k is not None for k in kinds) >= 3


def is_column_numbers(cells: list[str]) -> bool:
    nums = [c.strip("()") for c in cells if c]
    if len(nums) < 3 or not all(n.isdigit() for n in nums):
        return False
    return [int(n) for n in nums] == list(range(int(nums[0]), int(nums[0]) + len(nums)))


def _is_separator(cells: list[str]) -> bool:
    return any(cells) and all(not c or _SEPARATOR.match(c) for c in cells)


@dataclass
class Columns:
    kinds: list[str]
    label_sasaran: str = ""
    unknown: list[str] = field(default_factory=list)  # titles of ignored columns

    @classmethod
    def from_header(cls, cells: list[str]) -> Columns:
        while cells and not cells[-1]:
            cells = cells[:-1]
        kinds = [title_kind(c) if c else "lain" for c in cells]
        for i, kind in enumerate(kinds):  # an unrecognised title takes its position's role
            if kind is None:
                before = set(kinds[:i])
                if "indikator" not in before and "sasaran" not in kinds:
                    kinds[i] = "sasaran"
                elif "indikator" in before and "penjelasan" not in kinds:
                    kinds[i] = "penjelasan"
                else:
                    kinds[i] = "lain"
        label = next((_fix_label(c) for c, k in zip(cells, kinds) if k == "sasaran"), "")
        unknown = [clean_cell(c) for c, k in zip(cells, kinds) if k == "lain" and c]
        return cls(kinds, label, unknown)

    @classmethod
    def default(cls, n: int) -> Columns | None:
        layout = _DEFAULT_LAYOUT.get(n)
        return cls(list(layout)) if layout else None

    @property
    def has_no(self) -> bool:
        return "no" in self.kinds


def _fix_label(cell: str) -> str:
    """Column title of the sasaran column with a misspelt ``SASARAN`` corrected."""
    text = squash(clean_cell(cell))
    m = re.match(r"[A-Za-z]+", text)
    if m and m[0].upper() != "SASARAN":
        fixed = "SASARAN" if m[0].isupper() else "Sasaran"
        text = fixed + text[m.end():]
    return text


@dataclass
class RawRow:
    line: int
    cells: list[str]
    last_line: int
    uncertain: str = ""  # why the split into columns is doubtful ("" when it is not)


@dataclass
class TableRow:
    """One indicator row as read, NO and sasaran resolved."""

    line: int
    no: str
    sasaran: str
    indikator: str
    penjelasan: str = ""
    sumber_data: str = ""
    target: str = ""
    satuan: str = ""


class TableReader:
    """Consumes the lines of one document's indicator table (header repeats included)."""

    def __init__(self, columns: Columns, line: int, implicit: bool = False):
        self.columns = columns
        self.first_line = line
        self.raw: list[RawRow] = []
        self.issues: list[Issue] = []
        self._pending: RawRow | None = None
        self._after_header = not implicit
        self._blank = False
        if implicit:
            self.issues.append(Issue("tabel_tanpa_judul", line, {"columns": len(columns.kinds)}))
        if columns.unknown:
            self.issues.append(Issue("kolom_tidak_dikenal", line,
                                     {"columns": ", ".join(columns.unknown)}))

    @property
    def width(self) -> int:
        return len(self.columns.kinds)

    def feed(self, line_no: int, line: str) -> bool:
        """Take ``line`` if it belongs to the table; False means the table has ended."""
        if not line.strip():
            self._blank = True
            return True
        cells = split_cells(line)
        if cells is None:
            return self._text_line(line_no, line)
        blank, self._blank = self._blank, False
        if _is_separator(cells) or is_column_numbers(cells):
            return True
        if is_header(cells):
            self._flush()
            self._after_header = True
            return True
        if self._after_header and not any(is_number(c) for c in cells[:1]) and all(
                not c or title_kind(c) or c.startswith("(") for c in cells):
            return True  # second line of a two-line header: "(FORMULASI PERHITUNGAN)"
        self._after_header = False
        if len([c for c in cells if c]) <= 2 and any(_SIGNATURE.match(c) for c in cells if c):
            self._flush()
            return False  # a two-column signature block printed with tabs
        self._add(RawRow(line_no, cells, line_no), blank)
        return True

    def _text_line(self, line_no: int, line: str) -> bool:
        """A line without cells inside the table: the rest of a cell broken by the PDF?"""
        target = self._pending or (self.raw[-1] if self.raw else None)
        text = squash(line)
        if (target is None or self._blank or _SIGNATURE.match(text)
                or not (self._pending or text[:1].islower())):
            self._flush()
            return False
        last = max(i for i, c in enumerate(target.cells) if c) if any(target.cells) else 0
        target.cells[last] = f"{target.cells[last]} {text}".strip()
        target.last_line = line_no
        if target is not self._pending:
            self.issues.append(Issue("baris_terpotong", line_no, {"row_line": target.line}))
        return True

    def _add(self, row: RawRow, blank: bool) -> None:
        n = self.width
        pending = self._pending
        if pending is not None:
            starts_row = self.columns.kinds[0] == "no" and is_number(row.cells[0])
            merged = pending.cells[:-1] + [f"{pending.cells[-1]} {row.cells[0]}".strip()]
            merged += row.cells[1:]
            if not starts_row and not blank and len(row.cells) < n and len(merged) <= n:
                pending.cells, pending.last_line = merged, row.line
                if len(merged) == n:
                    self._emit(pending)
                    self._pending = None
                return
            self._flush()
        if len(row.cells) < n:
            self._pending = row
        else:
            self._emit(row)

    def _flush(self) -> None:
        if self._pending is not None:
            self._pending.uncertain = "sel_kurang"
            self._emit(self._pending)
            self._pending = None

    def _emit(self, row: RawRow) -> None:
        n = self.width
        cells = list(row.cells)
        if row.last_line != row.line and not row.uncertain:
            self.issues.append(Issue("baris_digabung", row.line,
                                     {"last_line": row.last_line, "how": "baris_pdf"}))
        if len(cells) > n:
            extra = [c for c in cells[n:] if c]
            if extra:
                cells[n - 1] = "; ".join([c for c in (cells[n - 1], *extra) if c])
                row.uncertain = row.uncertain or "sel_lebih"
            cells = cells[:n]
        row.cells = [clean_cell(c) for c in cells] + [""] * (n - len(cells))
        self.raw.append(row)

    # ------------------------------------------------------------------ grouping

    def rows(self, start_index: int = 0) -> list[TableRow]:
        """Resolve NO/sasaran spans, continuation and shifted rows, enumerations and
        duplicates. ``start_index`` is the number of indicators read before this table."""
        self._flush()
        out: list[TableRow] = []
        no, sasaran, pending_sasaran = "", "", None
        groups = 0
        seen: dict[tuple, TableRow] = {}
        for raw in self.raw:
            cells = self._realign(raw)
            values = self._values(cells)
            if raw.uncertain:
                self.issues.append(Issue("kolom_tidak_pasti", raw.line, {"why": raw.uncertain}))
            row_no, row_sas, ind = values["no"], values["sasaran"], values["indikator"]
            if not ind:
                if not row_no and not row_sas and out and any(
                        values[k] for k in ("penjelasan", "sumber_data", "target", "satuan")):
                    _merge_into(out[-1], values)
                    self.issues.append(Issue("baris_digabung", raw.line,
                                             {"last_line": out[-1].line, "how": "sel_kosong"}))
                elif row_sas or row_no:
                    pending_sasaran = (row_no, row_sas, raw.line)
                elif any(values.values()):
                    self.issues.append(Issue("baris_tanpa_indikator", raw.line))
                continue
            if pending_sasaran and not row_no and not row_sas:
                row_no, row_sas = pending_sasaran[0], pending_sasaran[1]
            elif pending_sasaran:
                self.issues.append(Issue("baris_tanpa_indikator", pending_sasaran[2]))
            pending_sasaran = None
            if row_no or row_sas:
                groups += 1
                if not row_sas:
                    row_sas = sasaran
                    self.issues.append(Issue("sasaran_kosong", raw.line, {"no": row_no}))
                if not row_no:
                    row_no = _next_number(no, groups)
                    if self.columns.has_no:
                        self.issues.append(Issue("nomor_kosong", raw.line, {"no": row_no}))
                no, sasaran = row_no.rstrip(".") or row_no, row_sas
            elif not out:
                groups += 1
                no = no or "1"
                self.issues.append(Issue("sasaran_kosong", raw.line, {"no": no}))
            m = _ENUM.match(ind)
            if m and int(m[1]) == start_index + len(out) + 1:
                ind = ind[m.end():]
            row = TableRow(raw.line, no, sasaran, ind, values["penjelasan"],
                           values["sumber_data"], values["target"], values["satuan"])
            key = tuple(re.sub(r"\s+", " ", v).casefold() for v in (
                row.sasaran, row.indikator, row.penjelasan, row.sumber_data, row.target))
            first = seen.get(key)
            if first is not None:
                same_no = first.no == row.no
                self.issues.append(Issue("baris_ganda", raw.line,
                                         {"first_line": first.line, "dihapus": same_no}))
                if same_no:
                    continue
            seen.setdefault(key, row)
            out.append(row)
        if pending_sasaran:
            self.issues.append(Issue("baris_tanpa_indikator", pending_sasaran[2]))
        return out

    def _realign(self, raw: RawRow) -> list[str]:
        """Undo a row shifted to the left: its NO cell holds text and its last cells are
        empty. The first text goes to INDIKATOR, the last to the last column, the others
        to the columns after INDIKATOR (the row continues the sasaran above); a row with
        more texts than that is shifted right as a whole."""
        cells = raw.cells
        kinds = self.columns.kinds
        if not self.columns.has_no:
            return cells
        i = kinds.index("no")
        if not cells[i] or is_number(cells[i]):
            return cells
        content = _rstrip_empty(cells)
        n, empty = len(cells), len(cells) - len(content)
        if empty and i == 0:
            raw.uncertain = "bergeser"
            start = kinds.index("indikator") if "indikator" in kinds else n
            if len(content) <= n - start and len(content) >= 2:
                out = [""] * n
                out[start:start + len(content) - 1] = content[:-1]
                out[-1] = content[-1]
                return out
            return [""] * empty + content
        raw.uncertain = raw.uncertain or "nomor_bukan_angka"
        return ["" if k == i else c for k, c in enumerate(cells)]

    def _values(self, cells: list[str]) -> dict[str, str]:
        values = {f: "" for f in FIELDS}
        for kind, cell in zip(self.columns.kinds, cells):
            if kind in values and cell:
                values[kind] = f"{values[kind]}; {cell}" if values[kind] else cell
        return values


def _rstrip_empty(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _next_number(previous: str, groups: int) -> str:
    m = re.match(r"\d+", previous)
    return str(int(m[0]) + 1) if m else str(groups)


def _merge_into(row: TableRow, values: dict[str, str]) -> None:
    """A row holding only penjelasan/sumber cells continues the row above it."""
    for name in ("penjelasan", "sumber_data", "target", "satuan"):
        new = values[name]
        old = getattr(row, name)
        if new and new.casefold() != old.casefold():
            setattr(row, name, f"{old}; {new}" if old else new)
