"""Write the bad-input corpus: `python tests/corpus/make_corpus.py` (deterministic, seeded).

Every file is small and built from a few shapes so a reader can count its rows by eye. Rows that
should be rejected carry a marker in `call_id` (`bad-...`) so the test can match each rejected row
to the reason it expects, whatever line numbering the importer uses. The generated files are
committed next to this script; rerun it only to change the corpus on purpose.
"""
from __future__ import annotations

import gzip
import random
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id"
COLUMNS = HEADER.split(",")


def leg(call_id: str, *, queue: str = "inhouse-sales", partner: str = "", offered_at: str = "2026-10-05T08:00:00+02:00",
        outcome: str = "answered", wait_s: str = "12", talk_s: str = "180", hold_s: str = "0", wrap_s: str = "30",
        agent_id: str = "A1", customer_id: str = "K1", sep: str = ",") -> str:
    """One call-leg line in the generic layout; keyword arguments override the good defaults."""
    if outcome != "answered" and talk_s == "180":
        talk_s, hold_s, wrap_s, agent_id = "", "", "", ""
    return sep.join([call_id, queue, partner, offered_at, outcome, wait_s, talk_s, hold_s, wrap_s, agent_id, customer_id])


def good(n: int, prefix: str = "ok", day: int = 5) -> list[str]:
    """n valid legs, alternating in-house and the partner queue, outcomes rotating."""
    outcomes = ("answered", "answered", "abandoned", "overflowed")
    lines = []
    for i in range(n):
        partner_side = i % 2 == 1
        lines.append(leg(
            f"{prefix}-{i + 1}",
            queue="alfa-sales" if partner_side else "inhouse-sales",
            partner="Alfa BPO" if partner_side else "",
            offered_at=f"2026-10-{day:02d}T{8 + i % 10:02d}:{(7 * i) % 60:02d}:00+02:00",
            outcome=outcomes[i % 4],
            wait_s=str(3 + 4 * i),
        ))
    return lines


def text(*lines: str, newline: str = "\n") -> str:
    return newline.join(lines) + newline


def write(name: str, content: str | bytes, encoding: str = "utf-8") -> None:
    data = content if isinstance(content, bytes) else content.encode(encoding)
    (HERE / name).write_bytes(data)


