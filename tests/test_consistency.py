"""One figure, one number: for randomly drawn agreements (variant, T, S, targets, and a version change
on a random day inside the week), every figure of a partner and week is the same number on the
scorecard tile, the figures table, the Overview and its CSV, the trend point of that week, the PDF,
the Excel, `cli metrics` in the agreed variant and a meeting frozen on it; and the in-house
benchmark equals an independent SQL count over the legs in the partner's variant, T and S (and
`cli metrics` for in-house when those are the settings').

The legs are generated once (seeded) and imported through the generic layout; each example copies
that database and records its agreement versions, which rebuild the partner's rollups.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import random
import shutil

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import cli
from data import store
from ingest.importing import import_file
from metrics import reads, scorecard
from metrics.definitions import SL_VARIANTS
from partners import agreements, periods, registry
from reports import exports, frames, views

TZ = "Europe/Stockholm"
W11 = periods.parse("2026-W11")   # Mon 9 - Sun 15 Mar 2026
VARIANTS = tuple(SL_VARIANTS)
CHECKED = ("service_level", "abandon_rate", "asa_s", "volume_share", "fcr", "customer_service_level", "total_wait_s")
HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"


def generated_legs() -> str:
    """Two weeks of legs at Acme and in-house, 10:00-16:00 local, 12 calls a day each, seeded."""
    rng = random.Random(11)
    lines = [HEADER]
    for day in range(14):
        date = dt.date(2026, 3, 2) + dt.timedelta(days=day)
        for queue, partner in (("Acme Q", "Acme"), ("Main", "")):
            for n in range(12):
                at = dt.datetime.combine(date, dt.time(10)) + dt.timedelta(minutes=rng.randrange(360))
                outcome = rng.choices(("answered", "abandoned", "overflowed"), (7, 2, 1))[0]
                wait = rng.randrange(0, 60)
                talk = f"{rng.randrange(60, 400)},0,0" if outcome == "answered" else ",,"
                customer = f"4670{rng.randrange(40):07d}"
                lines.append(f"{queue[0]}{day}-{n},{queue},{partner},{at:%Y-%m-%dT%H:%M:%S},{outcome},{wait},{talk},,"
                             f"{customer}\n")
    return "".join(lines)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("consistency")
    db = folder / "legs.duckdb"
    store.create(db)
    with store.writing(db) as con:
        registry.add_partner(con, "Acme")
    (folder / "legs.csv").write_text(generated_legs(), encoding="utf-8")
    import_file(folder / "legs.csv", tz=TZ, db=db)
    return db


terms_strategy = st.fixed_dictionaries({
    "sl_variant": st.sampled_from(VARIANTS),
    "sl_threshold_s": st.integers(5, 45),
    "short_abandon_s": st.integers(0, 10),
    "sl_target": st.sampled_from((0.6, 0.7, 0.75, 0.8, 0.9)),
    "abandon_rate_max": st.sampled_from((None, 0.1, 0.2)),
    "asa_max_s": st.sampled_from((None, 20.0, 30.0)),
    "fcr_days": st.integers(1, 10),
})


def cli_metrics(db) -> dict[str, dict]:
    """`python -m cli metrics --grain week --by partner` for W11, the agreed variant's column, by group."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["metrics", "--grain", "week", "--by", "partner", "--start", "2026-03-09",
                         "--end", "2026-03-15", "--tz", TZ, "--format", "json", "--db", str(db)]) == 0
    return {row["group"]: row for row in json.loads(out.getvalue())}


def in_house_by_hand(con, variant: str, t: int, s: int) -> float | None:
    """In-house service level over W11's legs, written out per variant (DOMAIN.md), independently of metrics/."""
    start, end = W11.utc_bounds(TZ)
    a, ab, ov, within, ab_within, short = store.execute(con, """
        SELECT count(*) FILTER (WHERE outcome = 'answered'), count(*) FILTER (WHERE outcome = 'abandoned'),
               count(*) FILTER (WHERE outcome = 'overflowed'),
               count(*) FILTER (WHERE outcome = 'answered' AND wait_s <= $t),
               count(*) FILTER (WHERE outcome = 'abandoned' AND wait_s <= $t),
               count(*) FILTER (WHERE outcome = 'abandoned' AND wait_s < $s)
        FROM call_legs JOIN queues USING (queue_id)
        WHERE partner_id IS NULL AND offered_at >= $start AND offered_at < $end""",
        {"t": t, "s": s, "start": start, "end": end}).rows[0]
    numerator, denominator = {
        "abandons-count": (within, a + ab - short), "answered-only": (within, a),
        "abandons-within-met": (within + ab_within, a + ab), "with-overflow": (within, a + ab - short + ov),
    }[variant]
    return numerator / denominator if denominator else None


