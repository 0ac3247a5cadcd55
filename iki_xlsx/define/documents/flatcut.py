"""The cut of a flattened table's body into rows and cells (see :mod:`.flat`).

A row group starts at the next NO (``1``, ``2`` … in sequence at the start of a line; a
number seen twice before the next one goes to the line that starts like a sasaran). Inside
a group the lines — and the parts of a line where two cells' first lines ran together —
are split into cells in the order of the header's columns by the best-scoring split
(:func:`_segment`, dynamic programming with a small beam). What scores: the shapes that
mark a column — a target (``100%``, ``0 temuan``, ``BB (70)``, ``12 dokumen``, ``70``), a
data source (``Sub Bagian …``, ``Bidang …``), the words sasaran and indicators start with
(``Meningkatnya …``, ``Persentase …``), a formula (``dibagi``, ``x 100%``); a cell starts
with a capital and does not end on ``dan``/``oleh``; a list goes on with its next item;
a wrapped line is full (when the first word of the next line would have fitted, that line
starts a new cell) and no line is wider than its column (widths are learnt from a first
pass over the same table); every row costs, so rows are not invented for their bonuses.
A row whose cut rests on weak evidence, lacks a cell or starts one in lowercase is
reported (``kolom_tidak_pasti``, with its source lines), as are the rows around a page
break that cut a row (the page goes on in lowercase): those are not rebuilt.

(A little over 400 lines: the scores and the search that weighs them belong together.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .issues import Issue

_NO = re.compile(r"^(\d{1,3})[.)]?(?:\s+(?=\S)|$)")
_TARGET_BODY = (
    r"(?:(?:[<>≤≥]=?|min(?:imal)?\.?|maks(?:imal)?\.?)\s*)?(?:"
    r"\d+(?:[.,]\d+)*\s*%"
    r"|\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)?(?:\s+[a-zA-Z]+){0,2}"
    r"|[A-Z]{1,3}\+?\s*\(\s*\d+(?:[.,]\d+)?\s*\)"
    r"|WTP|AA|A|BB|B|CC|Baik|Sangat Baik|Tepat Waktu|Ya|Opini WTP)")
_TARGET = re.compile(rf"^{_TARGET_BODY}$", re.I)
_STARTS = {
    "sasaran": re.compile(r"^(?:(?:Ter|Me|Ber|Ke|Se|Di)[a-z]+nya\b|Mening|Terwujud|Tertib|Terlaksana|Tersedia|Tercapai|Menurun|"
                          r"Optimal|Terpenuhi|Peningkatan|Mewujudkan|Meningkatkan|Terselengg|"
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
_SKIP = {"sasaran": 4.0, "indikator": 8.0, "target": 2.5, "penjelasan": 2.5,
         "sumber_data": 2.5, "satuan": 1.0, "lain": 0.2}
_BEAM = 12  # states kept per position of the cut (the best ones)
_ROW = 3.0  # the cost of one more row: every row earns its cells' bonuses again
_WEAK = 1.0  # a row is reported when moving a cell boundary scores less than this
# worse, when a cell the header has is missing, or when a cell starts in lowercase



@dataclass
class _Piece:
    line: int  # 1-based source line
    text: str
    joined: bool = False  # on the same source line as the piece before it
    cut_cost: float = 0.0  # cost of a cell starting here, inside a line (weak evidence)
    page_start: bool = False  # the first line after column titles repeated on a new page


def rebuild(kinds: list[str], body: list[tuple[int, str, bool]]
            ) -> tuple[list[tuple[int, list[str]]], list[Issue]]:
    """Rows (first source line, cells in header order) of a flattened table body."""
    has_no = "no" in kinds
    cols = [k for k in kinds if k != "no"]
    groups = _groups(body, has_no, "target" in cols)
    widths: dict[str, int] = {}
    for _ in range(2):  # the first pass learns the column widths the second one uses
        cut = [_segment(pieces, cols, has_no, widths) for _, pieces in groups]
        learnt: dict[str, list[int]] = {}
        for rows, _margins in cut:
            for row in rows:
                for kind, cell in row.items():
                    learnt.setdefault(kind, []).extend(len(t) for t in _lines(cell))
        widths = {k: max(v) for k, v in learnt.items() if len(v) >= 3}
    out: list[tuple[int, list[str]]] = []
    issues: list[Issue] = []
    flat_rows = [row for rows, _ in cut for row in rows]
    broken = set()  # rows a page break cut: the page goes on in lowercase (not rebuilt)
    for k, row in enumerate(flat_rows):
        if any(p.page_start and (_core(p.text)[:1].islower() or p.text[:1].isdigit())
               for c in row.values() for p in c):
            broken |= {id(r) for r in flat_rows[max(k - 1, 0):k + 2]}  # and its neighbours
    for (no, pieces), (rows, margins) in zip(groups, cut):
        for r, (row, margin) in enumerate(zip(rows, margins)):
            first = min(p.line for cell in row.values() for p in cell)
            last = max(p.line for cell in row.values() for p in cell)
            cells = []
            for kind in kinds:
                if kind == "no":
                    cells.append(no if r == 0 else "")
                else:
                    cells.append(_text(row.get(kind, [])))
            out.append((first, cells))
            needed = [k for k in cols if k in ("indikator", "penjelasan", "sumber_data")
                      or (k == "sasaran" and r == 0 and has_no)]
            if (margin < _WEAK or id(row) in broken or any(k not in row for k in needed)
                    or any(_core(_text(c))[:1].islower() for c in row.values())):
                issues.append(Issue("kolom_tidak_pasti", first,
                                    {"why": "teks_rata", "last_line": last}))
    return out, issues


def _groups(body: list[tuple[int, str, bool]], has_no: bool, has_target: bool
            ) -> list[tuple[str, list[_Piece]]]:
    """Pieces per NO group; a NO, or a target at the start of a line, is cut off."""
    groups: list[tuple[str, list[_Piece]]] = []
    starts = _number_lines(body) if has_no else set()
    for k, (line_no, line, page_start) in enumerate(body):
        line = line.strip()
        if not line:
            continue
        m = _NO.match(line) if k in starts else None
        if m:
            groups.append((m[1], []))
            line = line[m.end():]
            if not line:
                continue
        if not groups:
            groups.append(("", []))
        pieces = groups[-1][1]
        for k, (part, cost) in enumerate(_cuts(line, has_target)):
            pieces.append(_Piece(line_no, part, joined=bool(m) or k > 0, cut_cost=cost,
                                 page_start=page_start and k == 0))
    for _, pieces in groups:  # a list item after a list item: the list goes on
        item = False
        for p in pieces:
            if p.joined:
                continue
            if _BULLET.match(p.text):
                if item:
                    p.cut_cost += 2.0
                item = True
            elif not p.text[:1].islower() and not item:
                item = False
    return groups


def _number_lines(body: list[tuple[int, str, bool]]) -> set[int]:
    """Indexes of the body lines that start a NO group: numbers in sequence at the start
    of a line (``4 laporan`` is a target: lowercase after it). When a number shows up
    more than once before the next one (a wrapped ``… bidang`` / ``3 Jumlah …``), the
    line whose text starts like a sasaran wins, else the first."""
    found: dict[int, list[int]] = {}
    for k, (_, line, _) in enumerate(body):
        m = _NO.match(line.strip())
        if m and not line.strip()[m.end():][:1].islower():
            found.setdefault(int(m[1]), []).append(k)
    out: set[int] = set()
    expected, after = (min(found) if found and min(found) <= 3 else 1), -1
    while expected in found:
        nxt = [k for k in found.get(expected + 1, []) if k > after]
        limit = min(nxt) if nxt else len(body)
        cands = [k for k in found[expected] if after < k < limit]
        if not cands:
            break
        best = next((k for k in cands if _STARTS["sasaran"].match(
            body[k][1].strip()[_NO.match(body[k][1].strip()).end():])), cands[0])
        out.add(best)
        after, expected = best, expected + 1
    return out


def _cuts(line: str, has_target: bool) -> list[tuple[str, float]]:
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
    out: list[tuple[str, float]] = []
    for k, (text, target) in enumerate(spans):
        if target:
            out.append((text, 0.0 if not out else 1.0))
            continue
        after_target = k > 0 and spans[k - 1][1]
        for j, part in enumerate(_CAPITAL_CUT.split(text)):
            if j == 0:
                out.append((part, 0.0 if not out else (0.3 if k == 1 and len(out) == 1
                                                       else 1.0) if after_target else 1.5))
            else:
                out.append((part, 1.5))
    return out


def _lines(pieces: list[_Piece]) -> list[str]:
    """A cell's text per source line."""
    lines: list[str] = []
    for p in pieces:
        if p.joined and lines:
            lines[-1] += " " + p.text
        else:
            lines.append(p.text)
    return lines


