"""What a cell of a flattened table looks like, for :mod:`.flatcut`'s search: a line cut
where two cells' first lines ran together (:func:`cuts`), and the score of a run of lines
as the cell of a column (:func:`cell_score`): the shapes that mark a column — a target
(``100%``, ``0 temuan``, ``BB (70)``, ``12 dokumen``, ``70``), a data source (``Sub Bagian
…``, ``Bidang …``), the words sasaran and indicators start with (``Meningkatnya …``,
``Persentase …``), a formula (``dibagi``, ``x 100%``); a cell starts with a capital and does
not end on ``dan``/``oleh``; a list goes on with its next item; a wrapped line is full (when
the first word of the next line would have fitted, that line starts a new cell) and no line
is wider than its column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .words import Vocabulary

_TARGET_BODY = (
    r"(?:(?:[<>≤≥]=?|min(?:imal)?\.?|maks(?:imal)?\.?)\s*)?(?:"
    r"\d+(?:[.,]\d+)*\s*%"
    r"|\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)?(?:\s+[a-zA-Z]+){0,2}"
    r"|[A-Z]{1,3}\+?\s*\(\s*\d+(?:[.,]\d+)?\s*\)"
    r"|WTP|AA|A|BB|B|CC|Baik|Sangat Baik|Tepat Waktu|Ya|Opini WTP)")
_TARGET = re.compile(rf"^{_TARGET_BODY}$", re.I)
STARTS = {
    "sasaran": re.compile(r"^(?:(?:Ter|Me|Ber|Ke|Se|Di)[a-z]+nya\b|Mening|Terwujud|Tertib|"
                          r"Terlaksana|Tersedia|Tercapai|Menurun|Optimal|Terpenuhi|Peningkatan|Mewujudkan|Meningkatkan|Terselengg|"
                          r"Terkelola|Terjamin|Terbina|Efektif|Akuntab|Pengelolaan|"
                          r"Penyelenggaraan|Pelayanan|Percepatan|Penguatan)", re.I),
    "indikator": re.compile(r"^(?:Persentase|Prosentase|Presentase|Jumlah|Indeks|Nilai|"
                            r"Tingkat|Rasio|Capaian|Predikat|Angka|Skor|Rata|Waktu|"
                            r"Ketepatan|Banyaknya|Cakupan|Opini|Dokumen|Laporan|Level)",
                            re.I),
    "penjelasan": re.compile(r"^(?:Jumlah|Nilai|Persentase|Rasio|Perbandingan|Hasil|"
                             r"Berdasarkan|Total|Rata|Realisasi|Σ|\(|Indeks|Capaian)", re.I),
    "sumber_data": re.compile(r"^(?:Sub\s*Bag(?:ian)?|Subbag|Bidang|Bagian|Seksi|Sekretariat|"
                              r"Badan|Dinas|Kantor|UPT|UPTD|Inspektorat|Bappeda|BPK|BKN|"
                              r"Aplikasi|SIMPEG|SIASN|Data\s|Buku|Arsip|Laporan|LKj|Renstra|"
                              r"Renja|Dokumen|Sistem|Hasil\s+(?:survei|survey|evaluasi))",
                              re.I),
}
_FORMULA = re.compile(r"dibagi|dikali|[x×]\s*100|/|:|%|\bper\b|rumus", re.I)


@dataclass
class Piece:
    line: int  # 1-based source line
    text: str
    joined: bool = False  # on the same source line as the piece before it
    cut_cost: float = 0.0  # cost of a cell starting here, inside a line (weak evidence)
    page_start: bool = False  # the first line after column titles repeated on a new page
    box: bool = False  # the first piece of a block of lines after a blank line



def cuts(line: str, has_target: bool) -> list[tuple[str, float]]:
    """A line cut where two cells' texts may have run together, each part with the cost
    of a cell boundary before it: around a target (``100% Jumlah …``, ``… SITB 24 jam``,
    ``UCI 24 jam Desa …``) and before a capitalised word (weaker evidence)."""
    spans: list[tuple[str, bool]] = []  # (text, is a target)
    pos = 0
    if has_target:
        for t in _TARGET_IN.finditer(line):
            if line[pos:t.start(1)].strip():
                spans.append((line[pos:t.start(1)].strip(), False))
            spans.append((t[1], True))
            pos = t.end(1)
    if line[pos:].strip():
        spans.append((line[pos:].strip(), False))
    lead = _TARGET_LEAD.match(spans[0][0]) if has_target and spans and not spans[0][1] else None
    out: list[tuple[str, float]] = []
    if lead:  # "5 dokumen dokumen evaluasi …": a target, then a cell going on in lowercase
        out = [(lead[1], 0.0)]
        spans[0] = (spans[0][0][lead.end():], False)
    for k, (text, target) in enumerate(spans):
        if target:
            out.append((text, 0.0 if not out else 1.0))
            continue
        if lead and k == 0:
            out.append((text, 1.2))
            continue
        after_target = k > 0 and spans[k - 1][1]
        for j, part in enumerate(_CAPITAL_CUT.split(text)):
            if j == 0:
                out.append((part, 0.0 if not out else (0.3 if k == 1 and len(out) == 1
                                                       else 1.0) if after_target else 1.5))
            else:
                out.append((part, 1.5))
    return out


def cell_lines(pieces: list[Piece]) -> list[str]:
    """A cell's text per source line."""
    lines: list[str] = []
    for p in pieces:
        if p.joined and lines:
            lines[-1] += " " + p.text
        else:
            lines.append(p.text)
    return lines


