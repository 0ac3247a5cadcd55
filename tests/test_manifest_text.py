"""A form's signed manifest text is made from the body's JSON once (manifest.sign_text):
it must be exactly the canonical JSON of the signed manifest, and verify."""

from __future__ import annotations

import pytest

from iki_xlsx.forms.manifest import sign, sign_text, to_text, verify, verify_text

KEY = b"k" * 32


@pytest.mark.parametrize("body", [
    {"form_id": 'a"b\\c', "generator": "iki-xlsx ✓", "indicators": [{"hmac": "x"}],
     "nama": "Ñ <&>", "revision": 1},
    {"indicators": [], "zz": {"a": [1.5, None, True]}},  # no member before "hmac"
    {"a": 1, "b": "dua"},  # no member after it
    {"a": 1, "hmac": "stale", "z": 2},  # a stale hmac is replaced
    {},
])
def test_signed_text_is_the_canonical_json_of_the_signed_manifest(body):
    manifest, text = sign_text(body, KEY)
    assert manifest == sign(body, KEY)
    assert text == to_text(manifest)
    assert verify(manifest, KEY) and verify_text(text, manifest, KEY)


def test_every_generated_forms_manifest_text_is_canonical_and_verifies(generated):
    result, ws = generated
    assert result.forms
    for form in result.forms:
        assert form.manifest_text == to_text(form.manifest)
        assert verify_text(form.manifest_text, form.manifest, ws.key)
