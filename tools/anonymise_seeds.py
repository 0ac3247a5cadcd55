"""Anonymised copies of the seed IKI documents for the tests: real organisational content,
synthetic people.

    python tools/anonymise_seeds.py [SOURCE] [-o tests/data/seeds]

Longer than 400 lines because finding people, making synthetic names and NIPs and proving
the copies faithful belong together in this one developer tool.

SOURCE holds the real seeds (default ``$IKI_SEEDS``, else ``../shared/seeds`` beside the
checkout; never committed). The tool writes the same files into the output folder with
every person's name and NIP replaced, plus ``real-identities.sha256`` (digests with which
the tests check, without real data, that no real identity is shipped). It prints what it
replaced as counts, never a real value.

* Only name words and NIP digits change, on the lines where people are printed; every
  other byte (titles, tables, jabatan, units, dates, line numbers, whitespace, tabs,
  typos, page artefacts) is kept. Names are found by the importer (every signer of every
  signature block: ``import_documents(...).documents``) and by pattern rules for what it
  may miss (the line above a pangkat/``NIP.`` line, a ``Dr.``/``H.`` prefix or
  ``, S.Sos``-like degrees, ``NAMA :`` fields).
* A name keeps its titles, degrees, initials, punctuation and markup (``Drs.``, ``H.``,
  ``, S.Sos``, ``A. M.``, ``**…**``); each name word becomes a synthetic
  Indonesian-looking word of the same length and letter case, the same for the same real
  word, different for different ones. A misspelt variant of a word is made from its
  base's synthetic word with as many letters dropped, added and changed, so the
  importer's name matching (one person printed with several NIPs, one NIP for two
  people) finds what it finds in the real documents.
* A NIP keeps its length and printed grouping (``19700101 199503 1 001``); the same digits
  give the same synthetic digits whatever the grouping, different ones different. A
  possible birth date becomes another possible one (1962–1998), an impossible one stays
  impossible in the same part (month, day or year); the sex digit is kept; appointment
  and serial are random and plausible.

The seed of the randomness is fixed and people are taken in the order they appear: the
output is deterministic. Before writing, the tool checks that no real NIP or real name
word is left on a name line, that every other line is unchanged, and that importing the
copies gives what importing the real documents gives (documents, rows, indikator, review
kinds and messages at the same lines, pangkat, NIP problems…) with only names and NIPs
replaced. A draw failing a check is replaced by the next; if none passes, nothing is
written.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iki_xlsx.core.atomic import atomic_path
from iki_xlsx.core.model import nip_problems
from iki_xlsx.define.documents import import_documents, import_text

SEEDS = ("kukar-bkpsdm-2025.txt", "sampang-bkd.txt", "kaltim-bkd-iku.txt")
OUT = ROOT / "tests" / "data" / "seeds"
DIGESTS = "real-identities.sha256"
SEED = 20250120
ATTEMPTS = 40
VARIANT = 0.75  # words at least this similar are spellings of one another

# --------------------------------------------------------------------------- NIPs

_NIP_LABELLED = re.compile(r"N\.?\s?I\.?\s?P\.?\s*(?:PPPK)?\s*[:.]?\s*(\d+(?:[ .\-]?\d+)*)", re.I)
_LONG_NUMBER = re.compile(r"(?<!\d)\d{15,20}(?!\d)")


def nip_spans(line: str) -> list[tuple[int, int]]:
    """Spans of the NIPs printed in a line: after a ``NIP`` label, or 15–20 bare digits."""
    spans = {m.span(1) for m in _NIP_LABELLED.finditer(line)}
    spans |= {m.span() for m in _LONG_NUMBER.finditer(line)
              if not any(a <= m.start() < b for a, b in spans)}
    return sorted(spans)


def _date_broken(birth: str) -> bool:
    """Whether the importer calls this birth date impossible (its own rule)."""
    return bool(nip_problems(birth + "2000011001"))


def _birth(real: str, rnd: random.Random) -> str:
    day = date(1962, 1, 1) + timedelta(days=rnd.randrange(37 * 365))
    if not _date_broken(real):
        return f"{day:%Y%m%d}"
    y, m, d = f"{day:%Y}", f"{day:%m}", f"{day:%d}"
    if not 1 <= int(real[4:6]) <= 12:
        m = "00" if real[4:6] == "00" else str(rnd.randint(13, 19))
    elif not 1 <= int(real[6:8]) <= 31:
        d = "00" if real[6:8] == "00" else str(rnd.randint(32, 39))
    elif not 1940 <= int(real[:4]) <= date.today().year - 15:
        y = str(rnd.randint(1100, 1939) if int(real[:4]) < 1940 else rnd.randint(2030, 2099))
    else:  # a day the month does not have (31 April, 30 February)
        m, d = rnd.choice((("02", "30"), ("04", "31"), ("06", "31"), ("09", "31")))
    return y + m + d


def synthetic_nip(real: str, rnd: random.Random) -> str:
    """Digits for a real NIP's digits: same length, birth date possible iff it was, the
    sex digit kept; a NIP printed with a digit too many or too few is a plausible one
    with a random digit added or dropped after the birth date."""
    n = len(real)
    if n < 8:
        return "".join(str(rnd.randint(0, 9)) for _ in range(n))
    born = _birth(real[:8], rnd)
    year = min(int(born[:4]) + rnd.randint(20, 32), 2022) if born[:2] == "19" else 2005
    sex = real[14] if n > 14 else str(rnd.randint(1, 2))
    digits = list(f"{born}{year}{rnd.randint(1, 12):02d}{sex}{rnd.randint(1, 60):03d}")
    while len(digits) > n:
        del digits[rnd.randrange(8, len(digits))]
    while len(digits) < n:
        digits.insert(rnd.randrange(8, len(digits) + 1), str(rnd.randint(0, 9)))
    return "".join(digits)


def printed_like(digits: str, printed: str) -> str:
    """``digits`` laid into the grouping of ``printed`` (its separators kept)."""
    it = iter(digits)
    return "".join(next(it) if c.isdigit() else c for c in printed)


# --------------------------------------------------------------------------- names

_HONORIFIC = {"DR", "DRS", "DRA", "H", "HJ", "IR", "PROF", "KH"}
_DEGREE = {"SE", "SH", "ST", "SP", "SIP", "SPD", "SKOM", "SSOS", "SSTP", "STP", "MM", "MSI",
           "MAP", "SAK", "SPSI", "AMD", "MT", "MH", "MPD", "SKM", "SAP", "MSC", "MA", "SI"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_JABATAN = re.compile(  # jabatan, unit, pangkat, caption and date words: never a name
    r"\b(?:kepala|kabid|kasubbag|kasubag|kasi|sekretaris|bupati|gubernur|wakil|camat|"
    r"analis\w*|pengolah|pengelola|penyusun\w*|pengadministrasi|pelaksana|verifikator|"
    r"penelaah|pranata|perencana|pejabat|plt|plh|pj|bidang|bagian|sub|seksi|badan|"
    r"dinas|kantor|kabupaten|kab|kota|provinsi|prov|bkpsdm|bkd|sdm|asn|aparatur|"
    r"kinerja|keuangan|umum|data|informasi|mutasi|promosi|kepegawaian|aset|mengetahui|"
    r"menyetujui|atasan|langsung|pihak|dibuat|oleh|pembina|penata|pengatur|juru|"
    r"tingkat|muda|madya|utama|nip|januari|februari|maret|april|mei|juni|juli|"
    r"agustus|september|oktober|november|desember|indikator|sasaran|tugas|fungsi|"
    r"jabatan|perangkat|daerah|tahun|jumlah|laporan)\b", re.I)
_PANGKAT_LINE = re.compile(r"^\W*(?:pembina|penata|penyata|pengatur|pengantar|juru)\b|"
                           r"\b(?:IV|III|II|I)\s*[/-]\s*[a-eA-E]\b|\((?:IV|III|II|I)\b", re.I)
_DATE_LINE = re.compile(r"^\W*[A-Z][A-Za-z .]+,\s*(?:\d{1,2}\s+)?[A-Za-z]{3,9}\.?\s+\d{4}")
_TITLED = re.compile(r"^[\s*~_]*(?:Prof|Dr|DR|Drs|DRS|Dra|Ir|H|Hj|HJ)\.\s*[A-Z]|"
                     r",\s*(?:[SM]\.\s?[A-Za-z]|A\.\s?Md|S[EH]\b|MM\b)")
_NIP_LINE = re.compile(r"^\W*N\.?\s?I\.?\s?P\b", re.I)
_NAMA_FIELD = re.compile(r"^\W*NAMA(?:\s+(?:PEGAWAI|ATASAN))?\s*[:.]\s*(\S.*?)\s*$", re.I)


def name_word_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the personal name words of a printed name: not the honorific prefixes,
    initials or degrees (everything after the first comma, or a trailing ``SE``)."""
    head, keep, leading = text.split(",")[0], [], True
    for m in _WORD.finditer(head):
        if leading and m[0].upper() in _HONORIFIC and head[m.end():m.end() + 1] == ".":
            continue
        leading = False
        keep += [m] * (len(m[0]) > 1)
    while keep and keep[-1][0].upper() in _DEGREE and len(keep) > 1:
        keep.pop()
    return [m.span() for m in keep]