def cell_text(pieces: list[Piece], vocab: Vocabulary | None = None) -> str:
    """A cell's text: pieces of one line joined by a space, wrapped lines as ``vocab``
    joins them (``Perundang-`` + ``Undangan``)."""
    out = ""
    for p in pieces:
        if vocab is not None and out and not p.joined:
            out = vocab.join(out, p.text)
        elif out.endswith("-") and not out.endswith(" -") and p.text[:1].islower():
            out += p.text
        else:
            out = f"{out} {p.text}".strip()
    return out


def cell_score(kind: str, pieces: list[Piece], has_target: bool,
                widths: dict[str, int]) -> float:
    full = cell_text(pieces)
    first = core(full)
    listed = BULLET.match(full) is not None
    score = 0.0
    if first[:1].islower():
        score -= 3.0
    elif kind != "target" and not (first[:1].isupper() or listed or first[:1] in "(\"'“"):
        score -= 1.5  # text columns start with a capital (or a bullet)
    if kind == "target":
        if len(pieces) == 1 and _TARGET.match(full):
            score += 2.0 if re.fullmatch(r"\d{1,3}", full) else 4.0  # a bare "1" is weak
        elif len(full.split()) <= 4:
            score -= 1.0
        else:
            score -= 8.0
    elif has_target and len(pieces) == 1 and _TARGET.match(full):
        score -= 3.0
    pattern = STARTS.get(kind)
    if pattern is not None and pattern.match(first):
        score += 2.5 if kind != "penjelasan" else 1.0
    if kind == "penjelasan" and _FORMULA.search(full):
        score += 1.0
    if _OPEN_END.search(pieces[-1].text):
        score -= 3.0  # "… oleh", "… dan": the text goes on in the same cell
    width = widths.get(kind)
    lines = cell_lines(pieces)
    if width and any(len(line) > 1.15 * width for line in lines):
        score -= 3.0  # longer than any line of this column: two cells' lines run together
    for a, b in zip(lines, lines[1:]):
        if BULLET.match(b):
            score += 1.5 if listed else -1.0  # the next item of this cell's list
            continue
        if width and len(a) + 1 + len(b.split()[0]) <= 0.8 * width:
            score -= 2.0  # the word would have fitted: b starts another cell
        if b[:1].isupper():
            score -= 0.3
            if any(k != kind and p.match(b) for k, p in STARTS.items()):
                score -= 1.0  # the start of another column's text
    return score


BULLET = re.compile(r"^[-–•·▪]\s+")
# a target standing between two texts, or at either end of the line
_TARGET_IN = re.compile(
    r"(?:^|(?<=\s))((?:[<>≤≥]=?\s*)?(?:\d+(?:[.,]\d+)*\s*%|[A-Z]{1,3}\+?\s*\(\s*\d+(?:[.,]\d+)?\s*\)"
    r"|\d+(?:[.,]\d+)*(?:\s+(?:[a-z]+|[A-Z]{1,4}))?|Tepat Waktu))(?=\s+[A-Z(]|$)")
# a target at the start of a line, the next cell going on in lowercase: "5 dokumen dokumen …"
_TARGET_LEAD = re.compile(r"^(\d+(?:[.,]\d+)*\s*%?(?:\s+[a-z]{3,})?)\s+(?=[a-z])")
# two cells' first lines run together: "Persentase desa UCI Desa dengan imunisasi"
_CAPITAL_CUT = re.compile(r"(?<=[A-Za-z0-9).,%])\s+(?=[A-Z][a-z])")
_OPEN_END = re.compile(r"\b(?:oleh|dan|yang|di|ke|dari|untuk|dengan|atau|terhadap|pada|dalam|"
                       r"serta|bagi|sebagai|tentang|atas|antara|melalui|dibagi|dikali|"
                       r"dikalikan|per|x)$|[,(/×:=+-]$", re.I)


def core(text: str) -> str:
    return BULLET.sub("", text)

