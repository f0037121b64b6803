"""The 15-minute interval rollups: every coarser figure is a sum over these rows.

Intervals are 15-minute buckets aligned on UTC. Every zone's offset since 1980 is a whole number of
quarter hours (Stockholm's whole hours, India's +05:30, Nepal's +05:45, Chatham's +12:45/+13:45), so
each cuts its intervals, hours and days on these same boundaries, and one set of rollups serves
every reporting zone.

The T- and S-dependent counts use the agreement in force for the queue's partner on the interval's
day in the reporting zone, else the settings' defaults; each row records the T and S it used. So
the rollups of a partner must be rebuilt when its agreement changes (`refresh_partner`), and all of
them when the default T/S or the reporting zone setting changes (`rebuild_all`).

The detail aggregates beside them (wait_histogram, repeat_gaps, call_paths:
data/migrations/0011_detail_aggregates.sql; call_journeys: 0016_scale.sql) are kept here too, per
local day of the reporting zone: an import adds its batch (`refresh_batch`), and `rebuild_all`
rebuilds them with the rollups (`rebuild_details` alone). They depend on no agreement, so a
partner's refresh leaves them alone; call_journeys, per partner, is rebuilt when a queue moves
and judged again against a new opening-hours version (`refresh_hours`).

A change of a setting (`follow_setting`) rebuilds only what depends on it: a new default T or S
the interval rollups; a new reporting zone those and the tables cut in its local days (`cut_details`),
from the next calls customer_calls holds, which are instants and the same in any zone. What is
rebuilt over every leg is rebuilt in parts (the rollups a month at a time, the next calls,
call_journeys and call_paths a part of the customers or calls at a time), so that no statement's memory grows with
the whole history: at 100M legs the windows and groups over every leg at once need more than the
machine has.

All functions run inside the caller's transaction (store.writing()) and never commit.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from data import settings, store
from data.sqlfiles import sql
from data.store import Connection

EARLIEST, LATEST = datetime(1, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A rebuild finds the next calls, call_journeys and call_paths this many parts of the customers (of
# the calls) at a time: each part's windows and groups need about this fraction of the memory.
PARTS = 16


def _terms(con: Connection) -> dict[str, object]:
    default_t, default_s, tz = settings.get_all(con, "sl_threshold_s", "short_abandon_s", "reporting_tz")
    return {"default_t": int(default_t), "default_s": int(default_s), "tz": tz}


# Which legs a refresh covers: a fixed condition per kind, values bound.
LEGS = {
    "batch": "batch_id = $batch_id",
    "partner": "queue_id IN (SELECT queue_id FROM queues WHERE partner_id = $partner_id)",
    "queue": "queue_id = $queue_id",
    "all": "TRUE",
}
MONTH = "offered_at >= $since AND offered_at < $until"


def _rebuild_scope(con: Connection, legs: str, params: dict[str, object], month: bool = False) -> None:
    """Rebuild the rollups of the (queue, interval) pairs that the legs selected by LEGS[legs] touch
    (of those offered in [$since, $until) when `month`)."""
    condition = f"{LEGS[legs]} AND {MONTH}" if month else LEGS[legs]
    store.execute(con, sql("rollups", "scope").replace("{legs}", condition), params)
    first, last = store.execute(con, sql("rollups", "scope_bounds")).rows[0]
    if first is not None:
        store.execute(con, sql("rollups", "delete_scope"))
        bounds = {"first_start": datetime.fromtimestamp(first, timezone.utc),
                  "last_end": datetime.fromtimestamp(last, timezone.utc) + timedelta(minutes=15)}
        insert = sql("rollups", "insert_scope").replace("{rollup_rows}", sql("rollups", "rollup_rows"))
        store.execute(con, insert, {**_terms(con), **bounds})
    store.execute(con, "DROP TABLE rollup_scope")


def refresh_batch(con: Connection, batch_id: int) -> None:
    """Rebuild the rollups of the (queue, interval) pairs that the legs of one batch touch.

    Called by the importer inside its import transaction, right after the legs are inserted; the
    rebuilt rows include the legs of earlier batches in the same intervals. Refreshing a batch again
    changes nothing: the rollups and call_journeys are rewritten from the legs, and the detail
    aggregates that add a batch's changes skip a batch they hold (aggregated_batches).
    """
    _rebuild_scope(con, "batch", {"batch_id": batch_id})
    if not store.execute(con, sql("aggregates", "earlier_legs"), {"batch": batch_id}).scalar():
        rebuild_details(con)  # the first file: build the aggregates whole, without looking for earlier legs
    elif not store.execute(con, sql("aggregates", "aggregated"), {"batch": batch_id}).scalar():
        _add_details(con, batch_id)  # (a batch refreshed before is held: its changes must not be added twice)


def refresh_partner(con: Connection, partner_id: int) -> None:
    """Rebuild every rollup of a partner's queues: its agreement (so T or S) or its opening hours may
    have changed."""
    store.execute(con, sql("rollups", "delete_partner"), {"partner_id": partner_id})
    _rebuild_months(con, "partner", {"partner_id": partner_id})


def refresh_hours(con: Connection, partner_id: int, valid_from: date) -> None:
    """A new opening-hours version of the partner from the local day `valid_from`: its rollups are
    rebuilt, and its calls' journeys from two days before that day (so from that local day in any
    zone) judged against the hours again; earlier days keep their versions."""
    refresh_partner(con, partner_id)
    since = datetime.combine(valid_from - timedelta(days=2), datetime.min.time(), timezone.utc)
    store.execute(con, sql("aggregates", "judge_hours"), {"partner": partner_id, "since": since})


def refresh_queue(con: Connection, queue_id: int) -> None:
    """Rebuild every rollup of one queue: it moved to another partner (or in-house), so T and S may differ."""
    store.execute(con, "DELETE FROM interval_rollups WHERE queue_id = $q", {"q": queue_id})
    _rebuild_months(con, "queue", {"queue_id": queue_id})
    _all_journeys(con)  # call_journeys are per partner: who owns the queue's calls changed


def rebuild_all(con: Connection) -> None:
    """Rebuild every rollup and detail aggregate from call_legs (after a bulk load)."""
    _rebuild_rollups(con)
    rebuild_details(con)


def follow_setting(con: Connection, name: str) -> None:
    """Rebuild what setting `name` is used in after a change of it: the interval rollups (T, S, and
    the local day whose agreement applies), and for the reporting zone the tables cut in its days."""
    _rebuild_rollups(con)
    if name == "reporting_tz":
        cut_details(con)


def _rebuild_rollups(con: Connection) -> None:
    """Rebuild every interval rollup."""
    store.execute(con, "DELETE FROM interval_rollups")
    _rebuild_months(con, "all", {})


def _rebuild_months(con: Connection, legs: str, params: dict[str, object]) -> None:
    """Rebuild the rollups of the legs LEGS[legs] selects (their rows deleted first), a calendar month
    (UTC) of them at a time: an interval lies in one month, and each month's statements read and
    group that month's legs only (over every leg of a 10M-leg database at once they took 2.2 GB)."""
    first, last = store.execute(con, "SELECT epoch(min(offered_at)), epoch(max(offered_at)) FROM call_legs").rows[0]
    if first is None:
        return
    first, last = _instant(first), _instant(last)
    month = datetime(first.year, first.month, 1, tzinfo=timezone.utc)
    while month <= last:
        following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=timezone.utc)
        _rebuild_scope(con, legs, {**params, "since": month, "until": following}, month=True)
        month = following


