"""PDF documents as the text the IKI reader understands, rebuilt from word positions.

pdfplumber (pdfminer.six + pypdfium2, wheels for Windows) gives every word with its box
and the ruling lines of the page. The stages:

1. every page's words; ruled tables cut along their rulings (:mod:`.pdfruled`);
2. running headers, footers and page numbers dropped (:mod:`.pdfedges`);
3. tables without rulings rebuilt from where their words stand (:mod:`.pdfplain`), the
   other lines made text (:mod:`.pdflines`: tab stops, a header set as columns,
   hyphens), text beside a table (a signature block) read after it;
4. the parts of one table on consecutive pages put back together, with the row or the
   merged cell a page break cut (:mod:`.pdftable`);
5. one tab-separated line per table row, with a review item for every row whose cut into
   cells or rows is not sure, and each line's page and height for the review.

A PDF without any text (a scan) is reported, not guessed: no OCR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .header import parse_label_line, title_year
from .issues import Issue
from .pdfedges import PageParts, drop_furniture
from .pdflines import TextLine, join_hyphens, text_lines
from .pdfplain import SIGNATURE_LINE, Columns, carried_table, plain_table
from .pdfruled import ruled_tables
from .pdftable import (
    Row,
    Table,
    cell_text,
    continues,
    has_merged_groups,
    number_column,
    right_limits,
)
from .table import is_number
from .words import Vocabulary, Word, group_lines, line_text, page_words


class SourceError(ValueError):
    """A document that cannot be read, with the review item that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.kind)
        self.issue = issue


@dataclass
class PdfText:
    """The text of a PDF, the review items of its lines and where each line was printed."""

    text: str
    issues: list[Issue] = field(default_factory=list)
    places: dict[int, tuple[int, float]] = field(default_factory=dict)  # line → (page, top pt)


def read_pdf(path: str | Path) -> PdfText:
    import pdfplumber

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many types (syntax, encryption, xref …)
        raise SourceError(Issue("pdf_tidak_terbaca", None, {"reason": type(exc).__name__})) \
            from exc
    pages: list[PageParts] = []
    texts: list[str] = []
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                words = page_words(page, number)
                tables, inside = ruled_tables(page, number, words)
            except Exception as exc:  # a damaged page: say which
                raise SourceError(Issue("pdf_tidak_terbaca", None, {
                    "reason": f"halaman {number}: {type(exc).__name__}"})) from exc
            texts += [w.text for w in words]
            pages.append(PageParts(number, float(page.width), float(page.height), tables,
                                   group_lines(w for w in words if w not in inside)))
    if not texts:
        raise SourceError(Issue("pdf_tanpa_teks", None, {"halaman": len(pages)}))
    vocab = Vocabulary(texts)
    drop_furniture(pages)
    blocks: list[TextLine | Table] = []
    carry: Columns | None = None
    seen: dict = {}  # titles → columns of tables without rulings met so far
    for page in pages:
        found, carry = _page_blocks(page, carry, seen, vocab)
        blocks += found
    return _render(_join_parts(blocks), vocab)


def _page_blocks(page: PageParts, carry: Columns | None, seen: dict, vocab: Vocabulary
                 ) -> tuple[list[TextLine | Table], Columns | None]:
    """A page's text lines and tables in reading order (text beside a table after it),
    and the columns of a table without rulings that runs to the page's foot."""
    lines = page.lines
    tables: list[Table] = list(page.tables)
    beside: list[tuple[Table, list[Word]]] = []  # (the table, a line beside it)
    plain: list[list[Word]] = []
    k = 0
    if carry is not None:
        found = carried_table(lines, 0, page.number, carry)
        if found:
            tables.append(found[0])
            beside += [(found[0], line) for line in _lines_of(found[3])]
            k = found[2]
            carry = found[4] if k >= len(lines) else None  # and on to the next page
        else:
            carry = None
    while (found := plain_table(lines, k, page.number, seen)) is not None:
        table, columns, first, end, side = found
        plain += lines[k:first]
        tables.append(table)
        beside += [(table, line) for line in _lines_of(side)]
        k = end
        carry = columns if end >= len(lines) else None
    plain += lines[k:]
    keyed: list[tuple[float, int, TextLine | Table]] = [(t.top, 0, t) for t in tables]
    normal = []
    for line in plain:
        holder = next((t for t in page.tables if t.top <= line[0].top <= t.bottom and (
            line[0].x0 >= t.x1 - 1 or line[-1].x1 <= t.x0 + 1)), None)
        if holder is not None:
            beside.append((holder, line))  # level with a ruled table, outside it
        else:
            normal.append(line)
    keyed += [(tl.key, 1, tl) for tl in text_lines(normal, page.number)]
    keyed += [(table.bottom + 0.01, 2, tl) for table, line in beside
              for tl in text_lines([line], page.number)]
    keyed.sort(key=lambda item: (item[0], item[1]))
    return _with_hyphens([b for _, _, b in keyed], vocab), carry


