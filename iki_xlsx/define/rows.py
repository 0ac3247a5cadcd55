"""A master's data as rows that remember where they came from (sheet, row, cell of each
field, column titles), whatever the source (workbook or YAML), and what reading a master
gives: :class:`LoadedMaster`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..core.model import Master
from ..core.problems import Problem


@dataclass
class Row:
    """One data row with its origin: ``values`` by field, ``cells`` field → "B5"."""

    sheet: str
    row: int
    values: dict
    cells: dict = field(default_factory=dict)
    titles: dict = field(default_factory=dict)  # field → column title

    def get(self, name: str) -> object:
        return self.values.get(name)

    def text(self, name: str) -> str:
        return cell_text(self.values.get(name))

    def problem(self, code: str, fld: str = "", file: str = "", **params) -> Problem:
        """A problem located at this row's cell of ``fld`` (sheet, cell, row, column)."""
        return Problem(code, params, file=file, sheet=self.sheet, cell=self.cells.get(fld, ""),
                       row=self.row, column=self.titles.get(fld, ""))


@dataclass
class Rejected:
    """A Pegawai row that will not get a form, and why."""

    row: int
    nip: str
    nama: str
    kode_iki: str
    problems: list[Problem]


@dataclass
class LoadedMaster:
    master: Master | None  # None when nothing can be generated (unreadable, bad settings)
    problems: list[Problem]
    rejected: list[Rejected]
    source: str = ""
    file: str = ""
    pegawai_rows: dict[int, Row] = field(default_factory=dict)  # where each row came from
    iki_rows: dict[str, Row] = field(default_factory=dict)  # Kode IKI → its IKI row

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return self.master is not None and not self.errors


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return re.sub(r"[ \t]+", " ", str(value)).strip()


def norm_title(text: object) -> str:
    return re.sub(r"[\s_]+", " ", str(text or "")).strip().lower()