@dataclass(frozen=True)
class NameSpot:
    """A printed name: line number (1-based) and its span in that line."""

    line: int
    start: int
    end: int


def pattern_spots(lines: list[str]) -> set[NameSpot]:
    """Names the pattern rules find: the line above a pangkat/NIP line, titled lines,
    ``NAMA :`` fields (never a table line, a jabatan, a date or a caption)."""
    spots = set()
    for i, raw in enumerate(lines):
        text = raw.strip()
        if not text or "\t" in raw or len(text) > 80:
            continue
        field = _NAMA_FIELD.match(raw)
        if field:
            spots.add(NameSpot(i + 1, field.start(1), field.end(1)))
            continue
        if (_NIP_LINE.match(text) or _PANGKAT_LINE.search(text) or _DATE_LINE.match(text)
                or _JABATAN.search(text) or not re.search(r"[A-Za-z]{2}", text)):
            continue
        after = [t.strip() for t in lines[i + 1:i + 6] if t.strip()]
        while after and _PANGKAT_LINE.search(after[0]) and not _NIP_LINE.match(after[0]):
            after.pop(0)
        if (after and _NIP_LINE.match(after[0])) or _TITLED.search(text):
            start = len(raw) - len(raw.lstrip(" *~_#"))
            end = len(raw.rstrip(" *~_"))
            spots.add(NameSpot(i + 1, start, end))
    return spots


