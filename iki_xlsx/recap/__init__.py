"""The recap: capaian and predikat per indikator, pegawai, unit and period from the
ledger (:mod:`.build`), written as a workbook (:mod:`.xlsx`, with the Selesai - Ditarik
sheet of :mod:`.closed`) and as one printable HTML page (:mod:`.html`).
"""

from __future__ import annotations

from .build import Recap, build_recap
from .html import write_recap_html
from .parallel import RecapWorkerError
from .xlsx import write_recap_xlsx

__all__ = ["Recap", "RecapWorkerError", "build_recap", "write_recap_html",
           "write_recap_xlsx"]
