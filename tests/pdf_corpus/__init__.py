"""A corpus of IKI documents printed to PDF by several producers (Chromium, LibreOffice
Writer and Calc, reportlab), flattened to text, or scanned, each with the documents it
was made from, and the field-by-field score of an import against them.

    made, missing = build(folder)            # name → Made(layout, docs, path)
    tally = score(made[name].docs, import_documents([made[name].path]))
"""

from .build import Made, build, needs
from .layouts import BY_NAME, HELD_OUT, LAYOUTS, SCAN, Layout
from .score import Tally, score

__all__ = ["BY_NAME", "HELD_OUT", "LAYOUTS", "SCAN", "Layout", "Made", "Tally", "build", "needs",
           "score"]
