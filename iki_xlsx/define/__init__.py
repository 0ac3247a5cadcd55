"""Define the year's IKI: read and validate a master (workbook or YAML), write masters
(the blank one of ``init``, the filled one of ``import``), guess satuan / polaritas /
agregasi from an indikator's wording, and import existing IKI documents (text, Word,
PDF: :mod:`.documents`).
"""

from __future__ import annotations

from .documents import import_documents, summary_text
from .master import load_master
from .masterbook import write_master
from .rows import LoadedMaster

__all__ = ["LoadedMaster", "import_documents", "load_master", "summary_text", "write_master"]
