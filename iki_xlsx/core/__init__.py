"""The ground every step stands on: the domain model and its value rules, capaian and
predikat, reading a realisasi as people type it, the year's values resolved cell by cell
(and many forms' statuses from the bits their files filled), when a form is active, the
catalogue of problems, every text a person reads, and small utilities (atomic writes,
safe text in xlsx, canonical JSON, how values read, how much room a text needs and how
every workbook prints).

Nothing here reads a workspace, a form file or a master: other packages import these
modules directly (``from ..core.model import Form``); the face is the list of modules.
"""

from . import (
           active,
           atomic,
           canonical,
           clock,
           capaian,
           collector,
           contacts,
           fastjson,
           kept,
           matching,
           meeting,
           model,
           periods,
           predikat,
           problems,
           processes,
           rules,
           sheets,
           show,
           statuses,
           textfit,
           texts,
           timeline,
           values,
           xlsxtext,
)

__all__ = ["active", "atomic", "canonical", "capaian", "clock", "collector", "contacts", "fastjson", "kept", "matching", "meeting",
           "model", "periods", "predikat", "processes", "problems", "rules", "sheets",
           "show", "statuses", "textfit", "texts", "timeline",
           "values", "xlsxtext"]
