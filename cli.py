"""The command line: `python -m cli COMMAND --help`. Thin: parses arguments, calls the packages.

Every mistake a user can make ends in one line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from data.errors import UserError

Handler = Callable[[argparse.Namespace], int]


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database file (default: $OVERFLOW_DB, else data/overflow.duckdb)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cli", description="Overflow SLA: follow up overflow partners.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRY:
        register(commands)
    return parser


# Each entry adds one command (or group) to the parser and sets its handler with set_defaults(run=...).
REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = []


def command(register: Callable[[argparse._SubParsersAction], None]) -> Callable[[argparse._SubParsersAction], None]:
    REGISTRY.append(register)
    return register


# --- commands ----------------------------------------------------------------------------------


@command
def _access(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("access", help="who may sign in and what they see (admin, manager, partner)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    grant = actions.add_parser("grant", help="give an email a role (replaces any role it had)")
    grant.add_argument("email")
    grant.add_argument("--role", required=True, choices=("admin", "manager", "partner"))
    grant.add_argument("--partner", help="for --role partner: the partner whose data the user may see")
    revoke = actions.add_parser("revoke", help="take away an email's access")
    revoke.add_argument("email")
    listing = actions.add_parser("list", help="list every grant")
    for sub in (grant, revoke, listing):
        _db_option(sub)
    parser.set_defaults(run=_run_access)


def _run_access(args: argparse.Namespace) -> int:
    from data import store
    from partners import access, audit

    if args.action == "list":
        with store.reading(args.db) as con:
            grants = access.list_grants(con)
        for g in grants:
            print(f"{g.email}\t{access.describe_role(g.role, g.partner_name)}\tgranted {g.granted_at:%Y-%m-%d %H:%M} by {g.granted_by or '?'}")
        if not grants:
            print("no grants yet: python -m cli access grant EMAIL --role admin")
        return 0
    with store.writing(args.db) as con:
        if args.action == "grant":
            g = access.grant(con, args.email, args.role, args.partner, actor=audit.cli_actor())
            print(f"granted {g.email}: {access.describe_role(g.role, g.partner_name)}")
        else:
            access.revoke(con, args.email, actor=audit.cli_actor())
            print(f"revoked {access.normalise_email(args.email)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written by the unfinished step", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