def importer_spots(result, lines: list[str]) -> tuple[set[NameSpot], int]:
    """Every signer's name the importer read, located in its line; and how many could
    not be located (each is then a check failure)."""
    spots, lost = set(), 0
    for doc in result.documents:
        for person in doc.signature.persons:
            if not person.nama:
                continue
            pattern = re.compile(r"\s+".join(map(re.escape, person.nama.split())))
            last = (person.nip_line or person.line + 6)
            found = [NameSpot(n, m.start(), m.end()) for n in range(person.line, last + 1)
                     if n <= len(lines) for m in [pattern.search(lines[n - 1])] if m]
            spots.update(found[:1])
            lost += not found
    return spots, lost


def merge_spots(spots: set[NameSpot]) -> dict[int, list[NameSpot]]:
    """Spots by line, overlapping ones merged (the importer's and a rule's may overlap)."""
    by_line: dict[int, list[NameSpot]] = {}
    for s in sorted(spots, key=lambda s: (s.line, s.start)):
        row = by_line.setdefault(s.line, [])
        row[-1:] = ([NameSpot(s.line, row[-1].start, max(row[-1].end, s.end))]
                    if row and s.start < row[-1].end else row[-1:] + [s])
    return by_line


# --------------------------------------------------------------------------- the mapping

