"""Every link in the guides and the README leads somewhere: a file of the repository, and
for ``#anchor`` (in the same page or ``OTHER.md#anchor``) a heading of that page, named
as GitHub (and most Markdown viewers) name heading anchors. PANDUAN's table of contents
pointed at ``#6-cadangan-backup`` after the heading had become "Cadangan (backup) dan
pemulihan"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "PANDUAN.md", ROOT / "PETUNJUK-PEGAWAI.md", ROOT / "README.md"]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, markup and punctuation dropped (letters,
    digits, ``_`` and ``-`` kept), spaces to hyphens."""
    text = re.sub(r"`|\*|_(?=\W)|(?<=\W)_", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    text = _FENCE.sub("", doc.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set()
    for heading in _HEADING.findall(text):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(doc: Path) -> list[str]:
    return _LINK.findall(_FENCE.sub("", doc.read_text(encoding="utf-8")))


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_internal_link_leads_to_a_file_and_heading(doc):
    broken = []
    for target in links(doc):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        page = (doc.parent / path).resolve() if path else doc
        if not page.exists():
            broken.append(target)
        elif anchor and (page.suffix != ".md" or anchor not in anchors(page)):
            broken.append(target)
    assert broken == [], f"{doc.name}: {broken}"


def test_the_table_of_contents_reaches_every_numbered_section():
    guide = ROOT / "PANDUAN.md"
    text = guide.read_text(encoding="utf-8")
    toc = text.split("\n## 1.", 1)[0]
    sections = {slug(h) for h in re.findall(r"^## (\d+\..+)$", text, re.M)}
    assert sections and {t.lstrip("#") for t in links(guide) if t in toc} >= sections


def test_the_check_catches_a_broken_anchor(tmp_path):
    page = tmp_path / "A.md"
    page.write_text("# Judul\n\n## 6. Cadangan (backup) dan pemulihan\n\n"
                    "[ok](#6-cadangan-backup-dan-pemulihan) [rusak](#6-cadangan-backup)\n",
                    encoding="utf-8")
    assert anchors(page) == {"judul", "6-cadangan-backup-dan-pemulihan"}
    assert [t for t in links(page) if t.lstrip("#") not in anchors(page)] == \
        ["#6-cadangan-backup"]