def _text(pieces: list[_Piece]) -> str:
    out = ""
    for p in pieces:
        if out.endswith("-") and not out.endswith(" -") and p.text[:1].islower():
            out += p.text
        else:
            out = f"{out} {p.text}".strip()
    return out


def _cell_score(kind: str, pieces: list[_Piece], has_target: bool,
                widths: dict[str, int]) -> float:
    full = _text(pieces)
    first = _core(full)
    listed = _BULLET.match(full) is not None
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
    pattern = _STARTS.get(kind)
    if pattern is not None and pattern.match(first):
        score += 2.5 if kind != "penjelasan" else 1.0
    if kind == "penjelasan" and _FORMULA.search(full):
        score += 1.0
    if _OPEN_END.search(pieces[-1].text):
        score -= 3.0  # "… oleh", "… dan": the text goes on in the same cell
    width = widths.get(kind)
    lines = _lines(pieces)
    if width and any(len(line) > 1.15 * width for line in lines):
        score -= 3.0  # longer than any line of this column: two cells' lines run together
    for a, b in zip(lines, lines[1:]):
        if _BULLET.match(b):
            score += 1.5 if listed else -1.0  # the next item of this cell's list
            continue
        if width and len(a) + 1 + len(b.split()[0]) <= 0.8 * width:
            score -= 2.0  # the word would have fitted: b starts another cell
        if b[:1].isupper():
            score -= 0.3
            if any(k != kind and p.match(b) for k, p in _STARTS.items()):
                score -= 1.0  # the start of another column's text
    return score