def csv_files() -> None:
    write("empty.csv", b"")
    write("blank_lines_only.csv", "\n\n   \n\n")
    write("header_only.csv", text(HEADER))
    write("header_only_no_newline.csv", HEADER)
    write("utf16_le_bom.csv", "\ufeff" + text(HEADER, *good(4)), encoding="utf-16-le")
    write("utf16_no_bom.csv", text(HEADER, *good(4)), encoding="utf-16-be")
    write("latin1_swedish.csv", text(
        HEADER,
        leg("sv-1", queue="Växel"), leg("sv-2", queue="Växel", outcome="abandoned", wait_s="40"),
        leg("sv-3", queue="Kundtjänst Göteborg"), leg("sv-4", queue="Kundtjänst Göteborg", agent_id="Åsa"),
    ), encoding="cp1252")
    write("mixed_encoding.csv",
          text(HEADER, *good(2, "utf")).encode() + text(leg("latin-1", agent_id="Björn")).encode("cp1252")
          + text(leg("utf8-1", agent_id="Björn")).encode("utf-8") + text(*good(2, "tail", day=6)).encode())
    write("swedish_excel.csv", "\ufeff" + text(
        HEADER.replace(",", ";"),
        *(leg(f"se-{i}", offered_at=f"2026-10-05 0{8 + i}:15:00", sep=";") for i in range(1, 5)),
        newline="\r\n"), encoding="utf-8")
    write("tab_separated.csv", text(HEADER.replace(",", "\t"), *(line.replace(",", "\t") for line in good(4))))
    write("mixed_delimiters.csv", text(
        HEADER, *good(2), leg("bad-semicolon-1", sep=";"), *good(2, "mid"), leg("bad-semicolon-2", sep=";")))
    write("truncated_last_line.csv", text(HEADER, *good(4)) + "bad-truncated,inhouse-sales,,2026-10-05T10:")
    write("truncated_middle.csv", text(HEADER, *good(2), "bad-short,inhouse-sales,", *good(2, "after")))
    write("too_many_fields.csv", text(HEADER, *good(3), leg("bad-long") + ",x,y,z", *good(1, "after")))
    write("unclosed_quote.csv", text(HEADER, *good(4)) + leg("bad-quote", agent_id='"Anna') + "\n")
    rng = random.Random(7)
    write("binary_junk.csv", bytes(rng.randrange(256) for _ in range(4096)))
    write("png_named_csv.csv", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(512)))
    write("gzip_named_csv.csv", gzip.compress(text(HEADER, *good(3)).encode(), mtime=0))
    write("nul_bytes.csv", text(HEADER, *good(2)) + "bad-nul\x00\x00,inhouse-sales,,2026-10-05T10:00:00+02:00,answered\x00,12,180,0,30,A1,K1\n")
    write("duplicated_header_column.csv", text(HEADER + ",wait_s", *(line + ",99" for line in good(3))))
    write("header_repeated_midfile.csv", text(HEADER, *good(4), HEADER, *good(4, "second")))
    write("missing_outcome_column.csv", text(
        ",".join(c for c in COLUMNS if c != "outcome"),
        *(",".join(v for c, v in zip(COLUMNS, line.split(",")) if c != "outcome") for line in good(3))))
    write("missing_several_columns.csv", text("call_id,queue,partner,talk_s", "m-1,inhouse-sales,,100"))
    write("no_header.csv", text(*good(4)))
    write("future_dates.csv", text(
        HEADER, *good(3), leg("bad-future-1", offered_at="2031-06-01T09:00:00+02:00"),
        leg("bad-future-2", offered_at="2099-12-31T23:00:00+00:00")))
    write("dates_1970.csv", text(
        HEADER, *good(3), leg("bad-epoch-1", offered_at="1970-01-01T00:00:00+00:00"),
        leg("bad-epoch-2", offered_at="1970-01-01 01:00:00")))
    write("unparseable_dates.csv", text(
        HEADER, *good(2), leg("bad-date-1", offered_at="32/13/2026"), leg("bad-date-2", offered_at="yesterday"),
        leg("bad-date-3", offered_at=""), leg("bad-date-4", offered_at="2026-02-30T10:00:00"), *good(1, "after")))
    write("negative_durations.csv", text(
        HEADER, *good(3), leg("bad-negative-wait", wait_s="-5"), leg("bad-negative-talk", talk_s="-1"),
        leg("bad-negative-wrap", wrap_s="-30")))
    write("absurd_durations.csv", text(
        HEADER, *good(3), leg("bad-absurd-wait", wait_s="1000000000000"),
        leg("bad-absurd-talk", talk_s="9999999999999999"), leg("bad-absurd-hold", hold_s="1e12")))
    write("non_numeric_durations.csv", text(
        HEADER, *good(2), leg("bad-text-wait", wait_s="twelve"), leg("bad-text-talk", talk_s="abc"),
        leg("bad-text-wait2", wait_s="12s")))
    write("bad_outcomes.csv", text(
        HEADER, *good(3), leg("bad-outcome-1", outcome="maybe"), leg("bad-outcome-2", outcome=""),
        leg("bad-outcome-3", outcome="transferred")))
    write("missing_values.csv", text(
        HEADER, *good(2), leg("", customer_id="bad-nocallid"), leg("bad-noqueue", queue=""),
        leg("bad-nowait", wait_s="")))
    write("only_delimiters.csv", text(HEADER, *([",,,,,,,,,,"] * 5)))
    write("unknown_partner.csv", text(
        HEADER, *good(2), leg("bad-partner-1", queue="gamma-sales", partner="Gamma Ltd"),
        leg("bad-partner-2", queue="gamma-sales", partner="Gamma Ltd")))
    write("duplicate_legs.csv", text(HEADER, *good(5), good(5)[1], good(5)[3]))
    write("long_field.csv", text(HEADER, *good(3), leg("long-agent", agent_id="x" * 100_000)))
    write("crlf_lf_mixed.csv", HEADER + "\r\n" + "\r\n".join(good(2)) + "\n" + "\n".join(good(2, "lf")) + "\r\n")
    write("extra_columns.csv", text(HEADER + ",journey_id,colour", *(line + f",J{i},blue" for i, line in enumerate(good(4)))))
    write("mixed_good_and_bad.csv", text(HEADER, *mixed_rows()))


def mixed_rows() -> list[str]:
    """20 lines: 12 good, 1 duplicate of a good one, 7 bad each with one named fault."""
    ok = good(12, "mix")
    return [
        *ok[:4],
        leg("bad-mix-partner", queue="gamma-sales", partner="Gamma Ltd"),
        *ok[4:6],
        leg("bad-mix-negative", wait_s="-3"),
        ok[2],
        leg("bad-mix-date", offered_at="not a date"),
        *ok[6:9],
        leg("bad-mix-outcome", outcome="lost"),
        "bad-mix-short,inhouse-sales,,2026-10-05T09:00:00+02:00",
        *ok[9:11],
        leg("bad-mix-future", offered_at="2040-01-01T00:00:00+01:00"),
        leg("bad-mix-absurd", talk_s="1000000000000"),
        ok[11],
    ]