def _lines_of(words: list[Word]) -> list[list[Word]]:
    return group_lines(words) if words else []


def _with_hyphens(blocks: list, vocab: Vocabulary) -> list:
    out: list = []
    run: list[TextLine] = []
    for b in blocks + [None]:
        if isinstance(b, TextLine):
            run.append(b)
            continue
        out += join_hyphens(run, vocab)
        run = []
        if b is not None:
            out.append(b)
    return out


# --------------------------------------------------------------------------- pages joined

def _join_parts(blocks: list[TextLine | Table]) -> list[TextLine | Table]:
    """Tables that go on after a page break (the same titles printed again, or none and
    the same columns, with no text between) made one, their cut row joined back.

    Titles printed on a page without rows of their own are dropped when text follows
    them (a spreadsheet prints its title row on every page, even under the signature),
    and titles printed again after the table's signature are no table: what stands
    under them is text. Text between two parts that only repeats the table's cells (a
    merged cell a spreadsheet prints again, clipped, at the top of the next page) is no
    text."""
    joiner = _Joiner()
    for block in blocks:
        if isinstance(block, TextLine):
            joiner.between.append(block)
        else:
            joiner.table(block)
    joiner.flush()
    return joiner.out


class _Joiner:
    def __init__(self) -> None:
        self.out: list[TextLine | Table] = []
        self.current: Table | None = None  # the table the next part may go on
        self.last: Table | None = None  # its last part (the columns to match)
        self.pending: Table | None = None  # titles without rows yet
        self.between: list[TextLine] = []  # text lines since the last part
        self.titles: tuple[str, ...] | None = None  # the last table's titles
        self.signed = False  # a signature line since the last table

    def flush(self) -> None:
        for line in self.between:
            self.pending = self.current = None
            if SIGNATURE_LINE.match(line.text):
                self.signed = True
            elif title_year(line.text) is not False or parse_label_line(line.text, None):
                self.signed = False  # a new document
            self.out.append(line)
        self.between = []

    def table(self, part: Table) -> None:
        extra = self.between + [_row_line(row) for row in part.above]
        part.above, self.between = [], []
        base = self.current or self.pending
        last = self.last if self.current else self.pending
        if base is not None and _goes_on(base, last, part) and (
                _repeated(extra, base) or _repeated(extra, part)):
            if extra and not _repeated(extra, base) and base.rows:
                # a merged cell of the next page's rows printed (clipped) under this
                # page's: the rows before the break may belong to it
                base.rows[-1].doubt = base.rows[-1].doubt or "halaman"
            if base is self.pending:
                self.out.append(base)
                self.current, self.pending = base, None
            _append_part(base, part)
            self.last = part
            return
        self.between = extra
        self.flush()
        if part.titles and self.signed and _titles_key(part.titles) == self.titles:
            self.out += _as_text(part)
        elif part.titles and not part.rows:
            self.pending = part
        else:
            self.out.append(part)
            self.current = self.last = part if part.titles else None
            if part.titles:
                self.titles, self.signed = _titles_key(part.titles), False


def _repeated(lines: list[TextLine], table: Table) -> bool:
    """Every piece of ``lines`` says again what a cell of ``table`` says."""
    said = [f" {' '.join(r.text(c).split()).casefold()} " for r in table.rows
            for c in range(len(r.cells))]
    return all(any(f" {' '.join(piece.split()).casefold()} " in s for s in said)
               for line in lines for piece in line.text.split("\t") if piece.strip())