_BULLET = re.compile(r"^[-–•·▪]\s+")
# a target standing between two texts, or at either end of the line
_TARGET_IN = re.compile(
    r"(?:^|(?<=\s))((?:[<>≤≥]=?\s*)?(?:\d+(?:[.,]\d+)*\s*%|[A-Z]{1,3}\+?\s*\(\s*\d+(?:[.,]\d+)?\s*\)"
    r"|\d+(?:[.,]\d+)*(?:\s+[a-z]+)?|Tepat Waktu))(?=\s+[A-Z(]|$)")
# two cells' first lines run together: "Persentase desa UCI Desa dengan imunisasi"
_CAPITAL_CUT = re.compile(r"(?<=[A-Za-z0-9).,%])\s+(?=[A-Z][a-z])")
_OPEN_END = re.compile(r"\b(?:oleh|dan|yang|di|ke|dari|untuk|dengan|atau|terhadap|pada|dalam|"
                       r"serta|bagi|sebagai|tentang|atas|antara|melalui|dibagi|dikali|"
                       r"dikalikan|per|x)$|[,(/×:=+-]$", re.I)


def _core(text: str) -> str:
    return _BULLET.sub("", text)


def _segment(pieces: list[_Piece], cols: list[str], has_no: bool,
             widths: dict[str, int]) -> tuple[list[dict[str, list[_Piece]]], list[float]]:
    """The best cut of one group's pieces into rows of cells (dynamic programming over
    (pieces used, last column, row has an indikator, still the group's first row)), and
    its confidence: how much worse moving any cell boundary by one line would score."""
    n, m = len(pieces), len(cols)
    if n == 0:
        return [], []
    has_target = "target" in cols
    ind = cols.index("indikator") if "indikator" in cols else -1

    late = any(p.page_start for p in pieces[1:])  # the sasaran may follow a page break

    def skip_cost(a: int, b: int, first_row: bool) -> float:
        return sum((0.5 if late and cols[k] == "sasaran" else _SKIP.get(cols[k], 0.2))
                   for k in range(a, b) if not (cols[k] == "sasaran" and not first_row))

    table = {(a, b, f): skip_cost(a, b, f) for a in range(m + 1) for b in range(m + 1)
             for f in (False, True)}

    def skip(a: int, b: int, first_row: bool) -> float:
        return table[(a, b, first_row)] if a <= b else 0.0

    scores: dict[tuple[int, int, int], float] = {}

    def cell(i: int, j: int, c2: int) -> float:
        key = (i, j, c2)
        if key not in scores:
            scores[key] = _cell_score(cols[c2], pieces[i:j], has_target, widths)
        return scores[key]

    ends = []  # how far a cell starting at piece i may reach: 12 source lines
    for i in range(n):
        j, lines = i, set()
        while j < n and len(lines | {pieces[j].line}) <= 12:
            lines.add(pieces[j].line)
            j += 1
        ends.append(j)
    # state: (last column, row has indikator, group's first row, the last cell lies on one
    # source line) per pieces used. Two cells share a line only when the first of them is
    # that one line: cells start together at the top of their row.
    best: list[dict[tuple[int, bool, bool, bool], float]] = [{} for _ in range(n + 1)]
    best[0][(m, False, True, True)] = 0.0
    back: dict[tuple, tuple] = {}
    for i in range(n):
        joined, new_row_ok = pieces[i].joined, not pieces[i].joined
        states = sorted(best[i].items(), key=lambda kv: -kv[1])[:_BEAM]
        for (c, h, f, one), here in states:
            if joined and not one and c != m:
                continue
            for j in range(i + 1, ends[i] + 1):
                one2 = pieces[j - 1].line == pieces[i].line
                for c2 in range(m):
                    if c == m:
                        penalty, h2, f2 = skip(0, c2, True), c2 == ind, True
                    elif c2 > c:
                        penalty, h2, f2 = skip(c + 1, c2, f), h or c2 == ind, f
                    else:
                        if not new_row_ok or (cols[c2] == "sasaran" and has_no
                                              and not pieces[i].page_start):
                            continue  # a row never starts beside the previous row's text;
                            # a merged sasaran a page break cut goes on at the page's top
                        penalty = skip(c + 1, m, f) + (0.0 if h else 6.0) + skip(0, c2, False)
                        if cols[c2] == "sasaran":
                            penalty += 1.0  # a new sasaran in a table without NO
                        penalty += _ROW
                        h2, f2 = c2 == ind, False
                    score = here - penalty - pieces[i].cut_cost + cell(i, j, c2)
                    key = (c2, h2, f2, one2)
                    if score > best[j].get(key, float("-inf")):
                        best[j][key] = score
                        back[(j, *key)] = (i, c, h, f, one)
    finals = [(v - skip(k[0] + 1, m, k[2]) - (0.0 if k[1] else 6.0), (n, *k))
              for k, v in best[n].items() if k[0] < m]
    if not finals:
        return [], []
    _, key = max(finals)
    cells: list[tuple[int, int, int]] = []  # (start, end, column)
    while key[0] > 0:
        prev = back[key]
        cells.append((prev[0], key[0], key[1]))
        key = prev
    cells.reverse()
    rows: list[dict[str, list[_Piece]]] = []
    last = m
    for i, j, c in cells:
        if last == m or c <= last:
            rows.append({})
        rows[-1][cols[c]] = pieces[i:j]
        last = c
    if has_no and len(rows) > 1:
        for row in rows[1:]:  # the rest of a merged sasaran, after a page break
            if "sasaran" in row:
                rows[0]["sasaran"] = rows[0].get("sasaran", []) + row.pop("sasaran")
        rows = [r for r in rows if r]
    return rows, _row_margins(rows, cols, has_target, widths)


def _row_margins(rows, cols, has_target, widths) -> list[float]:
    """Per row: how much better each of its cell boundaries scores than the same boundary
    moved by one source line (or one part of a shared line) either way."""
    def start_cost(cell: list[_Piece], left: list[_Piece]) -> float | None:
        if not cell[0].joined:
            return 0.0
        if any(p.line != cell[0].line for p in left):
            return None  # two cells share a line only when the first is that one line
        return cell[0].cut_cost

    def pair(a, left, b, right) -> float | None:
        if not left or not right:
            return None
        cost = start_cost(right, left)
        if cost is None:
            return None
        return (_cell_score(a, left, has_target, widths) + _cell_score(b, right, has_target,
                                                                      widths) - cost)

    out = []
    for row in rows:
        kinds = [k for k in cols if k in row]
        worst = 99.0
        for a, b in zip(kinds, kinds[1:]):
            left, right = row[a], row[b]
            base = pair(a, left, b, right)
            if base is None:
                continue
            alts = [pair(a, left[:-1], b, left[-1:] + right),
                    pair(a, left + right[:1], b, right[1:])]
            alts = [x for x in alts if x is not None]
            if alts:
                worst = min(worst, base - max(alts))
        out.append(worst)
    return out
