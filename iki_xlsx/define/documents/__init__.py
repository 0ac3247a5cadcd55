"""Import IKI documents (text/markdown extractions of Word/PDF files, or .docx) into master
data for ``iki-xlsx generate``, with a review list of everything the reader was unsure of.

Example::

    result = import_documents([Path("kukar-bkpsdm-2025.txt")])
    write_master("master.xlsx", result.master, review=result.review,
                 notes=result.notes, inferred=result.inferred)
    print(summary_text(result))

Stages: :mod:`.text` splits a file into documents and reads header, table
(:mod:`.table`) and signature (:mod:`.signature`); :mod:`.assemble` turns them into
model objects, infers satuan/polaritas/agregasi (:mod:`iki_xlsx.define.infer`), gives Kode IKI
and checks NIPs across documents (:mod:`.people`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ...core.model import Master
from ...core.texts import Texts, get_texts
from .assemble import assemble
from .issues import Issue
from .pdf import PdfText, SourceError
from .text import ParsedDocument, read_path, read_text

__all__ = ["ImportResult", "import_documents", "import_text", "summary_text"]

# review kinds that say a whole file gave no document (a scan, a broken PDF, no IKI in it)
FILE_FAILURES = ("berkas_tidak_terbaca", "berkas_tanpa_iki", "pdf_tanpa_teks",
                 "pdf_tidak_terbaca")


@dataclass
class ImportResult:
    master: Master
    review: list[dict]  # Tinjauan rows: file, line, where, kind, message, kode_iki, action
    notes: dict[tuple[str, int], str]  # (kode IKI, indicator index) → note
    inferred: set[tuple[str, int, str]]  # (kode IKI, indicator index, field)
    summary: dict
    documents: list[ParsedDocument] = field(default_factory=list, repr=False)

    @property
    def failed_files(self) -> list[dict]:
        """The review rows of files that gave no document, with the reason."""
        return [r for r in self.review if r["kind"] in FILE_FAILURES]


def import_documents(paths: list[Path], *, tahun: int | None = None,
                     texts: Texts | None = None) -> ImportResult:
    """Read every IKI document in ``paths`` into one master (see module docstring)."""
    sources = []
    for path in paths:
        path = Path(path)
        try:
            sources.append((path.name, read_path(path)))
        except SourceError as exc:
            sources.append((path.name, exc.issue))
        except (OSError, ValueError) as exc:
            sources.append((path.name, Issue("berkas_tidak_terbaca", None, {"reason": str(exc)})))
    return _import(sources, tahun, texts)


def import_text(text: str, name: str = "dokumen.txt", *, tahun: int | None = None,
                texts: Texts | None = None) -> ImportResult:
    """Like :func:`import_documents` for text already in memory."""
    return _import([(name, text)], tahun, texts)


def _import(sources: list[tuple[str, str | PdfText | Issue]], tahun: int | None,
            texts: Texts | None) -> ImportResult:
    texts = texts or get_texts()
    docs: list[ParsedDocument] = []
    file_issues: list[tuple[str, Issue]] = []
    places: dict[str, dict[int, tuple[int, float]]] = {}
    for name, content in sources:
        if isinstance(content, Issue):
            file_issues.append((name, content))
            continue
        line_issues: list[Issue] = []
        if isinstance(content, PdfText):
            places[name] = content.places
            content, line_issues = content.text, content.issues
        found, issues = read_text(content, name, line_issues)
        found = [d for d in found if d.has_content]
        file_issues += [(name, i) for i in issues]
        if not found:
            file_issues.append((name, Issue("berkas_tanpa_iki", None)))
        docs += found
    master, review, notes, inferred = assemble(docs, file_issues, tahun, texts)
    order = {name: i for i, (name, _) in enumerate(sources)}
    review.sort(key=lambda r: (order.get(r["file"], len(order)), r["line"] is None,
                               r["line"] or 0))
    for row in review:
        row["where"] = _where(row["line"], places.get(row["file"]), texts)
    kinds = Counter(r["kind"] for r in review)
    summary = {
        "files": len(sources),
        "documents": len(docs),
        "pegawai": len(master.assignments),
        "iki": len(master.iki),
        "indikator": sum(len(d.indicators) for d in master.iki.values()),
        "baris_sumber": sum(d.source_rows for d in docs),
        "review": len(review),
        "review_per_jenis": dict(kinds.most_common()),
    }
    return ImportResult(master, review, notes, inferred, summary, docs)


def _where(line: int | None, places: dict | None, texts: Texts) -> str:
    """Where a review item's line is: ``baris 12`` of a text, ``hlm. 2, 45 mm dari atas``
    of a PDF (its text lines are the importer's own)."""
    if line is None:
        return ""
    if places is None or line not in places:
        return texts.t("impor.letak.baris", baris=line)
    page, top = places[line]
    return texts.t("impor.letak.halaman", halaman=page, mm=round(top * 25.4 / 72))


def summary_text(result: ImportResult, texts: Texts | None = None) -> str:
    """The terminal summary, in Indonesian (``templates/impor.yaml``)."""
    texts = texts or get_texts()
    s = result.summary
    kinds = [texts.t("impor.ringkasan.jenis", kind=k, jumlah=n)
             for k, n in s["review_per_jenis"].items()]
    failed = [texts.t("impor.ringkasan.gagal", berkas=r["file"], pesan=r["message"],
                      saran=r["action"]) for r in result.failed_files]
    return texts.t("impor.ringkasan.teks", **{k: v for k, v in s.items()
                                               if k != "review_per_jenis"},
                   jenis=kinds, gagal=failed)