_VOWELS = "aeiou"
_CONSONANTS = "bdghjklmnprstwy"
_ONSETS = "b d g h j k l m n p r s t w y b d g h j k l m n p r s t w sy ny kh".split()
_CODAS = "n r s h l m t k".split()
_ENDINGS = ("wati yanti syah wan di ni to no man din sih ah ati ani anto udin iah na ri ti "
            "di wan".split())


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _nice(word: str) -> bool:
    """Reads like a name: no doubled letter or syllable, no three vowels, consonant
    clusters only where Indonesian has them (``SY``/``NY``/``KH`` first, ``NG`` last, two
    inside)."""
    if re.search(r"(.)\1|[AEIOU]{3}|YI|WU|(SY|NY|KH).*\2|(..)\3", word):
        return False
    clusters = [(m.start(), m[0]) for m in re.finditer(r"[^AEIOU]+", word)]
    return all(len(c) == 1 or c in ("SY", "NY", "KH") and at == 0
               or c == "NG" and at + 2 == len(word)
               or len(c) == 2 and 0 < at < len(word) - 2 for at, c in clusters)


def styled(word: str, like: str) -> str:
    """``word`` with the letter case of ``like`` (same length), position by position."""
    return "".join(c.upper() if k < len(like) and like[k].isupper() else c.lower()
                   for k, c in enumerate(word))


class Names:
    """The word mapping: real name word (upper case) → synthetic word of the same length."""

    def __init__(self, words: list[str], counts: dict[str, int], forbidden: set[str],
                 rnd: random.Random):
        self.rnd, self.forbidden, self.map = rnd, forbidden, {}
        for w in sorted(words, key=lambda w: (-counts[w], words.index(w))):  # bases first
            best = max(self.map, key=lambda d: _ratio(w, d), default="")
            self.map[w] = self._derived(best, w) if _ratio(w, best) >= VARIANT else self._fresh(w)

    def _fresh(self, real: str) -> str:
        rnd = self.rnd
        for _ in range(20000):
            ending = rnd.choice([e for e in _ENDINGS if len(e) <= len(real) - 2] or [""])
            body = ""
            while len(body) < len(real) - len(ending):
                body += rnd.choice(_ONSETS) + rnd.choice(_VOWELS)
                body += rnd.choice(_CODAS) if rnd.random() < 0.25 else ""
            word = (body + ending).upper()
            if (len(word) == len(real) and _nice(word) and word not in self.forbidden
                    and word not in self.map.values()
                    and _ratio(word, real) <= 0.5
                    and all(_ratio(word, s) < VARIANT for s in self.map.values())):
                return word
        raise RuntimeError(f"no synthetic word of {len(real)} letters")

    def _derived(self, base: str, real: str) -> str:
        """A spelling variant of ``base``'s synthetic word, as similar to it as ``real`` is
        to ``base``: as many letters dropped, added and changed, at random places that
        keep it pronounceable if any do."""
        syn = self.map[base]
        ops = [o for o in SequenceMatcher(None, base, real, autojunk=False).get_opcodes()
               if o[0] != "equal"]
        target = _ratio(base, real)
        drop = sum(max((i2 - i1) - (j2 - j1), 0) for _, i1, i2, j1, j2 in ops)
        add = sum(max((j2 - j1) - (i2 - i1), 0) for _, i1, i2, j1, j2 in ops)
        change = sum(min(i2 - i1, j2 - j1) for _, i1, i2, j1, j2 in ops)
        fallback = ""
        for _ in range(2000):
            word = self._edited(syn, drop, add, change)
            if (abs(_ratio(syn, word) - target) < 0.02 and word not in self.forbidden
                    and word not in self.map.values()):
                if _nice(word):
                    return word
                fallback = fallback or word
        return fallback or word  # the checks judge whether it still does

    def _letter(self, vowel: bool, avoid: str = "") -> str:
        return self.rnd.choice([c for c in (_VOWELS if vowel else _CONSONANTS).upper()
                                if c != avoid])

    def _edited(self, syn: str, drop: int, add: int, change: int) -> str:
        word = list(syn)
        for _ in range(change):
            k = self.rnd.randrange(len(word))
            word[k] = self._letter(word[k] in "AEIOU", word[k])
        for _ in range(drop):
            del word[self.rnd.randrange(len(word))]
        for _ in range(add):
            word.insert(self.rnd.randrange(len(word) + 1), self._letter(self.rnd.random() < 0.4))
        return "".join(word)

    def name(self, text: str) -> str:
        """A printed name with its name words replaced (titles, case, punctuation kept)."""
        out, at = [], 0
        for a, b in name_word_spans(text):
            out += [text[at:a], styled(self.map[text[a:b].upper()], text[a:b])]
            at = b
        return "".join(out) + text[at:]