def pdf_lines(document) -> list[str]:
    reader = PdfReader(io.BytesIO(exports.to_pdf(document)))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def excel_values(document) -> dict[str, float | None]:
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
    found = {}
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[1]]
        if "figure" in header and "value" in header:
            for row in sheet.iter_rows(min_row=2, values_only=True):
                if row[0]:
                    found[row[0]] = row[header.index("value")]
    return found


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=terms_strategy, second=terms_strategy, change=st.integers(0, 7))
def test_every_view_shows_the_same_number(template, tmp_path, first, second, change):
    db = tmp_path / f"example-{random.random()}.duckdb"
    shutil.copy(template, db)
    changed_on = W11.start + dt.timedelta(days=change)   # 7 = the Monday after: one version all week
    with store.writing(db) as con:
        agreements.add_version(con, 1, dt.date(2026, 3, 1), **first)
        agreements.add_version(con, 1, changed_on, **second)
    latest = second if change < 7 else first
    column = SL_VARIANTS[latest["sl_variant"]]
    with store.reading(db) as con:
        card = scorecard.scorecard(con, 1, W11, TZ)
        table = frames.figures_table(card).set_index("figure")["value"]
        cards = scorecard.overview(con, W11, TZ)
        overview = frames.overview_table(cards).set_index("partner")
        centre = frames.centre_table(cards).set_index("partner")
        trends = reads.availability_trends(con, 1, W11, TZ, weeks=2)
        frozen = {f.metric: f for f in frames.snapshot(con, 1, W11, TZ).figures}
        document = exports.scorecard_for(con, 1, "Acme", W11, TZ)
        house_by_hand = in_house_by_hand(con, latest["sl_variant"], latest["sl_threshold_s"], latest["short_abandon_s"])
    overview_csv = {r["partner"]: r for r in csv.DictReader(io.StringIO(
        exports.csv_bytes(overview.reset_index()).decode("utf-8-sig")))}
    printed = cli_metrics(db)
    lines, cells = pdf_lines(document), excel_values(document)
    for name in CHECKED:
        figure = card.figure(name)
        value = figure.value
        assert table[figure.label] == value or (value is None and table[figure.label] is None)
        assert frozen[name].value == pytest.approx(value, rel=1e-11)
        assert cells[figure.label] == pytest.approx(value, rel=1e-11)
        shown = views.display(value, figure.unit)
        assert any(line.startswith(figure.label) and shown in line for line in lines), (figure.label, shown)
        if name in views.OVERVIEW_METRICS:
            assert overview.loc["Acme", name] == pytest.approx(value)
            assert float(overview_csv["Acme"][name]) == pytest.approx(value)
        if name in views.CENTRE_METRICS:
            assert centre.loc["Acme", name] == pytest.approx(value)
        week = trends[(trends["metric"] == name) & (trends["period_start"] == W11.start)]
        if len(week):
            assert week["value"].iloc[0] == pytest.approx(value)
    assert card.figure("service_level").label == f"Service level ({latest['sl_variant']})"
    assert printed["Acme"][column] == pytest.approx(
        card.figure("service_level").value)
    assert printed["Acme"]["abandon_rate"] == pytest.approx(card.figure("abandon_rate").value)
    assert printed["Acme"]["asa_s"] == pytest.approx(card.figure("asa_s").value)
    assert printed["Acme"]["volume_share"] == pytest.approx(card.figure("volume_share").value)
    assert frozen["service_level"].benchmark == pytest.approx(house_by_hand)
    if (latest["sl_threshold_s"], latest["short_abandon_s"]) == (20, 5):
        assert printed["in-house"][column] == pytest.approx(house_by_hand)