def rebuild_details(con: Connection) -> None:
    """Rebuild the detail aggregates from call_legs, cut in the reporting zone: customer_calls with
    every leg's next call (`find_next_calls`), call_journeys, then the tables cut in local days."""
    store.execute(con, sql("aggregates", "reset"))
    store.execute(con, sql("aggregates", "add_customer_calls"), {"batch": None})
    find_next_calls(con)
    _all_journeys(con)
    store.execute(con, sql("aggregates", "record_batches"), {"batch": None})
    cut_details(con)


def merged_queue(con: Connection, gone_id: int, kept_id: int) -> None:
    """Queue `gone_id`'s legs moved to queue `kept_id`, some of either dropped as duplicates
    (partners.registry.merge_queues): customer_calls' rows of the two queues are written again from
    the legs (the rows of the moved legs keep their instants, so their next calls are found again
    with the others'; a dropped leg's customer's may move later), and the tables cut in local days
    cut again. (The rollups and call_journeys: `refresh_queue`.)"""
    queues = {"gone": gone_id, "kept": kept_id}
    store.execute(con, sql("aggregates", "forget_queue_calls"), queues)
    store.execute(con, sql("aggregates", "add_queue_calls"), {"kept": kept_id})
    find_next_calls(con)
    cut_details(con)


def find_next_calls(con: Connection) -> None:
    """Write every customer_calls row's next call (migration 0019), PARTS parts of the customers one
    after the other (`part_next_calls`); only rows whose next call differs from the one held are
    written (those not yet known after `reset` or a merge, and those a dropped leg was the next call of)."""
    for part in range(PARTS):
        store.execute(con, sql("aggregates", "part_next_calls"), {"part": part, "parts": PARTS})
        store.execute(con, sql("aggregates", "hold_next_calls"))
        store.execute(con, sql("aggregates", "drop_next_calls"))


