"""Reading text rendered in the pseudo-language `qps` (data/i18n.py): every translated message reads
⟦…⟧ there, so whatever is left outside the marks is text no catalog translated."""
from __future__ import annotations

import re

MARKED = re.compile(r"⟦[^⟦⟧]*⟧")


def outside_marks(text: str) -> str:
    """The text with every ⟦…⟧ taken out (innermost first, so nested marks go too), each replaced by
    a space so the words on either side stay apart."""
    while True:
        shorter = MARKED.sub(" ", text)
        if shorter == text:
            return text
        text = shorter
