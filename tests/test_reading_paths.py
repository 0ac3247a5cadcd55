"""The reader's own fast paths give what the plain ones give: a file read to its size
rather than into a buffer of the limit (one that grows meanwhile is still read on, to
the limit), and the scan for far cell references with possessive repeats (Python 3.11+)
finding what the plain pattern finds."""

from __future__ import annotations

import random
import re
import sys

import pytest

from iki_xlsx.collect import reading, xlsx


def test_a_file_that_grows_while_read_is_read_to_its_end(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(b"PK" + bytes(5000))
    monkeypatch.setattr(reading, "os_size", lambda fh: 100)  # its size, when first asked
    raw = reading.read_path(path, None, None)
    assert raw.size == 5002
    assert raw.sha256 == reading.sha256_of(path.read_bytes())


@pytest.mark.skipif(sys.version_info < (3, 11), reason="possessive repeats: Python 3.11")
def test_far_references_are_found_where_the_plain_pattern_finds_them():
    plain, fast = re.compile(xlsx._FAR), re.compile(xlsx._FAR_POSSESSIVE)
    rng = random.Random(36)
    pieces = [b"r", b"=", b'"', b"'", b" ", b"\n", b"<c ", b"A", b"xf", b"XFD", b"Q",
              b"1", b"12", b"999", b"1000", b"0", b">"]
    found = 0
    for _ in range(20000):
        letters = bytes(rng.choice(b"AbZq") for _ in range(rng.randrange(6)))
        digits = bytes(rng.choice(b"0159") for _ in range(rng.randrange(7)))
        ref = b"r" + b" " * rng.randrange(2) + b"=" + b"\t" * rng.randrange(2) + \
            rng.choice([b'"', b"'"]) + letters + digits + rng.choice([b'"', b"'", b"x"])
        noise = b"".join(rng.choice(pieces) for _ in range(rng.randrange(8)))
        for text in (ref, noise, noise + ref + noise):
            a, b = plain.search(text), fast.search(text)
            assert (a and a.start()) == (b and b.start()), text
            found += a is not None
    assert found > 1000
