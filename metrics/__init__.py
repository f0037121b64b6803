"""Definitions, measures, scorecards and statuses: every number a page, file or meeting shows is computed here."""
