"""The metrics layer: every number a page, scorecard or meeting shows is computed here."""
from __future__ import annotations


def table(*args, **kwargs):
    """metrics.tables.table (imported on use: partners.agreements imports metrics.rollups)."""
    from metrics.tables import table as build

    return build(*args, **kwargs)
