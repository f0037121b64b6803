"""Import profiles: each maps one source layout to the project's tables.

A profile stages a file (parse and check, outside the write lock) and publishes the staged rows
(inside the import transaction). The layouts are documented in docs/import-layouts.md.
"""
from __future__ import annotations

from ingest.profiles import legs, queue_log, records
from ingest.profiles.stage import ProfileSpec

PROFILE_SPECS: dict[str, ProfileSpec] = {spec.name: spec for spec in (*legs.SPECS, *queue_log.SPECS, *records.SPECS)}