# --------------------------------------------------------------------------- one draw

@dataclass
class Seed:
    """A real seed as read: its lines, what the importer made of it, where people are."""

    name: str
    text: str
    result: object
    spots: dict[int, list[NameSpot]]
    by_importer: int
    by_rules_only: int
    lost: int

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def printed_names(self) -> list[str]:
        lines = self.lines
        return [lines[n - 1][s.start:s.end] for n, row in self.spots.items() for s in row]


def read_seed(path: Path) -> Seed:
    text = path.read_bytes().decode("utf-8")
    result = import_documents([path])
    found, lost = importer_spots(result, text.split("\n"))
    rules = pattern_spots(text.split("\n"))
    rules_only = {s.line for s in rules} - {s.line for s in found}
    return Seed(path.name, text, result, merge_spots(found | rules), len(found),
                len(rules_only), lost)


def real_words(seeds: list[Seed]) -> tuple[list[str], dict[str, int]]:
    """Name words (upper case) in order of first appearance, and how often each is printed."""
    order, counts = [], {}
    for text in (t for seed in seeds for t in seed.printed_names()):
        for a, b in name_word_spans(text):
            w = text[a:b].upper()
            order += [w] * (w not in counts)
            counts[w] = counts.get(w, 0) + 1
    return order, counts


def real_nips(seeds: list[Seed]) -> list[str]:
    """The digits of every printed NIP, in order of first appearance."""
    found = [re.sub(r"\D", "", line[a:b]) for seed in seeds for line in seed.lines
             for a, b in nip_spans(line)]
    return list(dict.fromkeys(found))


def anonymise(seed: Seed, names: Names, nips: dict[str, str]) -> str:
    """The seed's text with its NIPs and names replaced (every replacement keeps lengths)."""
    lines = seed.lines
    for n, line in enumerate(lines, start=1):
        for a, b in nip_spans(line):
            line = line[:a] + printed_like(nips[re.sub(r"\D", "", line[a:b])], line[a:b]) + line[b:]
        for s in seed.spots.get(n, []):
            line = line[:s.start] + names.name(line[s.start:s.end]) + line[s.end:]
        lines[n - 1] = line
    return "\n".join(lines)


def draw(seeds: list[Seed], k: int) -> tuple[Names, dict[str, str]]:
    rnd = random.Random(f"{SEED}/{k}")
    order, counts = real_words(seeds)
    forbidden = {w.upper() for s in seeds for w in _WORD.findall(s.text)}
    names = Names(order, counts, forbidden, rnd)
    real = real_nips(seeds)
    nips: dict[str, str] = {}
    for digits in real:
        new = synthetic_nip(digits, rnd)
        while new in nips.values() or new in real:
            new = synthetic_nip(digits, rnd)
        nips[digits] = new
    return names, nips


# --------------------------------------------------------------------------- checks

def check_words(names: Names, forbidden: set[str]) -> list[str]:
    synthetic = list(names.map.values())
    problems = ["two real name words share a synthetic word"] * (
        len(set(synthetic)) < len(synthetic))
    problems += [f"a synthetic word is a real or organisational word ({len(w)} letters)"
                 for w in synthetic if w in forbidden or _JABATAN.fullmatch(w)]
    return problems


