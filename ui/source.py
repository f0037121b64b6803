"""Who is looking and at which data: the `Source` every cached read is keyed by, and the cache itself.

Cached loaders take plain hashable arguments only: the `Source` (database path, data version,
reporting time zone, scope) and the filters. The data version is bumped by every committed write,
so an import that lands changes every cache key and the next run reads fresh figures; `ttl` and
`max_entries` keep the caches bounded.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import numbers
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from data import audit, i18n, settings, store
from data.errors import UserError
from data.i18n import _
from partners.access import OUT_OF_SCOPE, Scope
from partners.periods import Period
from ui import signin

@dataclass(frozen=True)
class Source:
    """Everything a cached read depends on besides its filters. The reader's language is part of it,
    so a cached table, chart or text made in English is never shown to a Swedish reader."""

    db: str
    version: int
    tz: str
    scope: Scope
    language: str = i18n.DEFAULT


def _source_key(src: Source) -> tuple:
    return (src.db, src.version, src.tz, src.language, *dataclasses.astuple(src.scope))


def _period_key(period: Period) -> tuple:
    return (period.start.toordinal(), period.end.toordinal(), period.grain, period.label)


_cache = st.cache_data(ttl="15m", max_entries=128, show_spinner=False)


def shared(src: Source) -> Source:
    """The Source a cached read is keyed by: who is looking reduced to what the reads depend on (the
    partners in scope), so a read made for one user, or by the warmer (ui/warm.py) before anyone
    asked, serves every user with the same view. No cached read uses the viewer's email or role."""
    view = Scope("", "partner", src.scope.partner_id) if src.scope.is_partner else Scope("", "manager")
    return replace(src, scope=view)


def _viewed(value: object) -> object:
    """An argument of a cached read with every Source in it (a loader's arguments passed on as a
    tuple too) keyed by `shared`."""
    if isinstance(value, Source):
        return shared(value)
    if isinstance(value, tuple):
        return tuple(_viewed(item) for item in value)
    return value


