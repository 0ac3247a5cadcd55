"""An import compared field by field with the documents it was made from.

Each table row of the source documents is *exact* (every field as written), or wrong:
*flagged* when the Tinjauan sheet names its row (a review item of the document at one of
the row's lines, or, for a row that is missing, between the rows around it), else
*silent*. Rows the import made up (not in the source) count as wrong rows too. Header
and signature fields (perangkat daerah, jabatan, tugas, fungsi, names, NIPs) are counted
apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .content import Doc

ROW_FIELDS = ("no", "sasaran", "indikator", "penjelasan", "sumber_data", "target")
# review kinds about a document as a whole: they name no row
DOCUMENT_KINDS = {"tanpa_jabatan", "tanpa_perangkat_daerah", "tanpa_tanda_tangan",
                  "nama_kosong", "nip_kosong", "nip_panjang", "nip_tanggal_lahir",
                  "nip_berbeda", "nip_dipakai_nama_lain", "pegawai_ganda",
                  "atasan_tidak_ditemukan", "pangkat_tidak_dikenal", "pangkat_golongan_beda",
                  "target_kosong", "target_diduga", "perangkat_daerah_disamakan",
                  "tahun_tidak_ditemukan", "kolom_tidak_dikenal", "tabel_tanpa_judul"}


@dataclass
class Tally:
    rows: int = 0  # rows in the source documents
    exact: int = 0
    flagged: int = 0  # wrong rows named in Tinjauan (made-up rows included)
    silent: int = 0  # wrong rows nobody is told about
    fields: int = 0  # header and signature fields compared
    fields_wrong: int = 0
    documents: int = 0
    documents_found: int = 0
    wrong: list[str] = field(default_factory=list)  # what differs, for the reader

    def add(self, other: Tally) -> None:
        for name in ("rows", "exact", "flagged", "silent", "fields", "fields_wrong",
                     "documents", "documents_found"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong += other.wrong


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def expected_rows(doc: Doc) -> list[dict]:
    return [{"no": no, "sasaran": norm(sasaran), "indikator": norm(i.indikator),
             "penjelasan": norm(i.penjelasan), "sumber_data": norm(i.sumber),
             "target": norm(i.target)} for no, sasaran, i in doc.rows()]


def expected_fields(doc: Doc) -> dict[str, str]:
    return {"perangkat_daerah": doc.perangkat_daerah, "jabatan": doc.jabatan,
            "tugas": norm(doc.tugas), "fungsi": " | ".join(norm(f) for f in doc.fungsi),
            "nama": doc.pegawai.nama, "nip": re.sub(r"\D", "", doc.pegawai.nip),
            "atasan": doc.atasan.nama, "atasan_nip": re.sub(r"\D", "", doc.atasan.nip)}


def imported(result) -> list[dict]:
    """Per imported document: its fields, rows (with source lines) and review lines."""
    out = []
    for a, parsed in zip(result.master.assignments, result.documents):
        d = result.master.iki[a.kode_iki]
        rows = [{"no": i.no, "sasaran": norm(i.sasaran), "indikator": norm(i.indikator),
                 "penjelasan": norm(i.penjelasan), "sumber_data": norm(i.sumber_data),
                 "target": norm(i.target.text), "line": r.line}
                for i, r in zip(d.indicators, parsed.rows)]
        flags = sorted(x["line"] for x in result.review
                       if x["file"] == parsed.file and x["kode_iki"] == a.kode_iki
                       and x["line"] is not None and x["kind"] not in DOCUMENT_KINDS)
        fields = {"perangkat_daerah": d.perangkat_daerah, "jabatan": d.jabatan,
                  "tugas": norm(d.tugas), "fungsi": " | ".join(norm(f) for f in d.fungsi),
                  "nama": a.pegawai.nama, "nip": a.pegawai.nip,
                  "atasan": a.atasan.nama if a.atasan else "", "atasan_nip": a.atasan_nip}
        out.append({"fields": fields, "rows": rows, "flags": flags, "line": parsed.line})
    return out


def score(docs: list[Doc], result, label: str = "") -> Tally:
    """The tally of one import against the documents it was made from."""
    got = imported(result)
    tally = Tally()
    keys_e = [norm(d.jabatan).casefold() for d in docs]
    keys_g = [g["fields"]["jabatan"].casefold() for g in got]
    pairs: list[tuple[Doc | None, dict | None]] = []
    for op, a0, a1, b0, b1 in SequenceMatcher(None, keys_e, keys_g, autojunk=False).get_opcodes():
        n = max(a1 - a0, b1 - b0)
        for k in range(n):
            pairs.append((docs[a0 + k] if a0 + k < a1 else None,
                          got[b0 + k] if b0 + k < b1 else None))
    for doc, g in pairs:
        tally.add(_score_document(doc, g, label))
    return tally


def _score_document(doc: Doc | None, got: dict | None, label: str) -> Tally:
    t = Tally()
    if doc is None:  # a document the import made up: all its rows are wrong
        for row in got["rows"]:
            _wrong(t, row["line"] in got["flags"], f"{label}: extra row {row}")
        return t
    want = expected_rows(doc)
    t.documents = 1
    t.rows = len(want)
    if got is None:
        t.silent += len(want)
        t.wrong.append(f"{label}: document {doc.jabatan!r} not found")
        return t
    t.documents_found = 1
    for name, value in expected_fields(doc).items():
        t.fields += 1
        if norm(got["fields"][name]) != norm(value):
            t.fields_wrong += 1
            t.wrong.append(f"{label}: {doc.jabatan}: {name} {got['fields'][name]!r} "
                           f"≠ {value!r}")
    rows, flags = got["rows"], got["flags"]
    ends = [r["line"] for r in rows[1:]] + [10 ** 9]
    span = {id(r): (r["line"], end) for r, end in zip(rows, ends)}
    matcher = SequenceMatcher(None, [r["indikator"] for r in want],
                              [r["indikator"] for r in rows], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        for k in range(max(a1 - a0, b1 - b0)):
            w = want[a0 + k] if a0 + k < a1 else None
            g = rows[b0 + k] if b0 + k < b1 else None
            if g is None:  # a source row the import lost
                low = rows[b0 - 1]["line"] if b0 else got["line"]
                high = rows[b1]["line"] if b1 < len(rows) else 10 ** 9
                _wrong(t, any(low <= f <= high for f in flags),
                       f"{label}: {doc.jabatan}: row lost {w['indikator']!r}")
                continue
            named = any(span[id(g)][0] <= f < span[id(g)][1] for f in flags)
            if w is None:
                _wrong(t, named, f"{label}: {doc.jabatan}: extra row {g}")
                continue
            diff = [f"{n}: {g[n]!r} ≠ {w[n]!r}" for n in ROW_FIELDS if g[n] != w[n]]
            if not diff:
                t.exact += 1
            else:
                _wrong(t, named, f"{label}: {doc.jabatan}: row {w['no']} "
                                 f"(line {g['line']}{', flagged' if named else ''}): "
                                 + "; ".join(diff))
    return t


def _wrong(t: Tally, flagged: bool, what: str) -> None:
    if flagged:
        t.flagged += 1
    else:
        t.silent += 1
    t.wrong.append(("[flagged] " if flagged else "[SILENT] ") + what)
