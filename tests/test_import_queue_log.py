"""The queue-log profile on a fixture built from the Wazo/XiVO sample shapes
(/work/shared/data/asterisk_queue_log_samples.txt): every scenario there, plus events out of order,
a transfer, an exit by key, a negative wait, legs unfinished at the end and one begun before the file.

Unit: one leg (all lines of a callid in one queue) or one line outside any leg; counted by hand:
15 units = 8 legs imported (3 of them turned away: JOINEMPTY, FULL, CLOSED) + 5 filtered + 2 rejected.
"""
from __future__ import annotations

import datetime as dt

from data import i18n, store
from ingest.importing import import_file
from partners import registry
from tests.conftest import FIXTURES, pseudonym

LOG = FIXTURES / "import" / "queue_log_mixed.log"


def utc(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def test_events_become_legs_with_every_unit_accounted_for(db):
    summary = import_file(LOG, profile="queue-log", db=db)
    assert (summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected) == (15, 8, 0, 5, 2)
    assert summary.filtered_by == {"agent-or-system-event": 2, "entered-before-this-file": 1,
                                   "unfinished-at-end-of-file": 2}
    assert summary.notes == ("2 leg(s) unfinished at the end of the file, carried to the next file "
                             "(1341403000.90, 1341403100.95); 1 leg(s) entered the queue before this file began, "
                             "kept until that file is imported (1341401400.11); "
                             "3 leg(s) in all wait for their other file (table queue_log_pending); "
                             "created queue 'q1' (in-house); created queue 'q2' (in-house)")
    legs = store.query(
        """
        SELECT q.name, call_id, strftime(offered_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S'), outcome, wait_s, talk_s,
               agent_id, customer_id, transferred_to, end_reason
        FROM call_legs JOIN queues q USING (queue_id) ORDER BY offered_at, q.name
        """,
        path=db,
    ).rows
    # The exit with a key (1003) goes to no other queue: the caller was lost, so it is abandoned;
    # the timeout of 1002 enters q2 next, so it overflowed.
    assert legs == [
        ("q1", "1341401275.9", utc(1341401275), "turned_away", 0, None, None, None, None, "turned_away_no_agents"),
        ("q1", "1341401601.24", utc(1341401601), "answered", 2, 12, "Agent/3001", pseudonym("1000"), None, "answered"),
        ("q1", "1341402016.44", utc(1341402016), "turned_away", 0, None, None, None, None, "turned_away_full"),
        ("q1", "1341402482.49", utc(1341402482), "turned_away", 0, None, None, None, None, "turned_away_closed"),
        ("q1", "1341402586.51", utc(1341402580), "abandoned", 6, None, None, pseudonym("1001"), None, "hung_up"),
        ("q1", "1341402600.60", utc(1341402600), "overflowed", 30, None, None, pseudonym("1002"), None, "timed_out"),
        ("q2", "1341402600.60", utc(1341402631), "answered", 9, 60, "Agent/3002", pseudonym("1002"), "200", "answered"),
        ("q1", "1341402800.70", utc(1341402800), "abandoned", 5, None, None, pseudonym("1003"), None, "key_pressed"),
    ]
    assert store.query("SELECT line_no, raw, reason FROM rejected_rows ORDER BY line_no", path=db).rows == [
        (17, "1341402900|1341402900.80|q1|NONE|ENTERQUEUE||1004|1\n1341402910|1341402900.80|q1|NONE|ABANDON|1|1|-4",
         "ABANDON waittime '-4' is negative (line 18)"),
        (24, "1341403300|1341403300.99|q1|NONE|HANGUPX|||", "event 'HANGUPX' is not a queue_log event this profile knows"),
    ]


def test_reimport_finds_every_leg_already_held(db):
    import_file(LOG, profile="queue-log", db=db)
    again = import_file(LOG, profile="queue-log", db=db)
    assert (again.read, again.imported, again.duplicates, again.filtered, again.rejected) == (15, 0, 8, 5, 2)
    assert store.query("SELECT count(*) FROM call_legs", path=db).rows == [(8,)]


def test_queue_owned_by_a_partner_keeps_its_owner(db):

    with store.writing(db) as con:
        registry.add_partner(con, "Alfa BPO")
        registry.set_queue(con, "q2", partner="Alfa BPO")
    import_file(LOG, profile="queue-log", db=db)
    owners = store.query("SELECT q.name, p.name FROM queues q LEFT JOIN partners p USING (partner_id) ORDER BY 1",
                         path=db).rows
    assert owners == [("q1", None), ("q2", "Alfa BPO")]


def test_an_import_in_swedish_gives_the_layouts_reasons_in_swedish(db, tmp_path):
    """The layout's reasons are written in the importing reader's language, as the other layouts'
    (the reason is stored as written): a line that is no event, an epoch that is no number or out of
    range, an unknown event, a call event without a call id, a negative wait, a hold time that is no
    number, and a call of more events than one call may have (10,001: its first 20 lines shown)."""
    ring = "1341404001|c7|q1|Agent/1|RINGNOANSWER|1000"
    lines = ["this is not a queue_log line",
             "soon|c1|q1|NONE|ENTERQUEUE||1000|1",
             "99|c2|q1|NONE|ENTERQUEUE||1000|1",
             "1341403300|c3|q1|NONE|HANGUPX|||",
             "1341403310||q1|NONE|ENTERQUEUE||1000|1",
             "1341402900|c5|q1|NONE|ENTERQUEUE||1004|1",
             "1341402910|c5|q1|NONE|ABANDON|1|1|-4",
             "1341403000|c6|q1|NONE|ENTERQUEUE||1005|1",
             "1341403001|c6|q1|Agent/1|CONNECT|abc|x|1",
             "1341403050|c6|q1|Agent/1|COMPLETECALLER|5|40|1",
             "1341404000|c7|q1|NONE|ENTERQUEUE||1006|1",
             *[ring] * 10_000]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with i18n.language("sv"):
        summary = import_file(path, profile="queue-log", db=db)
    assert (summary.read, summary.imported, summary.rejected) == (8, 0, 8)
    crowded_text = "\n".join([lines[10], *[ring] * 19]) + "\n… 9981 rad(er) till"
    assert store.query("SELECT line_no, raw, reason FROM rejected_rows ORDER BY line_no", path=db).rows == [
        (1, lines[0], "ingen queue_log-rad (väntade epoch|callid|queue|agent|EVENT|...)"),
        (2, lines[1], "epoch 'soon' är inte ett antal sekunder"),
        (3, lines[2], "epoch '99' är ingen tidpunkt mellan 1990 och 2100"),
        (4, lines[3], "händelsen 'HANGUPX' är ingen queue_log-händelse som den här profilen känner till"),
        (5, lines[4], "en samtalshändelse saknar samtals-id eller kö"),
        (6, "\n".join(lines[5:7]), "ABANDON waittime '-4' är negativt (rad 7)"),
        (8, "\n".join(lines[7:10]), "CONNECT holdtime 'abc' är inte ett tal (rad 9)"),
        (11, crowded_text, "samtalet c7 i kön q1 har 10001 händelser, fler än de 10000 ett samtal får ha "
                           "(en vägvalsplan som går i slinga?): hela samtalet avvisas"),
    ]
