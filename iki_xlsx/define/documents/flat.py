"""Indicator tables whose columns a PDF-to-text tool flattened: every cell on its own
line(s), a row's cells one after the other, several indicators under one NO.

Such a table is found by its header (the column titles on one or a few lines, without
tabs, see :func:`flat_header`) and rebuilt before the document reader sees it: its rows
become tab-separated lines again (:func:`.flatcut.rebuild` cuts the lines into rows and
cells), so that headers, merged sasaran, signatures and the review work as for any table.

Inside such a table, running page headers (a line repeated right before the repeated
column titles or a title) and page numbers are dropped; the column titles repeated on
every page are skipped and mark where a page starts.
"""

from __future__ import annotations

import re
from collections import Counter

from .cleanup import squash, strip_markup
from .flatcut import rebuild
from .issues import Issue
from .table import header_words_only, is_header, title_kind
from .words import Vocabulary

_SIGNATURE = re.compile(r"^\s*(?:NIP\b|[A-Z][A-Za-z .'-]{2,30},\s*\d{1,2}\s+[A-Za-z]+\s+\d{4}|"
                        r"(?:Mengetahui|Menyetujui|Atasan\s+Langsung|Pihak\s+(?:Pertama|Kedua)|"
                        r"Pejabat\s+Penilai|Pegawai\s+yang\s+Dinilai|Yang\s+membuat|"
                        r"Dibuat\s+oleh)\b)", re.I)
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:hal(?:aman)?\.?\s*)?\d{1,3}(?:\s*(?:dari|/)\s*\d{1,3})?"
                          r"(?:\s*-)?$", re.I)

def split_titles(text: str) -> list[str]:
    """Column titles run together on a line → the titles (a new kind starts a title)."""
    titles: list[str] = []
    seen: set[str] = set()
    for word in text.split():
        kind = title_kind(word.strip("()/")) if word.strip("()/") else None
        if kind and kind not in seen and not (kind == "lain" and titles and not seen - {"no"}):
            titles.append(word)
            seen.add(kind)
        elif titles:
            titles[-1] += " " + word
        else:
            return []
    return titles


def flat_header(lines: list[str], i: int) -> tuple[list[str], int] | None:
    """(titles, lines used) when a flattened column header starts at ``lines[i]``. The
    titles may wrap over a few lines, with a blank line between them (each title a block
    of its own: ``NO. SASARAN`` / ``KINERJA`` / ``INDIVIDU`` / ``INDIKATOR … DATA``)."""
    used, text, words, blanks = 0, "", 0, 0
    best = None
    while i + used < len(lines) and words < 24:
        line = squash(strip_markup(lines[i + used]))
        if not line and used and blanks < 2:
            used, blanks = used + 1, blanks + 1
            continue
        if text and re.fullmatch(r"[A-Z]{1,2}\.?", line):  # "TARGE" / "T": a broken title
            text, used = text + line, used + 1
        elif not line or "\t" in lines[i + used] or "|" in line or not header_words_only(
                line):
            break
        else:
            text = f"{text} {line}".strip()
            used, words, blanks = used + 1, words + len(line.split()), 0
        titles = split_titles(text)
        if len(titles) >= 3 and is_header(titles):
            best = (titles, used)
    return best


def furniture(lines: list[str]) -> set[str]:
    """Running page headers: a line repeated in the file that mostly stands right before
    column titles or a title (the top of a page)."""
    stripped = [squash(strip_markup(x)) for x in lines]
    counts = Counter(s for s in stripped if s)
    tops: Counter = Counter()
    for i, s in enumerate(stripped):
        if counts[s] < 2 or len(s) < 8 or header_words_only(s):
            continue
        nxt = next((t for t in stripped[i + 1:i + 3] if t), "")
        if nxt and (flat_header([nxt], 0) or re.search(r"INDIKATOR\s+KINERJA", nxt, re.I)):
            tops[s] += 1
    return {s for s, k in tops.items() if k >= 2 and k >= 0.75 * counts[s]}


def unflatten(text_lines: list[str], is_end, vocab: Vocabulary | None = None
              ) -> tuple[list[tuple[int, str]], list[Issue]]:
    """The lines of a file with every flattened table rebuilt as tab-separated rows.

    ``is_end(line)`` says whether a line ends a table (title, header label); ``vocab``
    joins a cell's wrapped lines. Returns (line number, text) pairs and the issues of the
    rebuilt rows."""
    out: list[tuple[int, str]] = []
    issues: list[Issue] = []
    skip = furniture(text_lines) if any("\t" not in x for x in text_lines) else set()
    i, n = 0, len(text_lines)
    pages = 0  # page tops seen (column titles, running headers): bounds a page number
    while i < n:
        raw = text_lines[i]
        found = None if "\t" in raw else flat_header(text_lines, i)
        if not found:
            out.append((i + 1, raw))
            i += 1
            continue
        titles, used = found
        pages += 1
        out.append((i + 1, "\t".join(titles)))
        kinds = [title_kind(t) or "lain" for t in titles]
        i += used
        body: list[tuple[int, str, bool, bool]] = []
        page_start = blank = False
        while i < n:
            line = squash(strip_markup(text_lines[i]))
            blank = blank or not line
            if "\t" in text_lines[i] or is_end(line) or _SIGNATURE.match(line):
                break
            again = flat_header(text_lines, i)
            if again:
                i += again[1]
                page_start = True
                pages += 1
                continue
            if line in skip:
                pages += 1
            if line and line not in skip and not (_is_page_number(line, pages)
                                                   and _page_top(text_lines, i + 1, skip)):
                body.append((i + 1, line, page_start, blank))
                page_start = blank = False
            i += 1
        rows, row_issues = rebuild(kinds, body, vocab)
        issues += row_issues
        out += [(line_no, "\t".join(cells)) for line_no, cells in rows]
        out.append((i, ""))  # the table ends here for the reader
    return out, issues


def _is_page_number(line: str, pages: int) -> bool:
    """``3``, ``- 3 -``, ``Halaman 3 dari 9`` near the page count seen so far (a target
    such as ``70`` at the foot of a page stays)."""
    m = _PAGE_NUMBER.match(line)
    return bool(m) and int(re.search(r"\d+", line)[0]) <= pages + 2


def _page_top(lines: list[str], i: int, skip: set[str]) -> bool:
    """The next text line is a running header, column titles or a title (a page starts)."""
    nxt = next((squash(strip_markup(x)) for x in lines[i:i + 3] if x.strip()), "")
    return (not nxt or nxt in skip or bool(flat_header([nxt], 0))
            or bool(re.search(r"INDIKATOR\s+KINERJA", nxt, re.I)))