def check_text(seed: Seed, out: str, names: Names, nips: dict[str, str]) -> list[str]:
    """Only name and NIP lines changed; none of them keeps a real name word or NIP."""
    problems = []
    before, after = seed.lines, out.split("\n")
    if len(before) != len(after):
        return [f"{seed.name}: the number of lines changed"]
    real = set(names.map)
    for n, (old, new) in enumerate(zip(before, after), start=1):
        if n not in seed.spots and not nip_spans(old) and old != new:
            problems.append(f"{seed.name} line {n}: changed but holds no name or NIP")
        if n in seed.spots and {w.upper() for w in _WORD.findall(new)} & real:
            problems.append(f"{seed.name} line {n}: a real name word remains")
        digits = re.sub(r"\D", "", new)
        if any(d in digits for d in nips):
            problems.append(f"{seed.name} line {n}: a real NIP remains")
    return problems


def _people(result) -> set[str]:
    """Every name the importer read from a document (signers, pegawai, atasan)."""
    found = {p.nama for d in result.documents for p in d.signature.persons}
    found |= {p.nama for a in result.master.assignments for p in (a.pegawai, a.atasan) if p}
    return {n for n in found if n}


def _mapped_message(text: str, people: re.Pattern, names: Names, nips: dict[str, str]) -> str:
    text = re.sub(r"\d{15,20}", lambda m: nips.get(m[0], m[0]), text)
    return people.sub(lambda m: names.name(m[0]), text)


def check_import(seed: Seed, out: str, names: Names, nips: dict[str, str]) -> list[str]:
    """Importing the copy gives what importing the real document gives, people replaced."""
    real, got = seed.result, import_text(out, seed.name)
    problems = [f"{seed.name}: {what} differ" for what, a, b in (
        ("the summaries", real.summary, got.summary),
        ("the IKI definitions", real.master.iki, got.master.iki),
        ("the settings", real.master.settings, got.master.settings),
        ("the notes", (real.notes, real.inferred), (got.notes, got.inferred))) if a != b]

    def person(p):
        return p and replace(p, nama=names.name(p.nama), nip=nips.get(p.nip, p.nip))

    for a, b in zip(real.master.assignments, got.master.assignments):
        expected = replace(a, pegawai=person(a.pegawai), atasan=person(a.atasan),
                           atasan_nip=nips.get(a.atasan_nip, a.atasan_nip))
        if expected != b:
            problems.append(f"{seed.name}: the Pegawai row of line {a.row} differs")
    keys = ("file", "line", "kind", "kode_iki")
    if [tuple(r[k] for k in keys) for r in real.review] != [
            tuple(r[k] for k in keys) for r in got.review]:
        problems.append(f"{seed.name}: the review rows differ")
    else:
        people = re.compile("|".join(map(re.escape, sorted(_people(real), key=len, reverse=True)))
                            or "(?!)")
        for a, b in zip(real.review, got.review):
            if any(_mapped_message(a[k], people, names, nips) != b[k]
                   for k in ("message", "action")):
                problems.append(f"{seed.name}: the {a['kind']} message of line {a['line']} differs")
    return problems


# --------------------------------------------------------------------------- digests

def identities(nama: str = "", nip: str = "") -> set[tuple[str, str]]:
    """The normalised identities of one person, as (kind, value): ``nip`` its digits;
    ``nama`` the name before the first comma without spaces, commas and dots, lower case,
    with and without leading honorifics (``Drs.``, ``H.``)."""
    out = set()
    digits = re.sub(r"\D", "", nip)
    if digits:
        out.add(("nip", digits))
    head = nama.split(",")[0]
    bare = re.sub(r"^\W*(?:(?:Prof|Dr|Drs|Dra|Ir|H|Hj|KH)\.\s*)+", "", head, flags=re.I)
    for form in (head, bare):
        value = re.sub(r"[\s,.]", "", form).lower()
        if value:
            out.add(("nama", value))
    return out


