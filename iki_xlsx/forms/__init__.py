"""The forms: the IKI sheet cell by cell (:mod:`.layout`, the one definition the writer
and every reader use), the live capaian helper cells, the signed manifest, generating one
locked workbook per pegawai with the distribution list, the year's changes at generate
(withdrawal, ``--dry-run``), re-issue with closed periods filled in, the print check
of a master, and the atasan's review workbooks (issue 26: :mod:`.review` what they
show, :mod:`.reviewbook` the sheets, :mod:`.reviewmanifest` their signed manifest,
:mod:`.reviewgen` making them).
"""

from __future__ import annotations

from . import layout
from .distribution import DISTRIBUTION_FILE, issued_paper
from .formcopy import FORM_COPY_KEY, unpack_form
from .generate import generate_forms, issued_row, safe_name
from .generate_year import dry_run
from .manifest import (
    ReadingView,
    content_hash,
    form_from_dict,
    load_view,
    parse_manifest,
    reading_view,
    verify,
    verify_text,
)
from .printcheck import add_print_warnings, print_warnings
from .reissue import closed_in_file, drop_closed, drop_note
from .review import atasan_key, book_key, form_definitions
from .reviewgen import ReviewRun, generate_reviews
from .reviewmanifest import input_cells, is_review_text, parse_review

__all__ = ["DISTRIBUTION_FILE", "FORM_COPY_KEY", "ReadingView", "ReviewRun",
           "add_print_warnings", "atasan_key", "book_key", "closed_in_file", "content_hash",
           "drop_closed", "drop_note", "dry_run", "form_definitions", "form_from_dict",
           "generate_forms", "generate_reviews", "input_cells", "is_review_text",
           "issued_paper", "issued_row", "layout", "load_view", "parse_manifest",
           "parse_review", "print_warnings", "reading_view", "safe_name", "unpack_form",
           "verify", "verify_text"]
