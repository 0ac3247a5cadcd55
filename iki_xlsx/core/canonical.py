"""The one canonical JSON of iki-xlsx (sorted keys, no spaces, UTF-8 as is): what is
signed, hashed and stored in the ledger. Defined once, below every package that signs,
hashes or stores."""

from __future__ import annotations

import json

# json.dumps with these arguments makes this very encoder for each call (~2 µs, ~40
# calls a form: a signed manifest's text is made of its top-level values' texts)
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_text(data) -> str:
    """``data`` as canonical JSON text."""
    return _ENCODER.encode(data)


def canonical(data) -> bytes:
    """``data`` as canonical JSON, UTF-8 encoded (what is signed and hashed)."""
    return canonical_text(data).encode("utf-8")
