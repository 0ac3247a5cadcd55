"""The CLI's frame in Bahasa Indonesia: help pages, usage lines and usage errors.

click (and the copy of it that newer typer versions carry) writes ``Usage:``,
``Options``, ``[required]``, ``No such option`` … in English, with no translation hook
that works for every typer version. So this layer draws the whole help page itself from
the command's parameters (name, options, help, default, whether required) and turns a
usage error into an Indonesian message from the exception's class and attributes. Only
attributes that click and typer's copy share are used; every text comes from
``templates/cli.yaml`` (section ``pemakaian``).
"""

from __future__ import annotations

import difflib
import re
import sys
import textwrap
from importlib import metadata
from pathlib import PurePath

from typer import echo
from typer.core import TyperCommand, TyperGroup

from ..core.texts import get_texts

PROG = "iki-xlsx"
WIDTH = 80


def version() -> str:
    """The installed distribution's version (the package's own when run from a folder)."""
    try:
        return metadata.version("iki-xlsx")
    except metadata.PackageNotFoundError:
        from .. import __version__

        return __version__


def _t(key: str, **ctx) -> str:
    return get_texts().t(f"pemakaian.{key}", **ctx)


def metavar(param) -> str:
    """``BERKAS``, ``DOKUMEN...`` …: the placeholder shown for a parameter's value."""
    texts = get_texts()
    key = f"pemakaian.metavar.{param.name}"
    return texts.t(key) if texts.has(key) else _t("metavar.lainnya")


def _is_flag(param) -> bool:
    return bool(getattr(param, "is_flag", False))


def _visible(ctx) -> list:
    return [p for p in ctx.command.get_params(ctx) if not getattr(p, "hidden", False)]


def usage_line(ctx) -> str:
    """``Pemakaian: iki-xlsx collect [OPSI] BERKAS_ATAU_FOLDER...``"""
    pieces = [ctx.command_path, _t("opsi_umum")]
    for p in ctx.command.get_params(ctx):
        if p.param_type_name == "argument":
            name = metavar(p)
            pieces.append(name if p.required else f"[{name}]")
    if isinstance(ctx.command, TyperGroup):
        pieces.append(_t("perintah_umum"))
    return f"{_t('judul')}: {' '.join(pieces)}"


def _default_text(param) -> str:
    default = getattr(param, "default", None)
    if default is None or _is_flag(param) or param.required or callable(default):
        return ""
    if isinstance(default, PurePath):
        default = default.as_posix()
    if isinstance(default, (list, tuple)) and not default:
        return ""
    return _t("bawaan", value=default)


def _rows(ctx, kind: str) -> list[tuple[str, str]]:
    rows = []
    for p in _visible(ctx):
        if p.param_type_name != kind:
            continue
        if kind == "argument":
            left = metavar(p)
        else:
            left = ", ".join([*p.opts, *getattr(p, "secondary_opts", ())])  # a / --no-a
            if not _is_flag(p):
                left += f" {metavar(p)}"
        if p.name == "help":
            help_text = _t("bantuan")
        elif p.name == "version":
            help_text = _t("versi")
        else:
            help_text = getattr(p, "help", None) or ""
        extra = [_t("wajib")] if p.required else []
        default = _default_text(p)
        if default and "awaan" not in help_text:
            extra.append(default)
        rows.append((left, " ".join([help_text, *extra]).strip()))
    return rows


def _table(rows: list[tuple[str, str]], width: int) -> list[str]:
    if not rows:
        return []
    left_w = min(max(len(a) for a, _ in rows), 28)
    out = []
    for left, right in rows:
        indent = 2 + left_w + 2
        wrapped = textwrap.wrap(right, max(20, width - indent)) or [""]
        if len(left) > left_w:
            out.append(f"  {left}")
            out.extend(" " * indent + line for line in wrapped)
            continue
        out.append(f"  {left.ljust(left_w)}  {wrapped[0]}")
        out.extend(" " * indent + line for line in wrapped[1:])
    return out


def help_text(ctx, width: int = WIDTH) -> str:
    """The whole help page of ``ctx.command`` in Bahasa Indonesia, wrapped at ``width``."""
    cmd = ctx.command
    lines = [usage_line(ctx), ""]
    about = (cmd.help or "").replace(" Contoh: ", "\n\nContoh: ")  # the example apart
    for para in about.split("\n\n"):
        if para.strip():
            lines.extend(textwrap.wrap(" ".join(para.split()), width - 2,
                                       initial_indent="  ", subsequent_indent="  "))
            lines.append("")
    for kind, title in (("argument", "argumen"), ("option", "opsi")):
        rows = _rows(ctx, kind)
        if rows:
            lines.append(f"{_t(title)}:")
            lines.extend(_table(rows, width))
            lines.append("")
    if isinstance(cmd, TyperGroup):
        rows = []
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            short = (sub.help or "").split(" Contoh:")[0].strip()
            rows.append((name, short))
        lines.append(f"{_t('perintah')}:")
        lines.extend(_table(rows, width))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class IdCommand(TyperCommand):
    """A typer command whose help page is :func:`help_text`."""

    def format_help(self, ctx, formatter) -> None:
        formatter.write(help_text(ctx, WIDTH))

    def get_usage(self, ctx) -> str:
        return usage_line(ctx)


