"""The Python passes over a text file (UTF-8 check and line endings; the background hash) at chunk boundaries.

The pass skips decoding ASCII chunks and only counts line endings when a CR is present; these
files put the interesting bytes exactly where one 16 MB chunk ends and the next begins.
"""
from __future__ import annotations

import hashlib

from ingest.profiles.source import CHUNK, _check_text, hashed


def _scan(tmp_path, data: bytes) -> tuple[bool, bool]:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert hashed(path).result() == hashlib.sha256(data).hexdigest()
    return _check_text(path)


def test_character_split_across_chunks_then_ascii_is_valid(tmp_path):
    # "é" is C3 A9: C3 ends the first chunk, A9 starts an otherwise ASCII second chunk
    assert _scan(tmp_path, b"a" * (CHUNK - 1) + "é".encode() + b"bc\n") == (True, False)


def test_truncated_character_before_an_ascii_chunk_is_not_utf8(tmp_path):
    assert _scan(tmp_path, b"a" * (CHUNK - 1) + b"\xc3" + b"bc\n") == (False, False)


def test_crlf_in_one_chunk_and_bare_lf_in_the_next_is_mixed(tmp_path):
    first = b"a,b\r\n" + b"x" * (CHUNK - 5)
    assert len(first) == CHUNK
    assert _scan(tmp_path, first + b"\n1,2\n") == (True, True)


def test_only_crlf_or_only_lf_is_not_mixed(tmp_path):
    assert _scan(tmp_path, b"a,b\r\n1,2\r\n") == (True, False)
    assert _scan(tmp_path, b"a,b\n1,2\n") == (True, False)
