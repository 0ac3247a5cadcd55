"""Text clean-up shared by the document readers: markup left by PDF/Word → text/markdown
converters (bold, strike-through, HTML tags and lists, LaTeX fractions) and in-cell bullet
lists, so that what reaches the master is the plain text a person typed.
"""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"\*\*|__|~~")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_TRAILING_STAR = re.compile(r"(?<=[\w.])\*+(?=\s*$|\t|\s*\|)")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_ITEM_TAGS = {"li", "br", "p", "div", "tr"}
_SPACES = re.compile(r"[ \u00a0\u2007\u202f]+")
_BULLET_SPLIT = re.compile(r"\s+[-–•·▪]\s+")
_LEADING_BULLET = re.compile(r"^\s*[-–•·▪*]\s+")


def strip_markup(line: str) -> str:
    """Markdown emphasis/headings, strike-through and stray ``*`` removed; tabs kept."""
    line = _HEADING.sub("", line)
    line = _BOLD.sub("", line)
    line = _ITALIC.sub(r"\1", line)
    line = _TRAILING_STAR.sub("", line)
    return line.replace("\\*", "*")


def squash(text: str) -> str:
    """Runs of spaces (not tabs or newlines) to one space, ends stripped."""
    return _SPACES.sub(" ", text).strip()


def html_items(text: str) -> list[str] | None:
    """The items of an HTML list or ``<br>``-separated cell; None when there is no such tag.

    ``<ul><li>- Renstra</li><li>- PK</li></ul>`` → ``["Renstra", "PK"]``; other tags are
    dropped and entities decoded.
    """
    if "<" not in text or not _TAG.search(text):
        return None
    marked = _TAG.sub(lambda m: "\x00" if m[2].lower() in _ITEM_TAGS else "", text)
    if "\x00" not in marked:
        return [squash(html.unescape(marked))]
    items = [_LEADING_BULLET.sub("", squash(html.unescape(part))) for part in marked.split("\x00")]
    return [i for i in items if i]


def latex_to_text(text: str) -> str:
    """``$\\frac{\\text{A}}{\\text{B}} \\times 100\\%$`` → ``A / B × 100%``."""
    if "$" not in text and "\\" not in text:
        return text
    out = re.sub(r"\$\$?(.+?)\$\$?", lambda m: _latex(m[1]), text)
    return _latex(out) if "\\frac" in out or "\\text" in out else out


def _latex(expr: str) -> str:
    for _ in range(8):  # \text{…} may nest inside \frac{…}{…}
        new = re.sub(r"\\(?:text|mathrm|textbf|textit|mbox|operatorname)\s*\{([^{}]*)\}",
                     r"\1", expr)
        if new == expr:
            break
        expr = new
    expr = _fractions(expr)
    for cmd, rep in (("\\times", " × "), ("\\cdot", " · "), ("\\div", " : "), ("\\%", "%"),
                     ("\\left", ""), ("\\right", ""), ("\\,", " "), ("\\;", " "),
                     ("\\leq", " ≤ "), ("\\geq", " ≥ "), ("\\le", " ≤ "), ("\\ge", " ≥ ")):
        expr = expr.replace(cmd, rep)
    expr = re.sub(r"\\([a-zA-Z]+)", r"\1", expr)
    expr = expr.replace("{", "").replace("}", "")
    return squash(expr)


def _fractions(expr: str) -> str:
    while True:
        i = expr.find("\\frac")
        if i < 0:
            return expr
        num, j = _group(expr, i + 5)
        den, k = _group(expr, j)
        if num is None or den is None:
            return expr.replace("\\frac", "", 1)
        expr = f"{expr[:i]}{_fractions(num).strip()} / {_fractions(den).strip()}{expr[k:]}"


def _group(expr: str, start: int) -> tuple[str | None, int]:
    """The balanced ``{…}`` group at ``start`` (after spaces): (content, end index)."""
    i = start
    while i < len(expr) and expr[i] == " ":
        i += 1
    if i >= len(expr) or expr[i] != "{":
        return None, start
    depth = 0
    for j in range(i, len(expr)):
        if expr[j] == "{":
            depth += 1
        elif expr[j] == "}":
            depth -= 1
            if depth == 0:
                return expr[i + 1:j], j + 1
    return None, start


def clean_cell(text: str) -> str:
    """A table cell as plain text: LaTeX and HTML converted, bullet lists joined with ``; ``.

    ``- Buku Surat Masuk - Buku Surat Keluar`` → ``Buku Surat Masuk; Buku Surat Keluar``;
    a single leading bullet is dropped; hyphens inside text (``Perundang - Undangan``)
    are kept because the cell does not start with a bullet.
    """
    text = latex_to_text(text)
    items = html_items(text)
    if items is None:
        text = squash(html.unescape(text))
        if _LEADING_BULLET.match(text):
            items = [i for i in _BULLET_SPLIT.split(_LEADING_BULLET.sub("", text)) if i]
        else:
            return text
    items = [_LEADING_BULLET.sub("", squash(i)).rstrip(";").strip() for i in items]
    return "; ".join(i for i in items if i)