def cut_details(con: Connection) -> None:
    """Cut wait_histogram, repeat_gaps and call_paths again in the reporting zone, from the legs and
    the next calls customer_calls holds (customer_calls and call_journeys hold instants: they stay)."""
    tz = {"tz": settings.get(con, "reporting_tz")}
    store.execute(con, sql("aggregates", "reset_cut"))
    store.execute(con, sql("aggregates", "set_zone"), tz)
    store.execute(con, sql("aggregates", "cut_waits"), tz)
    store.execute(con, sql("aggregates", "cut_repeat_gaps"), tz)
    store.execute(con, sql("aggregates", "path_parts"))
    for part in range(PARTS):
        store.execute(con, sql("aggregates", "part_paths"), {**tz, "part": part, "parts": PARTS})
    store.execute(con, sql("aggregates", "cut_paths"))


def _add_details(con: Connection, batch_id: int) -> None:
    """Add batch `batch_id` to the detail aggregates: the batch's counts to wait_histogram, to
    repeat_gaps the batch's answered legs and the changed repeat days of its customers' held ones
    (from the next calls customer_calls holds, `_next_calls`), to call_paths its calls as they now
    are in place of what they were (see the macros of migration 0011)."""
    batch = {"tz": store.execute(con, sql("aggregates", "zone")).scalar(), "batch": batch_id}
    store.execute(con, sql("aggregates", "add_customer_calls"), {"batch": batch_id})
    since, until = store.execute(con, sql("aggregates", "batch_span"), {"batch": batch_id}).rows[0]
    _journeys(con, batch_id, _instant(since), _instant(until))
    store.execute(con, sql("aggregates", "record_batches"), {"batch": batch_id})
    if since is None:
        return
    _next_calls(con, batch_id)
    changes = {  # table: (the SELECT giving its changes, its values, its key columns, its count column)
        "wait_histogram": ("SELECT * FROM wait_counts($tz, $batch)", batch, ("queue_id", "local_day"), "legs"),
        "repeat_gaps": (sql("aggregates", "repeat_gap_moves"), batch, ("queue_id", "local_day"), "legs"),
        "call_paths": ("SELECT * FROM call_path_changes($tz, $batch, $since, $until)",
                       {**batch, "since": _instant(since), "until": _instant(until)}, ("local_day",), "calls"),
    }
    for table, (changed, params, key, count) in changes.items():
        store.execute(con, sql("aggregates", "changes").replace("{changes}", changed.rstrip(";")), params)
        same_key = " AND ".join(f"c.{column} = t.{column}" for column in key)
        for step in ("merged", "delete_touched", "insert_merged", "drop"):
            text = sql("aggregates", step).replace("{table}", table).replace("{key}", same_key)
            store.execute(con, text.replace("{count}", count))
    store.execute(con, sql("aggregates", "hold_next_calls"))
    store.execute(con, sql("aggregates", "drop_next_calls"))


def _next_calls(con: Connection, batch_id: int) -> None:
    """Fill next_changes: the next call of each leg of batch `batch_id` and of each held leg whose next
    call the batch brings nearer (migration 0019). Only the batch's customers' held legs next to the
    batch's instants are read: those after a customer's first new leg, and those before it whose next
    call is later or unknown."""
    store.execute(con, sql("aggregates", "batch_legs"), {"batch": batch_id})
    first, since, until = (None if us is None else EPOCH + timedelta(microseconds=us)
                           for us in store.execute(con, sql("aggregates", "batch_legs_span")).rows[0])
    store.execute(con, sql("aggregates", "held_legs"),
                  {"batch": batch_id, "first": first, "since": since, "until": until})
    store.execute(con, sql("aggregates", "next_changes"))


def _journeys(con: Connection, batch_id: int, since: datetime, until: datetime) -> None:
    """Write call_journeys afresh for the calls with a leg in batch `batch_id` from their legs of [since, until)."""
    span = {"batch": batch_id, "since": since, "until": until}
    store.execute(con, sql("aggregates", "forget_journeys"), span)
    store.execute(con, sql("aggregates", "add_journeys"), span)


def _all_journeys(con: Connection) -> None:
    """Write call_journeys afresh for every call from all its legs, PARTS parts of the calls one after
    the other (`part_journeys`: over every call at once its windows took 5 GB at 10M legs)."""
    store.execute(con, sql("aggregates", "forget_journeys"), {"batch": None, "since": EARLIEST, "until": LATEST})
    store.execute(con, sql("aggregates", "journey_parts"))
    for part in range(PARTS):
        store.execute(con, sql("aggregates", "part_journeys"), {"part": part, "parts": PARTS})
    store.execute(con, sql("aggregates", "hold_journeys"))


def _instant(epoch_s: float | None) -> datetime | None:
    return None if epoch_s is None else datetime.fromtimestamp(epoch_s, timezone.utc)
