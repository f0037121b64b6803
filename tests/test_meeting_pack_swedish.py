"""A meeting pack in Swedish (issue 20): the frozen record keeps its English words and machine values;
the pack names each figure by its metric key, words its target again and writes every number, day and
week the Swedish way. Expected strings are worked by hand (no-break spaces before '%' and between
thousands, decimal comma)."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import openpyxl

from data import i18n
from meetings import meetings as m
from reports import exports
from tests.test_meeting_pack import _snapshot

NBSP = "\u00a0"


def _frozen() -> m.Snapshot:
    """The snapshot as a saved meeting hands it back (through its JSON), its words stored in English."""
    figures = (*_snapshot().figures,
               m.FrozenFigure("availability", "asa_s", "ASA", "seconds", 41.0, 30.0, "red", 1204, None,
                              target_text="max 30 s to 23 Nov 2026, 40 s from 24 Nov 2026"),
               m.FrozenFigure("availability", "service_level", "Service level (answered-only)", "fraction", 0.8,
                              0.8, "green", 1204, None, target_text="min 80.0 %"))
    return m.Snapshot.from_json(replace(_snapshot(), figures=figures).to_json())


def test_a_frozen_meeting_reads_in_swedish_by_metric_key():
    with i18n.language("sv"):
        table = exports.figures_table(_frozen(), "availability", "Tillgänglighet")
    assert table.shown.to_dict("records") == [
        {"figure": "Bemannade mot avtalade timmar", "value": f"83,2{NBSP}%", "target": f"min 95,0{NBSP}%",
         "status": "✖ ej uppfyllt", "sample size": f"19{NBSP}170 avtalade agentminuter", "in-house": f"90,0{NBSP}%"},
        # A target judged in two agreement parts keeps the English words it was frozen with (no parts are kept).
        {"figure": "Genomsnittlig svarstid", "value": "41 s", "target": "max 30 s to 23 Nov 2026, 40 s from 24 Nov 2026",
         "status": "✖ ej uppfyllt", "sample size": f"1{NBSP}204 samtalsben", "in-house": "–"},
        {"figure": "Servicenivå (endast besvarade)", "value": f"80,0{NBSP}%", "target": f"min 80,0{NBSP}%",
         "status": "✔ uppfyllt", "sample size": f"1{NBSP}204 samtalsben", "in-house": "–"},
    ]
    assert table.frame["value"].tolist() == [0.832, 41.0, 0.8]  # Excel keeps the numbers


def test_the_swedish_pack_file_has_swedish_headings_days_and_numbers():
    with i18n.language("sv"):
        document = exports.meeting_document("Acme", _frozen(), today=date(2026, 11, 25))
        book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
        shown = exports.detail_tables(_frozen())[0].shown
    # 09:00 UTC is 10:00 in Stockholm in November.
    assert (document.title, document.subtitle) == (
        "Förberedelse inför servicemöte: Acme", "Period 1–24 nov. 2026 · mått per 25 nov. 2026 10:00 · tider i Europe/Stockholm")
    assert [s.heading for s in document.sections][:2] == ["Åtgärdspunkter", "Resultatkortet"]
    assert shown.iloc[0]["week"] == "2026-W44 (1 nov. 2026, delvis: 1 av 7 dagar)"
    assert shown.iloc[1]["offered"] == f"1{NBSP}200"
    assert next(book["Köer per vecka"].iter_rows(values_only=True)) == (
        "vecka", "dagar i perioden", "kö", "erbjudna", "besvarade", "tappade", "överflödade", "servicenivå (0–1)",
        "andel tappade samtal (0–1)", "Genomsnittlig svarstid (s)", "Genomsnittlig hanteringstid (s)")
    queues = list(book["Köer per vecka"].iter_rows(min_row=3, max_row=3))[0]
    assert (queues[3].value, queues[7].value, queues[7].number_format) == (1200, 0.634, "0.0 %")
