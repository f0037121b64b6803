"""A realistic Asterisk queue_log of about N call legs, for timing the `queue-log` import.

The mix follows a centre's log: most calls are answered in-house (some after an agent let it ring),
some abandoned, some leave by timeout, an empty queue or a key and then wait in a partner queue
(a second leg of the same call id), a few answered calls end in a transfer; agent log-ins, pauses
and member changes run between the calls; a few callers are turned away at the door. Lines are
written in time order, as Asterisk writes them, except that now and then a CONNECT comes before its
ENTERQUEUE. About one line in 20,000 is broken (cut short, junk, a negative wait, an unknown event),
and a few calls are still in progress at the end of the file. A seeded generator makes the same
(legs, seed) write the same file, so runs before and after a change read identical input.
"""
from __future__ import annotations

import argparse
import heapq
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IN_HOUSE = ("kundservice", "support", "fakturor", "vaxel")
PARTNER = ("alfa-kundservice", "alfa-support", "beta-kundservice", "gamma-fakturor")
START_EPOCH = 1732518000  # 2024-11-25 07:00 UTC
YEAR_S = 365 * 86400
BROKEN_EVERY = 20000


@dataclass(frozen=True)
class Written:
    path: Path
    legs: int   # legs with an ENTERQUEUE (every leg the log starts, finished or not)
    lines: int


def _leg(rng: random.Random, callid: str, queue: str, start: int, customer: str,
         overflow_to: str | None) -> Iterator[tuple[int, int, str]]:
    """(sort time, tie-break, line) of one leg and, when it leaves for `overflow_to`, of the next."""
    kind = rng.random()
    out_of_order = rng.random() < 0.005
    yield (start + (2 if out_of_order else 0), 0, f"{start}|{callid}|{queue}|NONE|ENTERQUEUE||{customer}|1")
    if kind < 0.62 or (overflow_to is None and kind < 0.9):
        wait = rng.randint(0, 25) if rng.random() < 0.7 else rng.randint(0, 240)
        if wait > 15 and rng.random() < 0.3:
            agent = f"Agent/{rng.randint(1000, 1399)}"
            yield (start + 15, 1, f"{start + 15}|{callid}|{queue}|{agent}|RINGNOANSWER|15000")
        agent = f"Agent/{rng.randint(1000, 1399)}"
        answered = start + wait
        yield (answered, 1, f"{answered}|{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}.{rng.randint(1, 9)}|{rng.randint(1, 9)}")
        talk = rng.randint(20, 900)
        end = answered + talk
        ending = rng.random()
        if ending < 0.04:
            line = f"BLINDTRANSFER|{rng.choice(('200', '300', 'kundservice'))}|default|{wait}|{talk}|1"
        elif ending < 0.06:
            line = f"ATTENDEDTRANSFER|BRIDGE|{rng.randint(200, 299)}|{wait}|{talk}|1"
        elif ending < 0.07:
            line = f"TRANSFER|{rng.randint(200, 299)}|default|{wait}|{talk}|1"
        elif ending < 0.55:
            line = f"COMPLETECALLER|{wait}|{talk}|1"
        else:
            line = f"COMPLETEAGENT|{wait}|{talk}|1"
        yield (end, 2, f"{end}|{callid}|{queue}|{agent}|{line}")
    elif kind < 0.8 or overflow_to is None:
        wait = rng.randint(0, 150)
        yield (start + wait, 2, f"{start + wait}|{callid}|{queue}|NONE|ABANDON|1|1|{wait}")
    else:
        wait = rng.randint(30, 90)
        event = rng.choices(("EXITWITHTIMEOUT|1|1", "EXITEMPTY|1|1", "EXITWITHKEY|5|1|1"), (8, 1, 1))[0]
        yield (start + wait, 2, f"{start + wait}|{callid}|{queue}|NONE|{event}|{wait}")
        yield from _leg(rng, callid, overflow_to, start + wait + 1, customer, None)


def _agent_event(rng: random.Random, at: int) -> str:
    agent = f"Agent/{rng.randint(1000, 1399)}"
    event = rng.choice(("PAUSE||||", "UNPAUSE||||", "ADDMEMBER|", "REMOVEMEMBER|", "AGENTLOGIN|SIP/x", "AGENTLOGOFF|SIP/x|3600"))
    return f"{at}|NONE|{rng.choice(IN_HOUSE + PARTNER)}|{agent}|{event}"


def _broken(rng: random.Random, at: int, callid: str) -> str:
    """A broken line, or a leg with a broken time (two lines, written together)."""
    return rng.choice((
        f"{at}|{callid}|support",                           # cut short
        "\x1b[0m garbage from a crashed writer",
        f"{at}|{callid}|support|NONE|ENTERQUEUE||1|1\n{at + 3}|{callid}|support|NONE|ABANDON|1|1|-3",
        f"{at}|{callid}|support|NONE|ENTERQUEUE||1|1\n{at + 3}|{callid}|support|Agent/1001|CONNECT|abc|x|1\n"
        f"{at + 9}|{callid}|support|Agent/1001|COMPLETECALLER|3|6|1",
        f"{at}|{callid}x|support|NONE|HANGUPX|||",          # an event nobody knows
        f"tomorrow|{callid}|support|NONE|ENTERQUEUE||1|1",  # an epoch that is not a number
    ))


def write_queue_log(path: str | Path, legs: int, seed: int = 1, broken_every: int = BROKEN_EVERY) -> Written:
    """Write a queue_log with about `legs` legs (the last call may add one) to `path`; about one
    line in `broken_every` is broken."""
    rng = random.Random(seed)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    gap = YEAR_S / max(legs / 1.2, 1)
    pending: list[tuple[int, int, int, str]] = []
    started = lines = calls = seq = 0
    with target.open("w", encoding="utf-8", newline="\n") as out:
        while started < legs:
            at = START_EPOCH + int(calls * gap)
            calls += 1
            while pending and pending[0][0] <= at:
                lines += _write(out, heapq.heappop(pending)[3])
            callid = f"{at}.{calls}"
            customer = f"07{rng.randint(0, 99999999):08d}"
            for sort_time, tie, line in _leg(rng, callid, rng.choice(IN_HOUSE), at, customer, rng.choice(PARTNER)):
                seq += 1
                heapq.heappush(pending, (sort_time, tie, seq, line))
                started += "|ENTERQUEUE|" in line
            extra = rng.random()
            if extra < 0.05:
                seq += 1
                heapq.heappush(pending, (at + 1, 3, seq, _agent_event(rng, at + 1)))
            elif extra < 0.06:
                seq += 1
                event = rng.choice(("JOINEMPTY", "FULL", "CLOSED", "JOINUNAVAIL"))
                heapq.heappush(pending, (at + 1, 3, seq, f"{at + 1}|{at}.{calls}j|{rng.choice(IN_HOUSE)}|NONE|{event}|||"))
            if rng.random() < 3 / broken_every:
                seq += 1
                heapq.heappush(pending, (at + 1, 3, seq, _broken(rng, at + 1, f"{at}.{calls}b")))
        cut = max((item[0] for item in pending), default=0) - 600  # calls still in progress at the end
        while pending and pending[0][0] <= cut:
            lines += _write(out, heapq.heappop(pending)[3])
    return Written(target, started, lines)


def _write(out, text: str) -> int:
    out.write(text + "\n")
    return text.count("\n") + 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queue_log", description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--legs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    done = write_queue_log(args.path, args.legs, args.seed)
    print(f"{done.path}: {done.lines:,} lines, {done.legs:,} legs started")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