def _plain(value: object) -> object:
    """An argument of a cached read as the plain values that decide its result: a Source and a
    Period by what they hold, numbers as Python's (a partner id read from a frame is numpy's), a
    frozen dataclass (an action item) by its fields, a function by its module and name. Anything
    else is refused rather than keyed by chance."""
    if isinstance(value, Source):
        return ("Source", *_source_key(value))
    if isinstance(value, Period):
        return ("Period", *_period_key(value))
    if value is None or isinstance(value, (bool, str, dt.date)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, *(_plain(item) for item in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen:
        return (type(value).__qualname__, *(_plain(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if callable(value) and "<" not in getattr(value, "__qualname__", "<"):  # a module's function (a loader), by name
        return ("function", value.__module__, value.__qualname__)
    raise TypeError(f"a cached read takes plain values (numbers, text, days, tuples, lists, a Source, a Period, "
                    f"frozen dataclasses, a module's function), not {type(value).__name__}")


def cached(loader: Callable[..., object]) -> Callable[..., object]:
    """A read cached by its plain arguments, any Source among them keyed by `shared`.

    Streamlit hashes a cached function's arguments one by one, looking up each one's name in the
    function's signature on every call; a page's 20-25 cached calls spent more on that than on
    reading their answers. So the cache sees one argument, the arguments written out as text
    (`_plain`) with the reader's language (a read that draws, or words its table, is the reader's),
    and is handed the arguments themselves unhashed (a leading underscore)."""
    def read(key: str, _args: tuple, _kwargs: dict) -> object:
        return loader(*_args, **_kwargs)

    read.__module__, read.__name__, read.__qualname__ = loader.__module__, loader.__name__, loader.__qualname__
    read = _cache(read)  # one cache per loader: Streamlit names a function's cache by its module and qualname

    @functools.wraps(loader)
    def by_view(*args: object, **kwargs: object) -> object:
        args, kwargs = tuple(_viewed(a) for a in args), {k: _viewed(v) for k, v in kwargs.items()}
        return read(repr((i18n.current(), _plain(args), _plain(tuple(sorted(kwargs.items()))))), args, kwargs)

    return by_view


def callback(run: Callable[..., None]) -> Callable[..., None]:
    """A widget's callback, which Streamlit runs before the next page run (maybe on another thread, in
    the default language): its words are in the language of the run that drew the widget, its Source's."""
    @functools.wraps(run)
    def in_language(src: Source, *args: object, **kwargs: object) -> None:
        with i18n.language(src.language):
            run(src, *args, **kwargs)

    return in_language


def per_partner(loader: Callable[..., object]) -> Callable[..., object]:
    """A cached read of one partner's data that refuses a partner outside the viewer's scope.

    The pickers only offer the partners in scope; this check is the second lock, where the data is
    read, so a page that passed the wrong id fails loudly instead of drawing another partner.
    """
    read = cached(loader)

    @functools.wraps(loader)
    def guarded(src: Source, partner_id: int, *args: object) -> object:
        if not src.scope.allows(partner_id):
            raise UserError(OUT_OF_SCOPE)
        return read(src, partner_id, *args)

    guarded.per_partner = True  # type: ignore[attr-defined]  (ui/render names its CSV files by the partner)

    return guarded


def read() -> Source:
    """Who is looking and the data version, checked on every run.

    A missing database file is created empty, so a first start shows the empty state and the
    Data page can take the first upload. The scope comes from the sign-in gate, which stops the
    run with its own page when nobody with access is signed in.
    """
    path = store.db_path()
    if not path.exists():
        store.create(path)
    scope = signin.current_scope()
    version, tz, current = _version(str(path), stamp(path))[:3]
    if not current:  # a file from before the newest migration (only a write migrates): bring it forward
        with st.spinner(_("Bringing the database forward to this release: on a large database this takes "
                          "minutes (`python -m cli upgrade` does it before the app is started).")):
            store.create(path)
        version, tz, current = _version(str(path), stamp(path))[:3]
    return Source(str(path), version, tz, scope, i18n.current())


# The agent-level views a page run showed, recorded when the run ends (see one_reader).
_shown: ContextVar[list[tuple[Source, str, str]] | None] = ContextVar("agent_views_shown", default=None)


@contextlib.contextmanager
def one_reader() -> Iterator[None]:
    """The block of one page run, in which the loaders read through the process's kept read-only
    connection (store.one_reader) with no writer let in between their reads, so the whole run is of
    the data version its caches are keyed by. The agent-level views the run showed are recorded at
    its end, after its reads: the audit line is a write, which closes the kept connection (and
    drops what it remembers), and written mid-run it made every later read of the run open the
    1 GB file again (Quality, a period not seen). An error writing it still reaches the page's
    error boundary, which holds this block."""
    shown: list[tuple[Source, str, str]] = []
    token = _shown.set(shown)
    try:
        with store.one_reader():
            yield
    finally:
        _shown.reset(token)
        for src, partner, place in shown:
            _record(src, partner, place)


def current() -> Source:
    """The Source the sidebar was drawn with on this run (see filters.sidebar)."""
    return st.session_state["_source"]


def stamp(path: Path) -> tuple[tuple[int, int], ...]:
    """Modification time and size of the database and its WAL: every commit changes one of them."""
    stamps = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            info = file.stat()
        except FileNotFoundError:
            continue
        stamps.append((info.st_mtime_ns, info.st_size))
    return tuple(stamps)


def installation_language() -> str:
    """The installation's `language` setting (data/settings.py), read with the data version; the
    default without a database, or for a value written past `cli settings set`."""
    path = store.db_path()
    if not path.exists():
        return i18n.DEFAULT
    return _version(str(path), stamp(path))[3]


@st.cache_data(ttl="5s", max_entries=16, show_spinner=False)
def _version(db: str, stamp: tuple[tuple[int, int], ...]) -> tuple[int, str, bool, str]:
    """The data version, reporting zone, whether the schema is the newest and the installation's
    language, read only when the file changed; the short ttl covers two commits that land within
    one tick of the file clock. (A write by another process changes the stamp, and the kept
    read-only connection was let go for that write, so the version read then is the new one.)"""
    with store.reading(db) as con:
        newest = store.schema_version(con) == store.migrations()[-1][0]
        language = settings.get(con, "language")
        return (store.data_version(con), settings.get(con, "reporting_tz"), newest,
                language if language in i18n.LANGUAGES or language == i18n.PSEUDO else i18n.DEFAULT)


def agent_view(src: Source, partner: str, place: str) -> None:
    """Record (data/audit.py, agent_view) that this user sees `partner`'s agent ids at `place`: once
    per session and place, since every click reruns the page; within a page run, when the run ends
    (one_reader). A read-only user's view is recorded too: the audit line is the store's, not the
    user's write."""
    seen = st.session_state.setdefault("agent_views_recorded", set())
    if (src.scope.email, partner, place) in seen:
        return
    shown = _shown.get()
    if shown is None:
        _record(src, partner, place)
    elif (src, partner, place) not in shown:
        shown.append((src, partner, place))


def _record(src: Source, partner: str, place: str) -> None:
    audit.agent_view(src.db, src.scope.email or "local", partner, place)
    st.session_state.setdefault("agent_views_recorded", set()).add((src.scope.email, partner, place))
