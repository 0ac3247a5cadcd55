"""Every text a person reads comes from ``templates/``, through this module.

Two kinds of template:

* catalogues — every ``*.yaml`` file (``label.yaml``: workbook labels, ``pesan.yaml``:
  problems and CLI messages, …): short jinja2 strings keyed by a stable dotted id, looked
  up with :meth:`Texts.t`;
* documents — ``*.j2`` files (instructions sheets, HTML report), rendered with
  :meth:`Texts.render`.

A user's own templates folder (``--templates DIR`` or ``IKI_XLSX_TEMPLATES``) overrides
both: a catalogue there replaces only the keys it defines, a ``.j2`` file there replaces
the bundled one of the same name.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import jinja2
import yaml

ENV_VAR = "IKI_XLSX_TEMPLATES"


def bundled_templates_dir() -> Path:
    """``templates/`` inside an installed wheel, else the checkout's top-level one."""
    package = Path(__file__).resolve().parent.parent  # iki_xlsx/
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "label.yaml").is_file():
            return candidate
    raise RuntimeError(f"templates folder not found next to {package}")


class Texts:
    def __init__(self, override_dir: str | os.PathLike | None = None):
        self.override_dir = Path(override_dir) if override_dir else None
        dirs = [bundled_templates_dir()]
        if self.override_dir:
            dirs.insert(0, self.override_dir)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            autoescape=jinja2.select_autoescape(["html.j2"], default_for_string=False),
        )
        self.env.filters["nip"] = _nip_filter
        self.env.filters["angka"] = _angka_filter
        self.env.filters["tanggal"] = tanggal_indonesia
        self._source: dict[str, str] = {}
        for d in reversed(dirs):  # bundled first, overrides on top
            for path in sorted(d.glob("*.yaml")):
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=YamlLoader) or {}
                self._source.update(_flatten(data))
        self._compiled: dict[str, jinja2.Template] = {}
        self._memo: dict[tuple, str] = {}

    def has(self, key: str) -> bool:
        return key in self._source

    def t(self, key: str, **ctx) -> str:
        """Render the catalogue entry ``key`` (dotted path) with ``ctx``.

        Results for hashable contexts are memoised: generating thousands of forms asks
        for the same labels again and again."""
        try:
            memo_key = (key, tuple(sorted(ctx.items())))
            hit = self._memo.get(memo_key)
        except TypeError:  # unhashable context values (lists, dicts)
            return self._render(key, ctx)
        if hit is None:
            hit = self._memo[memo_key] = self._render(key, ctx)
            if len(self._memo) > 50_000:
                self._memo.clear()
        return hit

    def _render(self, key: str, ctx: dict) -> str:
        tpl = self._compiled.get(key)
        if tpl is None:
            try:
                source = self._source[key]
            except KeyError:
                raise KeyError(f"no text '{key}' in the templates' *.yaml") from None
            tpl = self._compiled[key] = self.env.from_string(str(source))
        return tpl.render(**ctx).strip()

    def render(self, name: str, **ctx) -> str:
        return self.env.get_template(name).render(**ctx)


class YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML without implicit booleans: YAML 1.1 reads ``no``, ``yes``, ``on`` and ``off``
    as true/false, which would turn catalogue keys like ``kolom.no`` and a master's
    indicator ``no:`` into False. Here every such word stays text.

    Parsed by libyaml when PyYAML has it (its wheels for Linux, Windows and macOS do),
    else by PyYAML's own Python parser: the same documents either way (the same safe
    constructor and resolver), libyaml ~10× faster — the templates are read by every
    command and every worker process (~0.2 s each in Python), a YAML master of a
    kabupaten is thousands of entries."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _flatten(data: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = "" if value is None else str(value)
    return out


def _nip_filter(value: str) -> str:
    from .model import format_nip

    return format_nip(str(value or ""))


def _angka_filter(value) -> str:
    from .model import format_number

    return format_number(float(value)) if value not in (None, "") else ""


BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")


def tanggal_indonesia(value) -> str:
    """``date(2025, 1, 2)`` → ``2 Januari 2025``; other values as text."""
    if value is None or value == "":
        return ""
    if hasattr(value, "month"):
        return f"{value.day} {BULAN[value.month - 1]} {value.year}"
    return str(value)


@lru_cache(maxsize=8)
def get_texts(override_dir: str | None = None) -> Texts:
    """Shared, cached instance (one per override folder and process)."""
    return Texts(override_dir or os.environ.get(ENV_VAR) or None)
