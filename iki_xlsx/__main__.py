"""``python -m iki_xlsx``: the same as the ``iki-xlsx`` command (for a Windows PC where
pip's Scripts folder is not on PATH)."""

from .cli import main

main()
