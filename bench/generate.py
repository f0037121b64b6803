"""A realistic N-leg call file in the generic layout, written by one DuckDB COPY.

The shape follows a centre that overflows to partners: about a third of the calls wait in-house,
overflow and are answered (or abandoned) in a partner queue (two legs sharing a call id); the rest
are single legs, mostly in-house, some routed straight to a partner by share. Two years of days,
07:00-21:00 UTC, Swedish queue names. Values come from hashes of the row number and the seed, so
the same (n, seed) always writes the same file.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

IN_HOUSE_QUEUES = ("Kundservice", "Support", "Fakturor", "Växel")
PARTNER_QUEUES = (("Alfa Kundservice", "Alfa BPO"), ("Alfa Support", "Alfa BPO"),
                  ("Beta Kundservice", "Beta Contact"), ("Gamma Fakturor", "Gamma Care"))
PARTNERS = tuple(sorted({partner for _, partner in PARTNER_QUEUES}))
START = "2024-11-25"
DAYS = 728  # 104 ISO weeks

_SQL = """
COPY (
  WITH calls AS (
    SELECT i, i // 2 AS c, i % 2 AS pos, paired, CASE WHEN paired THEN i // 2 ELSE i END AS k,
           hash(i, $seed, 'r1') AS r1, hash(i, $seed, 'r2') AS r2, hash(i, $seed, 'r3') AS r3,
           TIMESTAMP '{start}' + to_days(CAST((i // 2) * {days} // greatest($n // 2, 1) AS INTEGER))
             + to_seconds(CAST(25200 + hash(CASE WHEN paired THEN i // 2 ELSE i END, $seed, 't') % 50400 AS BIGINT)) AS t
    FROM (SELECT i, hash(i // 2, $seed, 'pair') % 100 < 35 AS paired FROM range($n) r(i))
  ), legs AS (
    SELECT *,
      CASE WHEN paired AND pos = 0 THEN 'in'
           WHEN paired THEN 'partner'
           WHEN r1 % 100 < 80 THEN 'in' ELSE 'partner' END AS side,
      CASE WHEN paired AND pos = 0 THEN 'overflowed'
           WHEN r2 % 100 < 89 THEN 'answered' ELSE 'abandoned' END AS outcome
    FROM calls
  ), shaped AS (
    SELECT *,
      CASE WHEN side = 'in' THEN hash(k, $seed, 'q') % {n_in}
           ELSE {n_in} + hash(k, $seed, 'pq') % {n_partner} END AS queue_no,
      CASE WHEN outcome = 'overflowed' THEN 30 + r3 % 60
           WHEN outcome = 'abandoned' THEN r3 % 150
           WHEN r3 % 100 < 70 THEN r3 % 25 ELSE r3 % 240 END AS wait_s
    FROM legs
  )
  SELECT
    CASE WHEN paired THEN $prefix || c ELSE $prefix || c || '-' || pos END AS call_id,
    m.queue,
    m.partner,
    strftime(t + to_seconds(CAST(CASE WHEN paired AND pos = 1 THEN 45 ELSE 0 END AS BIGINT)), '%Y-%m-%dT%H:%M:%S+00:00') AS offered_at,
    outcome,
    wait_s,
    CASE WHEN outcome = 'answered' THEN 30 + r1 % 870 END AS talk_s,
    CASE WHEN outcome = 'answered' THEN (CASE WHEN r2 % 10 < 7 THEN 0 ELSE r2 % 120 END) END AS hold_s,
    CASE WHEN outcome = 'answered' THEN r3 % 120 END AS wrap_s,
    CASE WHEN outcome = 'answered' THEN 'A' || (r1 % 400) END AS agent_id,
    CASE WHEN r2 % 10 = 0 THEN NULL ELSE 'K' || (hash(k, $seed, 'k') % 300000) END AS customer_id
  FROM shaped JOIN queue_map m USING (queue_no)
  ORDER BY i
) TO '{path}' (FORMAT csv, HEADER true)
"""


@dataclass(frozen=True)
class Generated:
    path: Path
    legs: int
    partners: tuple[str, ...]


def write_calls(path: str | Path, n: int, seed: int = 1, prefix: str = "C", part: tuple[int, int] = (1, 1)) -> Generated:
    """Write `n` legs to `path` (CSV, generic layout, header first); call ids start with `prefix`.

    part (p, of): the legs fall in the p-th of `of` equal spans of the two years, as a centre loading
    its history exports it period by period (a chunked build: each file's import then touches its
    own days, not every day held)."""
    import duckdb  # here, not at the top: the benchmark's launcher needs PARTNERS but must stay small

    number, parts = part
    first, after = (number - 1) * DAYS // parts, number * DAYS // parts
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    start = date.fromisoformat(START) + timedelta(days=first)
    sql = _SQL.format(start=start.isoformat(), days=after - first, n_in=len(IN_HOUSE_QUEUES),
                      n_partner=len(PARTNER_QUEUES), path=str(target).replace("'", "''"))
    con = duckdb.connect()
    try:
        con.execute("CREATE TEMP TABLE queue_map (queue_no UBIGINT, queue VARCHAR, partner VARCHAR)")
        queues = [(queue, "") for queue in IN_HOUSE_QUEUES] + list(PARTNER_QUEUES)
        con.executemany("INSERT INTO queue_map VALUES (?, ?, ?)", [(i, q, p or None) for i, (q, p) in enumerate(queues)])
        con.execute(sql, {"n": n, "seed": seed, "prefix": prefix})
    finally:
        con.close()
    return Generated(target, n, PARTNERS)


def main(argv: list[str]) -> int:
    """`python -m bench.generate PATH N [SEED [PREFIX [P/OF]]]`: the benchmark writes its files in a
    child process; P/OF puts the legs in the P-th of OF spans of the two years."""
    path, n, *rest = argv
    part = tuple(int(x) for x in rest[2].split("/")) if len(rest) > 2 else (1, 1)
    write_calls(path, int(n), int(rest[0]) if rest else 1, rest[1] if len(rest) > 1 else "C", part)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
