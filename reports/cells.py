"""The one rule every export applies to every cell: text that a spreadsheet would run as a formula
(it begins with = + - @ or a tab or carriage return) gets a leading quote. Kept apart from
exports.py so light commands (`cli metrics --format csv`) can use it without loading chart code."""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The one rule every export applies to every cell: formula-like text is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
