"""The command line (``iki-xlsx``): thin typer commands over the library, one module per
group of commands, with help pages and usage errors in Bahasa Indonesia."""

from .app import app, main

__all__ = ["app", "main"]
