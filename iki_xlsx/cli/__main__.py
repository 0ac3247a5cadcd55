"""``python -m iki_xlsx.cli``: the ``iki-xlsx`` command."""

from . import main

main()
