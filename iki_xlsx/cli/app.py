"""Command line: a thin typer layer over the library. Each command parses options, calls
one library function, and prints the result with rich; library problems become clean
Indonesian messages, never tracebacks. One module per group of commands, registered here
in the order an officer meets them over the year: :mod:`.define` (init, validate,
import), :mod:`.forms` (generate), :mod:`.mail` (distribute, remind), :mod:`.collect`
(collect, check), :mod:`.verify` (verifikasi: the atasan's review workbooks),
:mod:`.portal` (serve), :mod:`.recap`, :mod:`.decisions` (riwayat,
kecualikan, sertakan, nilai), :mod:`.workspace` (backup, restore, recover).

Exit status: 0 success; 1 the input had problems (invalid master, rejected files);
2 usage errors (bad options, missing files).
"""

from __future__ import annotations

import os
import sys

import typer

from ..core.texts import get_texts
from .base import (
    app,
    console,
    doc,
    err,
)
from .help import version


def _show_version(value: bool) -> None:
    if value:
        console.print(get_texts().t("pemakaian.versi_teks", version=version()))
        raise typer.Exit(0)


@app.callback(help=doc("aplikasi"))
def _root(show_version: bool = typer.Option(False, "--version", is_eager=True,
                                            callback=_show_version,
                                            help=doc("opsi.version"))) -> None:
    """iki-xlsx: the commands below; ``--version`` prints the version."""


# The command modules register their commands on import, in the order they are listed
# in the help page.
# isort: off
from . import define  # noqa: E402,F401
from . import forms  # noqa: E402,F401
from . import mail  # noqa: E402,F401
from . import collect  # noqa: E402,F401
from . import verify  # noqa: E402,F401
from . import portal  # noqa: E402,F401
from . import recap  # noqa: E402,F401
from . import decisions  # noqa: E402,F401
from . import workspace  # noqa: E402,F401
# isort: on


def main() -> None:
    """Entry point: run the app (usage errors are Indonesian, exit 2: see
    :class:`~iki_xlsx.cli.help.IdGroup`); any unexpected error is one clean line, not a
    traceback (set IKI_XLSX_DEBUG=1 to see it)."""
    try:
        app(prog_name="iki-xlsx")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the boundary: library errors become one message
        if type(exc).__name__ == "Abort":  # Ctrl+C at a prompt
            sys.exit(130)
        if os.environ.get("IKI_XLSX_DEBUG"):
            raise
        err.print(get_texts().t("cli.galat_umum", message=f"{type(exc).__name__}: {exc}"))
        sys.exit(1)


if __name__ == "__main__":
    main()