class IdGroup(TyperGroup):
    """The application group, with an Indonesian help page and usage line; run
    standalone (as ``iki-xlsx`` and ``CliRunner`` run it), a usage error is an Indonesian
    message with exit status 2, and plain ``iki-xlsx`` shows the help page."""

    def format_help(self, ctx, formatter) -> None:
        formatter.write(help_text(ctx, WIDTH))

    def get_usage(self, ctx) -> str:
        return usage_line(ctx)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False,
                                **extra)
        try:
            code = super().main(args, PROG, complete_var,
                                standalone_mode=False, **extra)
        except Exception as exc:
            if not is_usage_error(exc):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # plain `iki-xlsx`: the help
                echo(exc.ctx.get_help().rstrip())
                sys.exit(0)
            echo(error_text(exc), err=True)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


def is_usage_error(exc: BaseException) -> bool:
    """A click ``UsageError`` (from click or typer's copy of it: matched by name)."""
    return any(c.__name__ == "UsageError" for c in type(exc).__mro__)


# --------------------------------------------------------------------------- usage errors

_EXTRA = re.compile(r"unexpected extra argument(?:\(s\)|s)?\s*\((?P<extra>.*)\)", re.S)
_NO_COMMAND = re.compile(r"No such command\s+['\"]?(?P<name>[^'\".]*)")


def _param_name(param, hint) -> str:
    if param is not None:
        if param.param_type_name == "argument":
            return metavar(param)
        return max(param.opts, key=len) if getattr(param, "opts", None) else param.name
    if isinstance(hint, (list, tuple)):
        return " / ".join(str(h) for h in hint)
    return str(hint or "")


def _commands(ctx) -> list[str]:
    cmd = getattr(ctx, "command", None)
    root = ctx
    while root is not None and root.parent is not None:
        root = root.parent
    group = root.command if root is not None else cmd
    return list(group.list_commands(root)) if isinstance(group, TyperGroup) else []


def suggest(name: str, commands: list[str]) -> str:
    """The command ``name`` was probably meant to be: a close spelling (``colect`` →
    ``collect``) or the Indonesian word for it (``kumpulkan`` → ``collect``); else ""."""
    word = name.strip().lower()
    texts = get_texts()
    key = f"pemakaian.sinonim.{word}"
    if word and texts.has(key) and texts.t(key) in commands:
        return texts.t(key)
    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.6)
    return close[0] if close else ""


def error_message(exc) -> str:
    """An Indonesian sentence for a click usage error (any click or typer version)."""
    kind = type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    message = str(getattr(exc, "message", "") or "")
    param = getattr(exc, "param", None)
    if kind == "NoSuchOption":
        possible = difflib.get_close_matches(exc.option_name,
                                             list(getattr(exc, "possibilities", None) or []),
                                             n=1, cutoff=0.6)
        return _t("salah.opsi_tidak_dikenal", option=exc.option_name, possible=possible)
    if kind == "MissingParameter":
        name = _param_name(param, getattr(exc, "param_hint", None))
        ptype = getattr(exc, "param_type", None) or getattr(param, "param_type_name", "")
        return _t("salah.kurang_argumen" if ptype == "argument" else "salah.kurang_opsi",
                  name=name)
    if kind == "BadOptionUsage":
        option = getattr(exc, "option_name", "")
        if "does not take" in message:
            return _t("salah.tanpa_nilai", option=option)
        return _t("salah.perlu_nilai", option=option)
    if kind == "BadParameter":
        name = _param_name(param, getattr(exc, "param_hint", None))
        value = re.search(r"['\"](?P<v>[^'\"]*)['\"]", message)
        kinds = ""
        if re.search(r"integer|\bint\b|range|>=|greater|less", message):
            kinds = _t("salah.jenis_bulat", min=getattr(param, "min", None))
        return _t("salah.nilai_salah", name=name, value=value["v"] if value else "",
                  kind=kinds)
    m = _EXTRA.search(message)
    if m:
        return _t("salah.argumen_lebih", extra=m["extra"])
    m = _NO_COMMAND.search(message)
    if m and ctx is not None:
        commands = _commands(ctx)
        return _t("salah.perintah_tidak_dikenal", name=m["name"], commands=commands,
                  possible=suggest(m["name"], commands))
    if "Missing command" in message and ctx is not None:
        return _t("salah.perintah_kurang", commands=_commands(ctx))
    return _t("salah.lainnya")


def error_text(exc) -> str:
    """Usage line, the hint to ``--help`` and the message, as click would lay them out."""
    ctx = getattr(exc, "ctx", None)
    lines = []
    if ctx is not None:
        lines.append(usage_line(ctx))
        lines.append(_t("coba", command=ctx.command_path))
        lines.append("")
    lines.append(_t("galat", message=error_message(exc)))
    return "\n".join(lines)