def _titles_key(titles: list[str]) -> tuple[str, ...]:
    return tuple(" ".join(t.split()).casefold() for t in titles)


def _as_text(table: Table) -> list[TextLine]:
    """A would-be table's rows back as the lines they were printed on."""
    words = [w for row in table.rows for cell in row.cells for line in cell for w in line]
    return [TextLine(table.page, min(w.top for w in line), max(w.bottom for w in line),
                     line[0].x0, line_text(line)) for line in group_lines(words)]


def _row_line(row: Row) -> TextLine:
    top = min(w.top for cell in row.cells for line in cell for w in line)
    return TextLine(row.page, top, top, 0.0, "\t".join(row.text(c) for c in range(len(row.cells))))


def _goes_on(table: Table, last: Table, part: Table) -> bool:
    if part.page < last.page or part.ruled != table.ruled:
        return False
    if part.titles:
        if _titles_key(part.titles) == _titles_key(table.titles):
            return True
        if all(_within(t, p) for t, p in zip(_titles_key(table.titles),
                                              _titles_key(part.titles))) and (
                len(part.titles) == len(table.titles)):
            part.titles = table.titles  # text printed over the titles (clipped)
            return True
        return False
    return not part.ruled or last.same_columns(part)  # a plain part: carried columns


def _within(title: str, printed: str) -> bool:
    """``title``'s letters in order in ``printed`` (other text printed over it)."""
    letters = iter(printed)
    return all(ch in letters for ch in title)


def _append_part(table: Table, part: Table) -> None:
    """``part``'s rows after ``table``'s; its first row, without a NO, is the rest of the
    row the page break cut or a new row of the last NO (see :func:`.pdftable.continues`)."""
    rows = list(part.rows)
    kinds = table.kinds()
    no = number_column(kinds)
    sas = kinds.index("sasaran") if "sasaran" in kinds else None
    if rows and table.rows and not (no is not None and is_number(rows[0].text(no))):
        top, prev = rows[0], table.rows[-1]
        how, sure = continues(prev, top, kinds, right_limits([table, part]),
                              has_merged_groups([table, part], kinds))
        head = _group_head(table.rows, no, sas)
        if sas is not None and top.filled(sas) and head is not None and (
                no is not None or how == "row" or top.text(sas)[:1].islower()):
            head.cells[sas].extend(top.cells[sas])  # a merged SASARAN cut by the page
            top.cells[sas] = []
        if how == "row":
            for c, lines in enumerate(top.cells):
                prev.cells[c].extend(lines)
            rows = rows[1:]
            if not sure:
                prev.doubt = prev.doubt or "halaman"
        elif not sure:
            top.doubt = top.doubt or "halaman"
    table.rows += [r for r in rows if any(r.cells)]
    table.bottom = part.bottom


def _group_head(rows: list[Row], no: int | None, sas: int | None) -> Row | None:
    """The row that holds the NO and SASARAN of the last group."""
    for row in reversed(rows):
        if (no is not None and is_number(row.text(no))) or (
                no is None and sas is not None and row.filled(sas)):
            return row
    return None


# --------------------------------------------------------------------------- text

def _render(blocks: list[TextLine | Table], vocab: Vocabulary) -> PdfText:
    out = PdfText("")
    lines: list[str] = []

    def emit(text: str, page: int, top: float) -> int:
        lines.append(text)
        out.places[len(lines)] = (page, top)
        return len(lines)

    for block in blocks:
        if isinstance(block, TextLine):
            emit(block.text, block.page, block.top)
            continue
        if block.titles:
            emit("\t".join(block.titles), block.page, block.top)
        for row in block.rows:
            cells = [cell_text(c, vocab) for c in row.cells]
            if any(cells):
                n = emit("\t".join(cells), row.page, row.top)
                if row.doubt:
                    out.issues.append(Issue("kolom_tidak_pasti", n, {"why": row.doubt}))
        lines.append("")  # the table ends here
    out.text = "\n".join(lines)
    return out
