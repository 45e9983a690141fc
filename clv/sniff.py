"""Bytes of a text export -> text, and what kind of table it is: encoding, binary or not, delimiter.

Plain Python (csv module), no pandas: the loader and the DuckDB engine sniff a file the same way.
"""

from __future__ import annotations

import csv
import io
import itertools
import re

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
"""Tried in this order; latin-1 reads any byte, so it is the last resort."""

DELIMITERS = (",", ";", "\t", "|")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Bytes of a text export -> text: UTF-16 when it says so, else UTF-8, cp1252, latin-1."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def looks_binary(text: str) -> bool:
    """True when the start of the text is full of control characters (not a CSV)."""
    sample = text[:65_536]
    return "\x00" in sample or len(_CONTROL.findall(sample)) > len(sample) // 100


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the most, equally wide, columns.

    Reads the first 20 records of a sample with the csv module (so quoted fields
    with delimiters or newlines count right) for each candidate delimiter.
    Falls back to a comma.
    """
    sample = text[:100_000]
    truncated = len(text) > len(sample)
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        records = list(itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), 21))
        if truncated and len(records) == 21:
            records = records[:20]
        widths = [len(record) for record in records if any(field.strip() for field in record)]
        if not widths or widths[0] < 2:
            continue
        body = widths[1:]
        agreeing = sum(width == widths[0] for width in body) / len(body) if body else 1.0
        score = (agreeing, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best
