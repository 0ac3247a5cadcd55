"""Reader for IKI documents as plain text or markdown (PDF/Word extractions).

A file holds one or more IKI documents. Each starts at a title (``INDIKATOR KINERJA
INDIVIDU``, optionally ``TAHUN 2025``) or, without a title, at a PERANGKAT DAERAH/JABATAN
label after a previous document's table; it has a numbered header (:mod:`.header`), an
indicator table (:mod:`.table`) whose header may repeat on every page, and a signature
block (:mod:`.signature`). Text before the first document (a decree's preamble) and prose
the reader does not recognise are skipped; table-like lines outside a table are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .cleanup import squash, strip_markup
from .flat import unflatten
from .header import HeaderFields, parse_label_line, title_year
from .issues import Issue
from .signature import Signature, parse_signature
from .table import Columns, TableReader, TableRow, is_header, is_number, split_cells
from .words import Vocabulary

_STARTS_DOCUMENT = ("perangkat_daerah", "jabatan")


@dataclass
class ParsedDocument:
    """One IKI document as read: header fields, table rows, signature, issues."""

    file: str
    line: int
    tahun: int | None = None
    heading: list[str] = field(default_factory=list)  # agency lines under the title
    fields: HeaderFields = field(default_factory=HeaderFields)
    tables: list[TableReader] = field(default_factory=list)
    signature_lines: list[tuple[int, str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)
    label_sasaran: str = ""

    @property
    def has_content(self) -> bool:
        return bool(self.fields.lines) or bool(self.tables)

    @property
    def source_rows(self) -> int:
        """Table rows read from the source (before continuation rows are merged)."""
        return sum(len(t.raw) for t in self.tables)

    def finish(self) -> None:
        for table in self.tables:
            self.rows.extend(table.rows(start_index=len(self.rows)))
            self.issues.extend(table.issues)
        self.label_sasaran = next((t.columns.label_sasaran for t in self.tables
                                   if t.columns.label_sasaran), "")
        self.signature = parse_signature(self.signature_lines, self.fields.text("jabatan"))


def _ends_flat_table(line: str) -> bool:
    """A title or a header label (PERANGKAT DAERAH, JABATAN …) ends a flattened table. A
    title stands alone: in capitals or at the start of the line (a cell may mention
    ``Indikator Kinerja Utama`` inside a sentence)."""
    if title_year(line) is not False:
        return line.isupper() or bool(re.match(r"\W*INDIKATOR\s+KINERJA", line, re.I))
    return parse_label_line(line, None) is not None


def read_text(text: str, file: str, issues: list[Issue] = ()
              ) -> tuple[list[ParsedDocument], list[Issue]]:
    """Split ``text`` into IKI documents; also return file-level issues. ``issues``: items
    about lines of ``text`` found before (a PDF's doubtful rows), given to the document
    that holds their line."""
    return _Reader(file).run(text, issues)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _is_pdf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(5) == b"%PDF-"


def read_path(path: Path):
    """The text of a document file: .docx through :mod:`.docx`, .pdf through :mod:`.pdf`
    (word positions → table rows, a :class:`~.pdf.PdfText`), anything else as text."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from .docx import docx_text

        return docx_text(path)
    if suffix == ".pdf" or (suffix not in (".txt", ".md") and _is_pdf(path)):
        from .pdf import read_pdf

        return read_pdf(path)
    return decode(path.read_bytes())


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.docs: list[ParsedDocument] = []
        self.issues: list[Issue] = []
        self.doc: ParsedDocument | None = None
        self.state = "preamble"  # preamble → header → table → after
        self.table: TableReader | None = None
        self.late_title: tuple[int, int | None] | None = None  # title seen inside a document
        self.late_heading: list[str] = []  # lines after such a title, before what follows
        self.recent: list[str] = []  # heading lines just above the first title
        self.vocab = Vocabulary(())

    def run(self, text: str, issues: list[Issue] = ()
            ) -> tuple[list[ParsedDocument], list[Issue]]:
        self.vocab = Vocabulary(text.split())
        lines, flat_issues = unflatten(text.splitlines(), _ends_flat_table, self.vocab)
        by_line: dict[int, list[Issue]] = {}
        for issue in [*issues, *flat_issues]:
            by_line.setdefault(issue.line, []).append(issue)
        for n, raw in lines:
            self.line(n, strip_markup(raw.rstrip("\r\n ")))
            if n in by_line:
                (self.doc.issues if self.doc is not None else self.issues).extend(
                    by_line.pop(n))
        if self.table is not None:
            self.table.feed(0, "")
        for doc in self.docs:
            doc.finish()
        return self.docs, self.issues

    def new_doc(self, n: int, year: int | None = None, heading: list[str] = ()) -> ParsedDocument:
        """Start a document at line ``n``, or at a title seen earlier inside the last one."""
        if self.late_title:
            (n, year), heading = self.late_title, self.late_heading
        self.late_title, self.late_heading, self.recent = None, [], []
        self.doc = ParsedDocument(self.file, n, tahun=year, heading=list(heading))
        self.doc.fields.vocab = self.vocab
        self.docs.append(self.doc)
        self.table = None
        self.state = "header"
        return self.doc

    def line(self, n: int, line: str) -> None:
        if self.state == "table":
            if self.table.feed(n, line):
                return
            self.state = "after"
        text = squash(line)
        if not text:
            self.recent = []
            return
        year = title_year(text)
        if year is not False:
            return self.title(n, year)
        cells = split_cells(line)
        if cells is not None and is_header(cells):
            return self.table_header(n, cells)
        label = parse_label_line(text, cells)
        doc = self.doc
        if label and (self.state != "after" or label[0] in _STARTS_DOCUMENT):
            name, value = label
            if doc is None or (doc.tables and name in _STARTS_DOCUMENT):
                doc = self.new_doc(n)
            if name != "indikator":
                doc.fields.label(name, value, n)
            self.state = "header"
            return
        filled = [c for c in cells or () if c]
        if self.state == "header":
            if len(filled) >= 3 and ("jabatan" in doc.fields or is_number(filled[0])):
                return self.implicit_table(n, line, cells)
            if not doc.fields.lines:
                doc.heading.append(text)
            else:
                doc.fields.content(" ".join(filled) if cells is not None else text)
        elif self.state == "after":
            if len(filled) >= 3:
                doc.issues.append(Issue("baris_tidak_dikenali", n, {"text": " | ".join(filled)}))
            elif self.late_title:
                self.late_heading.append(text)  # under a title: the next page or document
            else:
                doc.signature_lines.append((n, line))
        elif len(filled) >= 3:
            self.issues.append(Issue("baris_tidak_dikenali", n, {"text": " | ".join(filled)}))
        elif cells is None and len(text.split()) <= 10 and ":" not in text:
            self.recent = (self.recent + [text])[-3:]  # may be the agency heading

    def title(self, n: int, year: int | None) -> None:
        doc = self.doc
        if doc is None or (doc.has_content and (doc.signature_lines or not doc.tables)):
            self.late_title = None
            self.new_doc(n, year, self.recent)
        elif doc.tables:
            self.late_title = (n, year)  # a page header, or the next document without signature
            if self.state == "table":
                self.state = "after"
        else:
            doc.tahun = doc.tahun or year
            self.state = "header"

    def table_header(self, n: int, cells: list[str]) -> None:
        doc = self.doc
        if doc is not None and doc.tables and not doc.signature_lines and self.state != "header":
            self.table = doc.tables[-1]  # the header repeated on a new page
            self.table.feed(n, "\t".join(cells))
            self.late_heading = []
        else:
            if doc is None or doc.tables:
                doc = self.new_doc(n)
                doc.issues.append(Issue("tanpa_jabatan", n))
            self.table = TableReader(Columns.from_header(cells), n)
            doc.tables.append(self.table)
        self.late_title = None
        self.state = "table"

    def implicit_table(self, n: int, line: str, cells: list[str]) -> None:
        columns = Columns.default(len(cells))
        if columns is None:
            self.doc.issues.append(Issue("baris_tidak_dikenali", n,
                                         {"text": " | ".join(c for c in cells if c)}))
            return
        self.table = TableReader(columns, n, implicit=True)
        self.doc.tables.append(self.table)
        self.state = "table"
        self.table.feed(n, line)
