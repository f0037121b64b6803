"""The scorecard's tiles as one HTML grid per section (assets/style.css): a tile's label and value
wrap rather than truncate at any width (st.metric cut '62.…' at 1000 px), the status is part of the
tile as an icon and a word at AA contrast, and the change chip carries an arrow and better/worse.
Every text is HTML-escaped here."""
from __future__ import annotations

import html

import streamlit as st

from data import i18n
from data.i18n import _
from metrics.definitions import metric
from metrics.scorecard import Figure
from reports import views
from ui.matrix import status_class


def show(figures: tuple[Figure, ...]) -> None:
    st.html(f'<div class="tiles">{"".join(tile(f) for f in figures)}</div>')


def tile(figure: Figure) -> str:
    """One figure: label (its variant and definition on hover), value, status, change, target and
    sample, and why a service-level miss is excused or not."""
    english = metric(figure.metric).label  # 'Service level' fits a tile; its variant goes in the hover
    short = _(english)
    variant = figure.label.removeprefix(english).strip(" ()")
    description = _(metric(figure.definition).description)
    about = _("Counted as {variant}: {description}").format(variant=_(variant), description=description) if variant \
        else description
    chip = views.change_chip(figure)
    said_n = figure.sample_size is not None and not views.evidence(figure)  # a quality status names its n
    more = [views.target_text(figure) or "",
            _("n = {n}").format(n=i18n.number(figure.sample_size)) if said_n else "",
            views.left_out_text(figure.left_out)]
    parts = [
        f'<div class="label" title="{html.escape(about)}">{html.escape(short)}</div>',
        f'<div class="value">{html.escape(views.display(figure.value, figure.unit))}</div>',
        f'<div class="status {status_class(figure.status)}">{html.escape(views.judged(figure.status_text, figure))}</div>',
        f'<span class="chip {chip[1]}">{html.escape(chip[0])}</span>' if chip else "",
        f'<div class="more">{html.escape(" · ".join(m for m in more if m))}</div>' if any(more) else "",
        f'<div class="more">{html.escape(figure.note)}</div>' if figure.note else "",
    ]
    return f'<div class="tile">{"".join(parts)}</div>'
