"""Words with their place on a PDF page, grouped into lines, and how a wrapped line joins
the next one.

A line that ends in a hyphen joins the next without a space: ``Perundang-`` +
``Undangan`` → ``Perundang-Undangan``, ``e-`` + ``Pantau`` → ``e-Pantau``; the hyphen is
dropped only when the document itself writes the word without it elsewhere (a word a
producer hyphenated to wrap it). A word a producer broke without a hyphen because it did
not fit its column (``dokum`` / ``en``) is joined when the document writes the whole word
more often than either piece, or when the second piece is one or two letters that are no
word (``Terselenggarany`` / ``a``). Words are never split.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

TAB_GAP = 18.0  # points between two words that a tab stop or a column, not a space, separates
_TOKEN = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")
# the words of one or two letters Indonesian writes on their own; another such piece at the
# start of a line is the end of the word above ("penyelenggara" / "an")
_SHORT_WORDS = {"di", "ke", "se", "ya", "si", "sk", "no", "x", "o"}


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int = 0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def mid(self) -> float:
        return (self.x0 + self.x1) / 2


def page_words(page, number: int) -> list[Word]:
    """The upright words of a pdfplumber page."""
    out = []
    for w in page.extract_words(keep_blank_chars=False, use_text_flow=False):
        if w.get("upright", True) and w["text"].strip():
            out.append(Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]),
                            float(w["bottom"]), number))
    return out


def same_line(a: Word, b: Word) -> bool:
    """Two words on one printed line: their heights overlap by half the smaller one."""
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap >= 0.5 * min(a.height, b.height)


def group_lines(words: Iterable[Word]) -> list[list[Word]]:
    """Words grouped into printed lines, top to bottom, each line left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for line in reversed(lines[-4:]):
            if same_line(line[0], w):
                line.append(w)
                break
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w.x0)
    lines.sort(key=lambda line: min(w.top for w in line))
    return lines


def segments(line: list[Word], gap: float = TAB_GAP) -> list[list[Word]]:
    """A line's words cut where they stand further apart than ``gap``."""
    out: list[list[Word]] = []
    for w in line:
        if out and w.x0 - out[-1][-1].x1 <= gap:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def line_text(line: list[Word], gap: float = TAB_GAP) -> str:
    """The words of a line, a tab where they stand far apart (a tab stop, a column)."""
    return "\t".join(" ".join(w.text for w in seg) for seg in segments(line, gap))


class Vocabulary:
    """The words of one document, counted, to decide how wrapped lines join."""

    def __init__(self, texts: Iterable[str]):
        self.counts = Counter(t.casefold() for text in texts for t in _TOKEN.findall(text))

    def count(self, word: str) -> int:
        return self.counts[word.casefold()]

    def join(self, left: str, right: str) -> str:
        """``left`` followed by its wrapped next line ``right``."""
        if not left or not right:
            return left or right
        last, first = left.split()[-1], right.split()[0]
        head = _TOKEN.match(first)
        if last.endswith("-") and len(last) > 1 and last[-2].isalnum() and head:
            stem = (_TOKEN.findall(last) or [last[:-1]])[-1]
            solid, hyphened = stem + head[0], f"{stem}-{head[0]}"
            if self.count(solid) > 0 and self.count(hyphened) == 0 and not _repeats(
                    stem, head[0]):
                return left[:-1] + right  # a producer's hyphenation: the word is one
            return left + right
        if re.match(r"-[^\W\d_]", first) and last[-1:].isalpha():
            return left + right  # "Perundang" / "-Undangan": cut before the hyphen
        tail = (_TOKEN.findall(last) or [""])[-1]
        if head and tail and last.endswith(tail) and tail[-1].isalpha() and head[0][0].isalpha() \
                and (self.count(tail + head[0]) > max(self.count(tail), self.count(head[0]))
                     or (head[0].islower() and len(head[0]) <= 2 and head[0] == first
                         and head[0] not in _SHORT_WORDS)):
            return left + right  # a word broken because it did not fit its column
        return f"{left} {right}"


def _repeats(stem: str, rest: str) -> bool:
    """``rata-rata``, ``kupu-kupu``: a reduplication keeps its hyphen."""
    return stem.casefold() == rest.casefold()