def name_words(nama: str) -> set[tuple[str, str]]:
    """Each personal name word of a printed name, lower case, as ("kata", word)."""
    return {("kata", nama[a:b].lower()) for a, b in name_word_spans(nama)}


DIGEST_HEADER = """\
# The real people of the seeds, as SHA-256 digests of "iki-xlsx:<kind>:<value>" (kind nip:
# a NIP's digits; nama: a name before its first comma without spaces, commas and dots,
# lower case, with and without honorifics; kata: one name word, lower case). Written by
# tools/anonymise_seeds.py from the real seeds; the tests check the example master and
# the anonymised seeds against it. Sorted, so the order tells nothing.
"""


def digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"iki-xlsx:{kind}:{value}".encode()).hexdigest()


def digest_lines(seeds: list[Seed], nips: dict[str, str]) -> list[str]:
    found = {("nip", d) for d in nips}
    for text in (t.strip(" *~_") for seed in seeds for t in seed.printed_names()):
        found |= identities(text) | name_words(text)
    return sorted(f"{kind} {digest(kind, value)}" for kind, value in found)


# --------------------------------------------------------------------------- main

def passing_draw(seeds: list[Seed]) -> tuple[Names, dict[str, str], list[str]] | None:
    """The first draw whose copies pass every check (problems of the others on stderr)."""
    forbidden = {w.upper() for s in seeds for w in _WORD.findall(s.text)}
    for k in range(ATTEMPTS):
        names, nips = draw(seeds, k)
        outputs = [anonymise(s, names, nips) for s in seeds]
        problems = check_words(names, forbidden)
        problems += [f"{s.name}: {s.lost} signer name(s) not located" for s in seeds if s.lost]
        for seed, out in zip(seeds, outputs):
            problems += check_text(seed, out, names, nips) + check_import(seed, out, names, nips)
        if not problems:
            return names, nips, outputs
        print(f"draw {k + 1}: {len(problems)} check(s) failed, e.g. {problems[0]}", file=sys.stderr)
    return None


def write(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(text.encode("utf-8"))


def report(seed: Seed, names: Names) -> str:
    """What was replaced in one seed, as counts (never a real value)."""
    nips = sum(len(nip_spans(line)) for line in seed.lines)
    shared = {w.upper() for n, line in enumerate(seed.lines, start=1) if n not in seed.spots
              for w in _WORD.findall(line)} & set(names.map)
    return (f"{seed.name}: {sum(map(len, seed.spots.values()))} printed name(s) and {nips} "
            f"printed NIP(s) replaced; names read by the importer {seed.by_importer}, lines "
            f"only the pattern rules found {seed.by_rules_only}; name words that are also "
            f"organisational text there (left in that text) {len(shared)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, help="folder of the real seeds",
                        default=Path(os.environ.get("IKI_SEEDS", ROOT.parent / "shared" / "seeds")))
    parser.add_argument("-o", "--out", type=Path, default=OUT, help=f"default {OUT}")
    args = parser.parse_args(argv)
    missing = [n for n in SEEDS if not (args.source / n).is_file()]
    if missing:
        print(f"not found in {args.source}: {', '.join(missing)}", file=sys.stderr)
        return 2
    seeds = [read_seed(args.source / n) for n in SEEDS]
    found = passing_draw(seeds)
    if found is None:
        print("no draw passed the checks; nothing written", file=sys.stderr)
        return 1
    names, nips, outputs = found
    for seed, out in zip(seeds, outputs):
        write(args.out / seed.name, out)
        print(report(seed, names))
    digests = digest_lines(seeds, nips)
    write(args.out / DIGESTS, DIGEST_HEADER + "\n".join(digests) + "\n")
    print(f"{len(names.map)} distinct name words and {len(nips)} distinct NIPs replaced; "
          f"{len(digests)} digests in {DIGESTS}; every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
