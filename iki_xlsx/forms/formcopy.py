"""The copy of the whole form (as issued) that every manifest carries since issue 11, so
that a lost ledger can be rebuilt from the form files (:mod:`iki_xlsx.year.recovery`)."""

from __future__ import annotations

import base64
import json
import zlib

FORM_COPY_KEY = "form_z"  # manifest key: the form as issued, zlib-compressed, base64


def pack_form(form_text: str) -> str:
    """The form's canonical JSON as the manifest carries it (compressed: a manifest is
    read on every collect, and the copy is only needed for a recovery)."""
    return base64.b64encode(zlib.compress(form_text.encode("utf-8"), 3)).decode("ascii")


def unpack_form(text: object) -> dict | None:
    try:
        return json.loads(zlib.decompress(base64.b64decode(str(text), validate=True)))
    except (ValueError, zlib.error, TypeError):
        return None