def excel_and_parquet() -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    book = openpyxl.Workbook()
    book.properties.created = book.properties.modified = datetime(2026, 11, 24)
    sheet = book.active
    sheet.append(COLUMNS)
    for line in good(3, "xl"):
        sheet.append([int(v) if v.isdigit() else v for v in line.split(",")])
    sheet.append(["bad-formula-1", "inhouse-sales", "", "2026-10-05T10:00:00+02:00", "answered", "=10+5", "=A2*0", 0, 30, "A1", "K1"])
    sheet.append(["bad-formula-2", "inhouse-sales", "", "=NOW()", "answered", 12, 180, 0, 30, "A1", "K1"])
    book.save(HERE / "formulas.xlsx")
    write("csv_named.xlsx", text(HEADER, *good(3)))
    table = pa.table({
        "call_id": ["p-1", "p-2", "p-3"],
        "queue": [1, 2, 3],
        "partner": [None, None, None],
        "offered_at": [1_790_000_000, 1_790_000_060, 1_790_000_120],
        "outcome": [True, False, True],
        "wait_s": ["twelve", "-4", "1e12"],
        "talk_s": [1.5, 2.5, 3.5],
        "hold_s": [0, 0, 0],
        "wrap_s": [0, 0, 0],
        "agent_id": ["A1", "A2", "A3"],
        "customer_id": [1, 2, 3],
    })
    pq.write_table(table, HERE / "wrong_types.parquet")


def queue_logs() -> None:
    """queue_log lines: epoch|callid|queue|agent|EVENT|data... (UTC)."""
    t = 1_791_100_000
    lines = [
        f"{t + 20}|1791100000.1|support|Agent/1001|CONNECT|20|1791100000.2|3",
        f"{t + 5}|1791100000.3|support|NONE|ENTERQUEUE||0701234567|1",
        f"{t + 200}|1791100000.1|support|Agent/1001|COMPLETECALLER|20|180|1",
        "this is not a queue_log line",
        f"{t}|1791100000.1|support|NONE|ENTERQUEUE||0709876543|1",
        f"{t + 35}|1791100000.3|support|NONE|ABANDON|1|1|30",
        f"{t + 40}|1791100000.4|support|NONE|ENTERQUEUE||0705550000|1",
        "||||",
        f"{t + 100}|1791100000.4|support|NONE|EXITWITHTIMEOUT|1|1|60",
        f"{t + 300}|1791100000.5|support|NONE|ENTERQUEUE||0705551111|1",
        "garbage|with|pipes|but|NOTANEVENT|x",
    ]
    write("queue_log_out_of_order.log", text(*lines))
    rng = random.Random(11)
    write("queue_log_all_garbage.log", text(*("".join(rng.choice("abc|xyz 019") for _ in range(40)) for _ in range(8))))


def anonymous_bank() -> None:
    """Anonymous-bank layout (tab separated) with codes the data set's documentation does not list."""
    header = "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
    rows = [
        "AA0101\t90001\t12345\t2\tPS\t990105\t9:00:00\t9:00:10\t10\t9:00:10\t9:00:40\t30\tAGENT\t9:00:40\t9:03:40\t180\tDANA",
        "AA0101\t90002\t0\t0\tPS\t990105\t9:05:00\t9:05:08\t8\t9:05:08\t9:06:08\t60\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0102\t90003\t555\t1\tZZ\t990105\t9:10:00\t9:10:05\t5\t9:10:05\t9:10:25\t20\tAGENT\t9:10:25\t9:12:25\t120\tRONI",
        "AA0102\t90004\t0\t0\tPS\t990105\t9:20:00\t9:20:05\t5\t9:20:05\t9:20:15\t10\tXFER\t9:20:15\t9:21:15\t60\tRONI",
        "AA0103\t90005\t0\t0\tPS\t990105\t9:30:00\t9:30:05\t5\t0:00:00\t0:00:00\t0\tPHANTOM\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0103\t90006\t777\t9\tPS\t990105\t9:40:00\t9:40:05\t5\t9:40:05\t9:40:35\t30\tAGENT\t9:40:35\t9:41:35\t60\tDANA",
        "AA0104\t90007\t0\t0\tPS\t990105\t9:50:00\t9:50:05\t5\tnot-a-time\t9:50:35\t30\tAGENT\t9:50:35\t9:51:35\t60\tDANA",
    ]
    write("anonymous_bank_undocumented.txt", text(header, *rows, newline="\r\n"))


def main() -> None:
    csv_files()
    excel_and_parquet()
    queue_logs()
    anonymous_bank()
    print(f"{len([p for p in HERE.iterdir() if p.suffix not in ('.py', '.md')])} files in {HERE}")


if __name__ == "__main__":
    main()
