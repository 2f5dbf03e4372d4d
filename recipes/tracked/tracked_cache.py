# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Cache rendered DRF responses under the rows and columns they were computed from, found
while they render: nothing is declared, and a write reaches only the entries it changes.

How the caching works:

* A miss renders inside ``collect()``. Two hooks watch it: a database ``execute_wrapper``
  sees every statement, and ``post_init`` sees every model instance loaded. What they saw
  becomes the entry's *dependencies*, as fields of one table each:

  - ``#7``: row 7 was loaded as an instance (nested at any depth, prefetched,
    ``select_related``); any change to that row reaches the entry.
  - ``author_id=3@+``, ``author_id=3@rating``: a query read the rows whose ``author_id`` is
    3 (an equality on a primary or foreign key, alone or in ``IN (...)``); a row entering
    or leaving that set (``+``), or a change to a column the query filtered, joined,
    ordered or aggregated on (``rating``), reaches it. Without such an equality, ``@+``
    and ``@rating`` stand for every row of the table.
  - ``*``: every entry that read a table depends on it, for writes too large or too
    opaque to describe row by row; ``@*``: a statement the collector cannot describe
    (raw SQL, ``extra()``) reads "anything in the table", which every write reaches.

* Every write statement on a model's table, whichever API sent it (``save()``,
  ``update()``, ``bulk_create``, a queryset ``delete()``, an m2m ``add``, raw SQL through
  ``connection.cursor()``), passes through the same ``execute_wrapper``. It reads the rows
  an ``UPDATE`` or ``DELETE`` will touch before it runs (and an ``UPDATE``'s rows again
  after), takes an ``INSERT``'s rows from its parameters, and names the fields each changed
  row reaches: its ``#pk``, and for each column that really changed, ``@column`` and
  ``key=value@column`` for every primary and foreign key value the row had before and
  after (a moved foreign key reaches both parents).
* Those fields are marked once the transaction commits, in one script for the whole
  transaction; a rollback, or a savepoint rolled back, marks nothing of what it undid
  (Django drops those statements' ``on_commit`` callbacks).
* Marks are counts: one counter per store, incremented by every invalidation, and one
  Redis hash of marks per table. A miss reads the counter before the view runs (*seen*);
  an entry is served only while no mark of any of its fields is above the count it saw.
  So a store that raced a write (the stale-set race) is never served.
* Each table's hash carries a ``~born`` count, and an entry records it. A hash that
  Redis evicted (``allkeys-lru``), or that grew past ``max_marks`` and was dropped, is
  born again at the count of that moment: an entry of the old hash no longer matches
  (unless nothing at all was marked since, when nothing was lost), and a store whose
  read saw an older count is refused. A miss, never a stale hit.
* A read is one Lua script: the entry, the counter, the last marks of the tables it
  read, and a table's fields only where it was marked since. An entry found current is
  stamped with the count: a string of "count digest" beside it. The process that read
  it holds the decoded response; its next hit is one ``MGET`` of the counter and the
  stamps, answered from what it holds while they read the count and its digest (nothing
  marked since). When they do not, the script reads it, and sends the body only if the
  process does not hold those bytes. Every key of a store carries the hash tag
  ``{name}``, so the scripts and the ``MGET`` run on Redis Cluster too.
* ``as_view`` answers hits before DRF's dispatch: a GET's key holds the credential as sent
  (``Authorization``, the session cookie) and the media type DRF would negotiate; it names
  an *alias* of the user's entry that depends on the user's, token's and session's rows and
  on what authentication and permissions read. The script follows the alias to the entry.
  Throttled views, and authentications whose credential the key does not hold, answer
  their hits after DRF's checks instead.
* When Redis is down, requests are answered from the database, and a lost invalidation
  is logged with the tables and fields it could not mark (fail open).
* What it cannot see: data from outside the database (another service, files, the clock),
  and writes that do not go through Django's connections.

Requires django-redis, and ``install()`` called once from an ``AppConfig.ready``.
"""

import hashlib
import itertools
import json
import logging
import re
import sys
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache, wraps
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import caches
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models import Model
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import Exact, In
from django.db.models.signals import post_init
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.where import AND, ExtraWhere, WhereNode
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils.cache import patch_vary_headers
from redis.exceptions import NoScriptError, RedisError, ResponseError
from rest_framework.authentication import (
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1  # bump when a serializer's output changes shape
#: The layout of a stored entry, in its key: entries of an older layout are never read.
ENTRY_LAYOUT = 4
MISSING = object()
MAX_FIELDS = 500  # per table and entry; more, and the entry depends on the whole table
MAX_ROWS = 500  # per write statement; more, and it marks the whole table (``*``)
IGNORED_TABLES = {"django_session", "django_migrations"}  # as reads: a session is a key
UNWATCHED_TABLES = {"django_migrations"}  # as writes: a logout ends a session's entries

Dependencies = dict[str, set[str]]  # table -> fields


# --8<-- [start:core]
class TrackedResponseMixin:
    """Serve ``list`` and ``retrieve`` from entries that know what they were read from."""

    cache_name: str
    cache_timeout: int = 300
    cache_per_user: bool = True
    cache_store: "TrackedCache"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self._cached("list", super().list, request, args, kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self._cached("retrieve", super().retrieve, request, args, kwargs)

    def _cached(
        self, action: str, view: Callable, request: Request, args: tuple, kwargs: dict
    ) -> HttpResponseBase:
        key = response_key(
            f"{self.cache_name}.{action}", request, kwargs, per_user=self.cache_per_user
        )
        early = getattr(request._request, "tracked_miss", None)  # (1)!
        found = (
            early.lookup(key, request) if early else self.cache_store.get(key)
        )  # (2)!
        if isinstance(found.value, RenderedResponse):
            return report_cache_outcome(found.value.replay(), "hit")
        with Flight.board(key, early) as flight:  # (3)!
            if flight.waited_for_another(self.cache_store):
                return report_cache_outcome(flight.found.replay(), "waited")
            with collect() as read:  # (4)!
                response = view(request, *args, **kwargs)
                rendered = render_now(self, response)
            if rendered is not None:
                entry = Entry(key, rendered, read, self.cache_timeout, found.seen)
                if early:
                    early.entry = entry  # stored with the caller's alias, at once
                else:
                    self.cache_store.put(entry)
        return report_cache_outcome(response, "miss")

    @classmethod
    def as_view(cls, actions: dict | None = None, **initkwargs: Any) -> Callable:
        """DRF's view, behind one that answers hits before DRF's dispatch."""
        view = super().as_view(actions, **initkwargs)
        action = (actions or {}).get("get")
        if action not in ("list", "retrieve") or not answers_early(cls):
            return view
        return answer_hits_first(cls, f"{cls.cache_name}.{action}", view)


# --8<-- [end:core]


# --8<-- [start:hooks]
@contextmanager
def collect() -> Iterator[Dependencies]:
    """Record what every query and every loaded instance of the block read."""
    if not _installed:
        raise ImproperlyConfigured(
            "call tracked_cache.install() from your AppConfig.ready(): without it no "
            "write would reach a cached response"
        )
    outer = _reading.get()
    if outer is not None:  # inside a collection already: add to it
        yield outer
        return
    read = Reads()
    token = _reading.set(read)
    try:
        yield read
    finally:
        _reading.reset(token)
        bound(read)


class Reads(dict):
    """What a collection read, table by table: a table's fields always hold ``*``."""

    def __missing__(self, table: str) -> set[str]:
        fields = self[table] = {"*"}
        return fields


def bound(read: Dependencies) -> None:
    """Collapse a table past ``MAX_FIELDS``, or read whole (``@*``), to ``{*, @*}``:
    done once a collection ends, not at each of its thousands of additions."""
    for table, fields in read.items():
        if read_whole(fields):
            read[table] = {"*", "@*"}


def read_whole(fields: set[str]) -> bool:
    """Whether a table's fields stand for the whole table: read whole (``@*``), or
    more than ``MAX_FIELDS`` of them."""
    return "@*" in fields or len(fields) > MAX_FIELDS


def install(
    *stores: "TrackedCache",
    outbox: type[Model] | None = None,
    retry: float | None = None,
) -> None:
    """Watch every connection's statements and every instance loaded, and have writes
    mark ``stores`` (call once, from ``AppConfig.ready``); with an ``outbox`` model, no
    invalidation is lost to an outage (``outbox.py``), and undelivered marks are tried
    again every ``retry`` seconds (5)."""
    global _installed
    _stores.extend(store for store in stores if store not in _stores)
    _delivery.outbox = outbox or _delivery.outbox
    _delivery.retry = retry or _delivery.retry
    connection_created.connect(_watch_connection, dispatch_uid=__name__)
    post_init.connect(_instance_loaded, dispatch_uid=__name__, weak=False)
    for connection in connections.all(initialized_only=True):
        _watch_connection(connection=connection)
    _installed = True


# --8<-- [end:hooks]

_reading: ContextVar[Dependencies | None] = ContextVar("tracked_reading", default=None)
_busy: ContextVar[bool] = ContextVar("tracked_busy", default=False)
_installed = False
_stores: list["TrackedCache"] = []
_plans: dict[tuple[str, bool], "ReadPlan"] = {}
_statements: dict[tuple, tuple[tuple[str, frozenset[str]], ...]] = {}


# --8<-- [start:reads]
def _instance_loaded(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """Add ``#pk`` for a row loaded while a response renders, on its table and its
    parents' (multi-table inheritance stores a row in each). It runs for every
    instance of the process: the least work that can be."""
    read = _reading.get()
    if read is None or _busy.get():
        return
    pk = instance.pk
    if pk is None:
        return
    row = f"#{pk}" if isinstance(pk, int) else f"#{row_token(instance, pk)}"
    for table in tables_of(sender):
        read[table].add(row)


def row_token(instance: Model, pk: Any) -> str:
    """A primary key that is not an integer, as a write names it: a UUID is stored as
    hex on some databases."""
    connection = connections[instance._state.db or DEFAULT_DB_ALIAS]
    return token_of(instance._meta.pk.get_db_prep_value(pk, connection))


@cache
def tables_of(model: type[Model]) -> tuple[str, ...]:
    """The tables a row of ``model`` is read from: its own and its parents'."""
    tables = (
        model._meta.db_table,
        *(p._meta.db_table for p in model._meta.get_parent_list()),
    )
    return tuple(table for table in tables if table not in IGNORED_TABLES)


def add_fields(read: Dependencies, table: str, fields: Iterable[str]) -> None:
    """Add ``fields`` to ``table``'s, always with ``*``; past ``MAX_FIELDS``, collapse
    them to ``@*``: any write to the table reaches the entry."""
    if table in IGNORED_TABLES:
        return
    mine = read[table]
    mine.update(fields, "*")
    if read_whole(mine):
        mine.clear()
        mine.update({"*", "@*"})


def statement_reads(sql: str, compiler: SQLCompiler | None) -> Dependencies:
    """Return the fields one ``SELECT`` depends on, table by table."""
    plan = read_plan(sql, compiler)
    read: Dependencies = defaultdict(set)
    for table in plan.whole:
        add_fields(read, table, {"@*"})
    if not plan.columns:
        return read
    keys = key_equalities(compiler.query.where, compiler.connection)
    for alias, table, changes in plan.columns:
        narrowed = keys.get(alias)
        if narrowed and narrowed[0] in key_columns(table):
            column, values = narrowed
            fields = {f"{column}={v}@{c}" for v in values for c in changes}
        else:
            fields = {f"@{c}" for c in changes}
        add_fields(read, table, fields)
    return read


def make_read_plan(sql: str, compiler: SQLCompiler | None) -> "ReadPlan":
    """Read what does not depend on a statement's parameters: the tables it reads whole
    (raw SQL, ``extra()``, subqueries), and the columns each table alias reads."""
    named = tables_named_in(sql)
    if compiler is None or opaque(compiler):  # raw SQL, extra(): all of these tables
        return ReadPlan(named)
    aliases = {
        alias: join.table_name
        for alias, join in compiler.query.alias_map.items()
        if join.table_name in named
    }
    columns = columns_by_alias(shape_and_content_sql(sql, compiler))
    if set(columns) - set(aliases):  # a subquery's alias: which table is unknown
        return ReadPlan(named)
    return ReadPlan(
        named - set(aliases.values()),  # tables of a subquery
        tuple(
            (alias, table, frozenset({"+"} | columns.get(alias, set())))  # (1)!
            for alias, table in aliases.items()
        ),
    )


def shape_and_content_sql(sql: str, compiler: SQLCompiler) -> str:
    """Return what of ``sql`` a row's change can move a result through: all of it but the
    columns of the instances it loads, which their ``#pk`` fields cover."""
    values = compiler.query.values_select  # values(), values_list(): no instances
    loaded = set() if values else set(instance_columns(compiler.klass_info))
    content = [
        sql_and_params[0]
        for index, (_, sql_and_params, _) in enumerate(compiler.select)
        if index not in loaded
    ]
    return " ".join([*content, sql[find_top_level(sql, " FROM ") or 0 :]])


# --8<-- [end:reads]


def reads_of(
    sql: str, params: Any, compiler: SQLCompiler | None
) -> tuple[tuple[str, frozenset[str]], ...]:
    """Return ``statement_reads``, remembered by SQL text and parameters: a page that
    misses again runs the very statements it ran the last time."""
    if isinstance(params, dict):
        params = sorted(params.items())
    statement = (*statement_shape(sql, compiler), *(params or ()))
    try:
        found = _statements.get(statement)
    except TypeError:  # a parameter that cannot be a key (a list): read it each time
        return frozen(statement_reads(sql, compiler))
    if found is not None:
        return found
    return remembered(
        _statements,
        statement,
        lambda: frozen(statement_reads(sql, compiler)),
        most=8192,
    )


def frozen(read: Dependencies) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((table, frozenset(fields)) for table, fields in read.items())


@dataclass(frozen=True)
class ReadPlan:
    """What a statement's SQL reads, whatever its parameters: the tables it reads whole,
    and, by table alias, the columns a row's change could move its result through."""

    whole: frozenset[str]
    columns: tuple[tuple[str, str, frozenset[str]], ...] = ()


def read_plan(sql: str, compiler: SQLCompiler | None) -> ReadPlan:
    """Return the plan of ``sql``, made once per SQL text: a page runs the same few
    statements many times, with other parameters."""
    shape = statement_shape(sql, compiler)
    return remembered(_plans, shape, lambda: make_read_plan(sql, compiler), most=4096)


def statement_shape(sql: str, compiler: SQLCompiler | None) -> tuple[str, bool]:
    """Return what a statement's plan depends on: its SQL, and whether its rows are
    values (raw SQL, ``values()``) rather than instances."""
    return sql, compiler is None or bool(compiler.query.values_select)


def remembered(memo: dict, key: Any, make: Callable[[], Any], *, most: int) -> Any:
    """Return ``memo[key]``, made by ``make`` if missing; past ``most`` entries, start
    again (a process's pages run a bounded set of statements)."""
    found = memo.get(key)
    if found is None:
        if len(memo) >= most:
            memo.clear()
        found = memo[key] = make()
    return found


def instance_columns(klass_info: dict | None) -> Iterator[int]:
    """Yield the indexes of the select columns that become model instances."""
    if klass_info is None:
        return
    yield from klass_info["select_fields"]
    for related in klass_info.get("related_klass_infos", []):
        yield from instance_columns(related)


def opaque(compiler: SQLCompiler) -> bool:
    """Whether a statement holds SQL the collector cannot read columns from."""
    query = compiler.query
    if compiler.select is None or not hasattr(query, "alias_map"):
        return True  # an aggregate over a subquery: its tables are read whole
    return bool(
        query.extra
        or query.extra_tables
        or any(isinstance(e, RawSQL) for e in query.annotations.values())
        or holds_extra_where(query.where)
    )


def holds_extra_where(node: Any) -> bool:
    return isinstance(node, ExtraWhere) or any(
        holds_extra_where(child) for child in getattr(node, "children", ())
    )


def key_equalities(
    where: WhereNode, connection: Any
) -> dict[str, tuple[str, list[str]]]:
    """Return ``{alias: (column, values)}`` for equalities the whole ``WHERE`` requires
    (the top-level ``AND``): ``= value`` or ``IN (values)`` on a plain column."""
    found: dict[str, tuple[str, list[str]]] = {}
    if where.connector != AND or where.negated:
        return found
    for child in where.children:
        if isinstance(child, WhereNode):
            for alias, pair in key_equalities(child, connection).items():
                found.setdefault(alias, pair)
        elif isinstance(child, Exact | In) and isinstance(child.lhs, Col):
            values = child.rhs if isinstance(child, In) else [child.rhs]
            if hasattr(values, "resolve_expression") or any(
                hasattr(v, "resolve_expression") for v in values
            ):
                continue  # a subquery or an expression: not a value
            field = child.lhs.output_field
            tokens = [
                token_of(field.get_db_prep_value(v, connection, prepared=True))
                for v in values
            ]
            found.setdefault(child.lhs.alias, (child.lhs.target.column, tokens))
    return found


COLUMN = re.compile(r'(?:"(?P<quoted>[^"]+)"|\b(?P<bare>\w+))\."(?P<column>[^"]+)"')


def columns_by_alias(sql: str) -> dict[str, frozenset[str]]:
    """Return the columns ``sql`` names, by table alias."""
    found = defaultdict(set)
    for match in COLUMN.finditer(sql):
        found[match["quoted"] or match["bare"]].add(match["column"])
    return {alias: frozenset(columns) for alias, columns in found.items()}


@lru_cache(maxsize=1024)
def tables_named_in(sql: str) -> frozenset[str]:
    """Return every model table whose name ``sql`` contains as a word."""
    return frozenset(table_names().findall(sql))


@cache
def table_names() -> re.Pattern:
    names = sorted(model_tables(), key=len, reverse=True)
    return re.compile(rf"\b({'|'.join(map(re.escape, names))})\b")


@cache
def model_tables() -> dict[str, Any]:
    """Return ``{table: its model's options}`` for every model, m2m tables included."""
    return {
        model._meta.db_table: model._meta
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table not in UNWATCHED_TABLES and model._meta.managed
    }


@cache
def key_columns(table: str) -> frozenset[str]:
    """Return the primary and foreign key columns of ``table``: the ones values narrow."""
    meta = model_tables()[table]
    return frozenset(
        {meta.pk.column}
        | {field.column for field in meta.concrete_fields if field.is_relation}
    )


WORD = re.compile(r"[\w.:-]{1,40}")


def token_of(value: Any) -> str:
    """Return ``value`` as one word of a field's name, the same from either side."""
    if isinstance(value, int):
        return str(value)
    text = value.hex() if isinstance(value, bytes | memoryview) else str(value)
    if not WORD.fullmatch(text):
        return "h" + hashlib.sha1(text.encode()).hexdigest()[:16]
    return text


# --8<-- [start:writes]
WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?",
    re.IGNORECASE,
)


def _watch_connection(connection: Any, **kwargs: Any) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)  # (1)!


def _watch(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    """Record what a ``SELECT`` read, or mark what a write changed once it commits."""
    if _busy.get():
        return execute(sql, params, many, context)
    kind = sql.lstrip()[:6].upper()  # every statement of the process passes here
    written = WRITE.match(sql) if kind in ("INSERT", "UPDATE", "DELETE") else None
    if written is None:
        read = _reading.get()
        if read is not None and kind == "SELECT":
            for table, fields in reads_of(sql, params, executing_compiler()):
                read[table] |= fields
        return execute(sql, params, many, context)
    table = written[1]
    if table not in model_tables():
        return execute(sql, params, many, context)
    connection = context["connection"]
    change = RowChange(connection, table, sql, params if not many else None)
    change.before()
    ahead = _delivery.keep_ahead(connection, table)  # (2)!
    try:
        result = execute(sql, params, many, context)
    except Exception:
        _delivery.forget(ahead, using=connection.alias)
        raise
    if not connection.in_atomic_block:  # (3)!
        FinishedStatement.finish(context["cursor"])
    marks = {table: change.after()}
    pending = ahead or _delivery.keep(connection, marks)
    marked = CommitBatch.of(connection).written(marks, pending)
    transaction.on_commit(marked, using=connection.alias)  # (4)!
    return result


# --8<-- [end:writes]


class FinishedStatement:
    """A cursor whose write statement has run to its end, replaying the rows it returned.

    Outside a transaction a statement commits when it finishes, and on SQLite an
    ``INSERT ... RETURNING`` (every ``save()`` of a new row) finishes only once its rows
    are fetched: until then no other connection sees the row. Marked before that, a read
    could see the count after the mark and the table before the row, and store a stale
    entry that no later mark would end. So the rows are fetched here, and Django reads
    them from this cursor as it would have from the driver's.
    """

    def __init__(self, wrapper: Any, rows: list) -> None:
        self._wrapper, self._cursor, self._rows = wrapper, wrapper.cursor, iter(rows)

    @classmethod
    def finish(cls, wrapper: Any) -> None:
        """Run the statement of Django's cursor ``wrapper`` to its end, if it returns rows."""
        if wrapper.cursor.description is not None:
            wrapper.cursor = cls(wrapper, wrapper.cursor.fetchall())

    def fetchone(self) -> Any:
        return next(self._rows, None)

    def fetchmany(self, size: int | None = None) -> list:
        return list(itertools.islice(self._rows, size or self._cursor.arraysize))

    def fetchall(self) -> list:
        return list(self._rows)

    def __iter__(self) -> Iterator:
        return self._rows

    def execute(self, *args: Any) -> Any:
        """The next statement runs on the driver's cursor again."""
        self._wrapper.cursor = self._cursor
        return self._cursor.execute(*args)

    def executemany(self, *args: Any) -> Any:
        self._wrapper.cursor = self._cursor
        return self._cursor.executemany(*args)

    def __getattr__(self, name: str) -> Any:  # description, rowcount, lastrowid, close
        return getattr(self._cursor, name)


def executing_compiler() -> SQLCompiler | None:
    """Return the ORM compiler running this statement, or ``None`` for raw SQL.

    Django hands an ``execute_wrapper`` the SQL, not the query it came from; the compiler
    is a few frames up, in ``execute_sql``.
    """
    frame = sys._getframe(2)
    execute_sql = SQLCompiler.execute_sql.__code__
    for _ in range(8):
        if frame is None:
            return None
        if frame.f_code is execute_sql:  # a patch of it may name its compiler otherwise
            compiler = frame.f_locals.get("self")
            return compiler if isinstance(compiler, SQLCompiler) else None
        frame = frame.f_back
    return None


class RowChange:
    """The rows one write statement touches, before and after, and the fields they reach."""

    def __init__(self, connection: Any, table: str, sql: str, params: Any) -> None:
        self.connection, self.table, self.sql = connection, table, sql
        self.params = list(params) if params is not None else None
        self.meta = model_tables()[table]
        self.kind = sql.lstrip()[:6].upper()
        self.old: list[dict] | None = []

    def before(self) -> None:
        """Read the rows an ``UPDATE`` or ``DELETE`` is about to touch."""
        if self.kind == "INSERT":
            return
        where = self.where_clause()
        if where is None:
            self.old = None
            return
        clause, params = where
        self.old = self.select(f"WHERE {clause}" if clause else "", params)

    def after(self) -> set[str]:
        """Return the fields the statement's rows reach: ``*`` when they are unknown."""
        if self.kind == "INSERT":
            rows = self.inserted_rows()
            inserted = None if rows is None else [(None, row) for row in rows]
            return rows_fields(self.meta, inserted)
        if self.old is None:
            return rows_fields(self.meta, None)
        if self.kind == "DELETE":
            return rows_fields(self.meta, [(row, None) for row in self.old])
        pk = self.meta.pk.column
        new = {row[pk]: row for row in self.select_by_pk([r[pk] for r in self.old])}
        return rows_fields(self.meta, [(row, new.get(row[pk])) for row in self.old])

    def where_clause(self) -> tuple[str, list] | None:
        """Return the statement's ``WHERE`` and its parameters, or ``None`` if unsure."""
        if self.params is None:
            return None
        start = find_top_level(self.sql, " WHERE ")
        if start is None:
            clause, params = "", []
        else:
            clause = self.sql[start + len(" WHERE ") :]
            params = self.params[self.sql[:start].count("%s") :]
        if clause.count("%s") != len(params) or self.sql.count("%s") != len(
            self.params
        ):
            return None
        return clause, params

    def select(self, where: str, params: list) -> list[dict] | None:
        quoted = self.connection.ops.quote_name(self.table)
        sql = f"SELECT * FROM {quoted} {where} LIMIT {MAX_ROWS + 1}"
        token = _busy.set(True)
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)
                names = [column[0] for column in cursor.description]
                rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            _busy.reset(token)
        return rows if len(rows) <= MAX_ROWS else None

    def select_by_pk(self, pks: list) -> list[dict]:
        if not pks:
            return []
        quote = self.connection.ops.quote_name
        marks = ", ".join(["%s"] * len(pks))
        where = f"WHERE {quote(self.table)}.{quote(self.meta.pk.column)} IN ({marks})"
        return self.select(where, pks) or []

    def inserted_rows(self) -> list[dict] | None:
        """Return an ``INSERT``'s rows from its parameters, or ``None`` if unsure."""
        match = re.match(r"^[^(]*\(([^)]*)\)\s*VALUES\s", self.sql, re.IGNORECASE)
        if match is None or self.params is None:
            return None
        columns = re.findall(r'"?(\w+)"?', match[1])
        if not columns or self.sql.count("%s") != len(self.params):
            return None
        if len(self.params) % len(columns):
            return None
        width = len(columns)
        return [
            dict(zip(columns, self.params[i : i + width], strict=True))
            for i in range(0, len(self.params), width)
        ]


@lru_cache(maxsize=1024)
def find_top_level(sql: str, word: str) -> int | None:
    """Return where ``word`` first stands outside parentheses in ``sql``, if it does."""
    depth = 0
    upper = sql.upper()
    for index, char in enumerate(sql):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(word, index):
            return index
    return None


# --8<-- [start:row_fields]
def rows_fields(
    meta: Any, pairs: list[tuple[dict | None, dict | None]] | None
) -> set[str]:
    """Return the fields rows reach, each given as (before, after), ``None`` where absent;
    ``pairs`` is ``None`` when the rows are unknown."""
    if pairs is None or len(pairs) > MAX_ROWS:
        return {"*", "@*"}  # unknown rows: every entry that read the table
    keys = key_columns(meta.db_table)
    fields = {"@*"}
    for before, after in pairs:
        either = [row for row in (before, after) if row is not None]
        if before is None or after is None:
            changed = {"+"}  # the row entered or left every set it was in
        else:
            changed = {c for c in after if after[c] != before.get(c)}
            if not changed:
                continue
        for row in either:
            if meta.pk.column in row:
                fields.add(f"#{token_of(row[meta.pk.column])}")
            for column in changed:
                fields.add(f"@{column}")
                fields.update(
                    f"{key}={token_of(row[key])}@{column}" for key in keys & set(row)
                )
    return fields


# --8<-- [end:row_fields]


# --8<-- [start:batch]
class CommitBatch:
    """The marks of one transaction's writes, sent together once it commits.

    Each write statement registers an ``on_commit`` callback, which the batch holds
    weakly: Django drops the callbacks of a savepoint or a transaction that rolls back,
    and a dropped callback dies at once. The first callback to run, after the commit,
    sends the marks of every statement whose callback is still alive.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.statements: list[tuple[weakref.ref, Dependencies, int | None]] = []
        self.sent = False

    @classmethod
    def of(cls, connection: Any) -> "CommitBatch":
        """The batch of ``connection``'s transaction; a new one once the last is sent."""
        batch = getattr(connection, "tracked_batch", None)
        if batch is None or batch.sent:
            batch = connection.tracked_batch = cls(connection)
        return batch

    def written(self, marks: Dependencies, pending: int | None) -> Callable[[], None]:
        """Return the ``on_commit`` callback of one statement's ``marks`` (kept in the
        outbox row ``pending``, if there is an outbox)."""
        callback = Committed(self)
        self.statements.append((weakref.ref(callback), marks, pending))
        return callback

    def send(self, running: "Committed") -> None:
        if self.sent:
            return
        self.sent = True
        waiting = uncommitted(self.connection, running)
        marks: Dependencies = defaultdict(set)
        pending: list[int] = []
        for callback, statement_marks, row in self.statements:
            alive = callback()  # None: rolled back
            if alive is not None and id(alive) not in waiting:
                for table, fields in statement_marks.items():
                    marks[table] |= fields
                pending += [row] if row is not None else []
        _delivery.deliver(marks, pending, using=self.connection.alias)


def uncommitted(connection: Any, running: Callable) -> set[int]:
    """Return the ids of the callbacks still waiting before ``running``: none after a
    real commit, which empties the list before it runs it; under a test's transaction,
    whose callbacks run without a commit, those of the writes not yet committed."""
    pending = [callback for _, callback, _ in connection.run_on_commit]
    if running not in pending:
        return set()
    return {id(callback) for callback in pending[: pending.index(running)]}


@dataclass(eq=False)
class Committed:
    """One write statement's ``on_commit`` callback: the first to run sends the batch."""

    batch: CommitBatch

    def __call__(self) -> None:
        self.batch.send(self)


# --8<-- [end:batch]


def invalidate_everywhere(marks: Dependencies) -> bool:
    """Mark ``marks`` in every store ``install()`` was given; return whether every one
    took them."""
    return all([store.invalidate(marks) for store in _stores])  # every store is told


# --8<-- [start:outbox]
class Delivery:
    """What a process does with marks that might not arrive: with an outbox, each write
    statement's marks are a row of the writer's own transaction, deleted once every
    store took them. A row left there is sent again by ``relay()``: from this process,
    every ``retry`` seconds until it is taken (by a timer, and by the first read after
    each ``retry``), and from the ``relay_invalidations`` command. Until then this
    process neither serves nor stores entries: it answers from the database, which holds
    the writes its caches have not heard of."""

    def __init__(self, retry: float = 5.0) -> None:
        self.outbox: type[Model] | None = None
        self.retry = retry
        self.undelivered = False  # marks of this process wait in the outbox
        self.next_try = 0.0  # when a read may relay them (time.monotonic())
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()
        self.databases = {DEFAULT_DB_ALIAS}  # where this process kept rows: relayed

    def keep(self, connection: Any, marks: Dependencies) -> int | None:
        """Write ``marks`` to the outbox, in the statement's transaction (so in its
        database); return its row."""
        if self.outbox is None:
            return None
        self.databases.add(connection.alias)
        with quietly():
            row = self.outbox.objects.using(connection.alias).create(
                marks=as_row(marks)
            )
        return row.pk

    def keep_ahead(self, connection: Any, table: str) -> int | None:
        """Outside a transaction, a write commits as it runs, and its row could not
        commit with it: write the row first, for the whole table (``*``), so that a
        process that dies in between leaves it behind. Inside one, nothing yet."""
        if self.outbox is None or not connection.get_autocommit():
            return None
        return self.keep(connection, {table: {"*"}})

    def forget(self, *pending: int | None, using: str = DEFAULT_DB_ALIAS) -> None:
        """Delete outbox rows whose marks every store took (or whose write failed)."""
        rows = [pk for pk in pending if pk is not None]
        if rows and self.outbox is not None:
            # One DELETE, no transaction of its own: outside a transaction, this runs while
            # the write's statement may still be returning its rows.
            rows_of = self.outbox.objects.using(using).filter(pk__in=rows)
            with quietly():
                rows_of._raw_delete(rows_of.db)

    def deliver(
        self, marks: Dependencies, pending: list[int], using: str = DEFAULT_DB_ALIAS
    ) -> None:
        """Send a committed transaction's ``marks``; forget its outbox rows once every
        store has them. If any did not, the rows say exactly what to send again, and a
        retry is due."""
        if not marks:
            return
        if invalidate_everywhere(marks):
            self.forget(*pending, using=using)
            return
        if pending and self.outbox is not None:  # a row kept ahead held ``*``
            with quietly():
                rows = self.outbox.objects.using(using).filter(pk__in=pending)
                rows.update(marks=as_row(marks))
        self.failed()

    def answer_from_database(self) -> bool:
        """Whether a read must not use the cache: this process's marks wait in the
        outbox. The first read after each ``retry`` seconds relays them first."""
        if not self.undelivered:
            return False
        if time.monotonic() >= self.next_try:
            self.next_try = time.monotonic() + self.retry
            self.retry_now()
        return self.undelivered

    def failed(self) -> None:
        if self.outbox is None:
            return
        with self.lock:
            self.undelivered = True
            running = self.timer is threading.current_thread()  # the retry failed again
            if running or self.timer is None or not self.timer.is_alive():
                self.timer = threading.Timer(self.retry, self.retry_in_background)
                self.timer.daemon = True
                self.timer.start()

    def reset(self) -> None:
        """Forget that marks wait, and stop the retry, waiting for one that is running
        (tests: each starts afresh, and no retry of the last one runs into it)."""
        while True:
            with self.lock:
                timer, self.timer = self.timer, None
                self.undelivered, self.next_try = False, 0.0
            if timer is None or timer is threading.current_thread():
                return
            timer.cancel()
            timer.join()  # a retry already running may fail, and start another

    def retry_in_background(self) -> None:
        try:
            self.retry_now()
        finally:
            connections.close_all()  # the timer thread's own connections

    def retry_now(self) -> None:
        """Relay the outbox; if anything is left, try again in ``retry`` seconds."""
        try:
            relay()
        except Exception:  # Redis, or the database, still away: try again later
            logger.warning("Could not relay the outbox yet", exc_info=True)
        if self.undelivered:
            self.failed()


_delivery = Delivery()


def as_row(marks: Dependencies) -> dict[str, list[str]]:
    """Return ``marks`` as an outbox row holds them (JSON: lists, in order)."""
    return {table: sorted(fields) for table, fields in marks.items()}


def relay(batch: int = 500, databases: Iterable[str] | None = None) -> int:
    """Send the marks of every row left in the outbox of ``databases`` (by default, the
    ``default`` one and every one this process kept rows in), oldest first, ``batch``
    rows at a time; delete those every store took. Return how many were delivered;
    raise ``RedisError`` if a store still refuses them."""
    if _delivery.outbox is None:
        raise ImproperlyConfigured("install(..., outbox=PendingInvalidation) first")
    delivered = sum(
        relay_database(using, batch)
        for using in sorted(databases or _delivery.databases)
    )
    _delivery.undelivered = False
    return delivered


def relay_database(using: str, batch: int) -> int:
    """Relay the outbox of one database; return how many rows were delivered."""
    outbox, delivered = _delivery.outbox.objects.using(using), 0
    while True:
        with quietly():
            rows = list(outbox.order_by("pk").values_list("pk", "marks")[:batch])
        if not rows:
            return delivered
        marks: Dependencies = defaultdict(set)
        for _, row_marks in rows:
            for table, fields in row_marks.items():
                marks[table] |= set(fields)
        if not invalidate_everywhere(marks):
            _delivery.undelivered = True
            raise RedisError(f"{len(rows)} outbox rows could not be delivered")
        _delivery.forget(*(pk for pk, _ in rows), using=using)
        delivered += len(rows)


@contextmanager
def quietly() -> Iterator[None]:
    """Run the block's statements unwatched: the outbox is not a dependency."""
    token = _busy.set(True)
    try:
        yield
    finally:
        _busy.reset(token)


# --8<-- [end:outbox]


# --8<-- [start:store]
@dataclass(frozen=True)
class Lookup:
    """What a read found: the value (or ``MISSING``), the invalidation count it saw, the
    entry an alias pointed at when that entry was out of date, and, for a missing alias,
    what the same call found for the key it was asked to read ``besides``."""

    value: Any
    seen: int | None
    stale_target: str | None = None
    besides: "tuple[str, Lookup] | None" = None


@dataclass(frozen=True)
class Entry:
    """What to store under ``key``: a value, or an alias's (target, headers); what it
    read; for how long; and the count its read saw."""

    key: str
    value: Any
    read: Dependencies
    timeout: float
    seen: int | None


class TrackedCache:
    """Entries stored with the fields they depend on; a mark on any of them ends them."""

    def __init__(
        self, alias: str = "default", *, name: str = "tracked", max_marks: int = 100_000
    ) -> None:
        self.alias, self.name, self.max_marks = alias, name, max_marks
        self.latest = 0  # the count this process read last

    def get(self, key: str, besides: Callable[[], str | None] | None = None) -> Lookup:
        """Read an entry (or an alias and its entry), the count, and the marks of what
        they read, in one round trip; if it is missing and ``besides`` names another
        key, read that entry in the same round trip."""
        if not self.readable():
            return Lookup(MISSING, None)
        cache = self.cache()  # once: each lookup reads a thread-local
        held = held_for(self, key)
        if self.stamps_first(held):  # (1)!
            found = self.held_if_current(held, cache)
            if found is not None:
                return found
        other = besides and besides()  # made only when the script runs
        keys, args = self.read_call(key, held, cache, other)
        try:
            reply = run_script(self._redis(keys[0], cache), READ_IF_CURRENT, keys, args)
        except RedisError:  # down, stuck or refusing: answer from the database
            logger.warning("Could not read %s; answering from the database", key)
            return Lookup(MISSING, None)
        found = self.found_in(key, reply, held, cache)
        if other is not None and len(reply) > 7:
            also = self.found_in(other, reply[7], held_for(self, other), cache)
            found = replace(found, besides=(other, also))
        return found

    def stamps_first(self, held: "Held | None") -> bool:
        """Whether a read tries the ``MGET`` of ``held``'s stamps before the script, sync
        or async: not when this process has read a count above the one it found the
        entry current at, for then the stamps cannot all read the counter's."""
        return held is not None and held.stamp >= self.latest

    def held_if_current(self, held: "Held", cache: Any) -> Lookup | None:
        """Answer what this process holds if Redis says, in one ``MGET``, that nothing
        was marked since it found the entry (and its alias) current, and that they
        still hold what it holds; ``None`` if that cannot be said so simply."""
        try:
            read = self._redis(held.keys[0], cache).mget(held.keys)
        except RedisError:
            return None  # the script says so, and logs it
        return self.stamped(held, read)

    def stamped(self, held: "Held", read: list) -> Lookup | None:
        """Decide from the ``MGET`` of ``held.keys``, sync or async: what is held, if the
        counter and every stamp read the same count, and the stamps its digests."""
        count, *stamps = read
        if count is None:
            return None
        self.saw(int(count))
        if stamps != [count + b" " + tag for tag in held.tags]:
            return None
        return Lookup(held.response, int(count))

    def saw(self, count: int) -> None:
        """Note the count this process read last: an entry it found current at an
        older one is read with the script at once. The last, not the highest: a counter
        that restarted lower (another Redis, a flushed one) must not keep every hit of
        this process from its ``MGET``."""
        self.latest = count

    def readable(self, *, relay: bool = True) -> bool:
        """Whether entries may be read: not while marks wait in the outbox. With
        ``relay=False`` (from async code), never relay them: the sync path does."""
        if not relay:
            return not _delivery.undelivered
        return not _delivery.answer_from_database()

    def read_call(
        self,
        key: str,
        held: "Held | None" = None,
        cache: Any = None,
        besides: str | None = None,
    ) -> tuple[list[str], list]:
        """The keys and arguments of ``READ_IF_CURRENT`` for ``key``: what any client,
        sync or async, sends to read it. With the response this process ``held`` for
        the key, Redis sends its body only if the entry holds another. With ``besides``,
        a missing ``key`` reads that entry instead, in the same call."""
        cache = self.cache(cache)
        keys = [
            self.entry_key(key, cache),
            self._counter(cache),
            self._lasts(cache),
            self.stamp_key(key, cache),
        ]
        args = [self._marks_prefix(cache), fresh_count(), digest_held(held)]
        if besides is not None:
            keys += [self.entry_key(besides, cache), self.stamp_key(besides, cache)]
            args.append(digest_held(held_for(self, besides)))
        return keys, args

    def found_in(
        self, key: str, reply: list, held: "Held | None" = None, cache: Any = None
    ) -> Lookup:
        """Decode what ``READ_IF_CURRENT`` answered for ``key``; hold a response, with
        what the next read's ``MGET`` must find to answer it again."""
        # An eighth part, if any, is what the script read besides.
        body, seen, headers, stale, digest, alias_tag, target_stamp = padded(
            reply[:7], 7
        )
        seen = None if seen is None else int(seen)
        if seen is not None:
            self.saw(seen)
        if digest is None:  # with an alias, the entry it pointed at, out of date
            return Lookup(MISSING, seen, stale.decode() if stale else None)
        tags = (digest,) if alias_tag is None else (alias_tag, digest)
        if body is None and held.tags == tags:  # (2)!
            found, stamps = held.response, held.keys
        else:
            cache = self.cache(cache)
            found = held.response if body is None else cache.client.decode(body)
            if headers:  # through an alias: the credential's headers
                found = replace(found, headers=decoded_headers(headers))
            stamps = self.stamps_of(key, target_stamp, cache)
        if isinstance(found, RenderedResponse):
            held = Held(digest.decode(), found, stamps, tags, seen)
            _decoded.keep((self.alias, self.name, key), held)
        return Lookup(found, seen)

    def stamps_of(
        self, key: str, target_stamp: bytes | None, cache: Any
    ) -> tuple[str, ...]:
        """What a hit of ``key`` reads with ``MGET``: the counter, the stamp of its
        entry (an alias's), then, through an alias, the stamp of the entry it names."""
        stamps = [self._counter(cache), self.stamp_key(key, cache)]
        if target_stamp is not None:
            stamps.append(target_stamp.decode())
        return tuple(stamps)

    def set(
        self,
        key: str,
        value: Any,
        read: Dependencies,
        *,
        timeout: int,
        seen: int | None,
    ) -> bool:
        """Store ``value`` with what it ``read``, unless any of it was marked after
        ``seen``; returns whether it was stored."""
        return self.put(Entry(key, value, read, timeout, seen))

    def put(self, *entries: Entry | None) -> bool:
        """Store each entry unless what it read was marked after its ``seen``, all in one
        script; returns whether the first was stored. An entry whose value is
        ``(target, headers, target's stamp)`` is an alias: another name of the entry
        stored at ``target``, answered with ``headers``."""
        if _delivery.undelivered:
            return False
        keys, args = self.store_call(*(entry for entry in entries if entry is not None))
        try:
            stored = run_script(self._redis(keys[0]), STORE_UNLESS_MARKED, keys, args)
        except RedisError:
            logger.warning("Could not store %s; not cached", keys[2], exc_info=True)
            return False
        return bool(stored[0])

    def entry_key(self, key: str, cache: Any = None) -> str:
        """Return the Redis key of the entry stored under ``key``."""
        return self.cache(cache).make_key(self._key(f"entry{ENTRY_LAYOUT}:{key}"))

    def stamp_key(self, key: str, cache: Any = None) -> str:
        """Return the Redis key of the entry's stamp: ``count digest``, the last count
        it was found current at, and its bytes' digest. One ``MGET`` reads it."""
        return self.cache(cache).make_key(self._key(f"stamp{ENTRY_LAYOUT}:{key}"))

    def store_call(self, *entries: Entry) -> tuple[list, list]:
        """The keys and arguments of ``STORE_UNLESS_MARKED`` for ``entries``: what any
        client, sync or async, sends to store them."""
        cache = self.cache()
        keys = [self._counter(cache), self._lasts(cache)]
        args = [self._marks_prefix(cache), fresh_count()]
        for entry in entries:
            keys += [self.entry_key(entry.key, cache), self.stamp_key(entry.key, cache)]
            args += self.entry_arguments(entry, cache)
        return keys, args

    def entry_arguments(self, entry: Entry, cache: Any) -> list:
        """One entry's eight arguments of ``STORE_UNLESS_MARKED``."""
        read = [[table, compacted(fields)] for table, fields in entry.read.items()]
        if isinstance(entry.value, tuple):  # an alias: a target, headers, its stamp
            body, target = "", list(entry.value)
            digest = digest_of("\n".join(target).encode())
        else:
            body, target = cache.client.encode(entry.value), ["", "", ""]
            digest = digest_of(body)
        return [
            body,
            int(entry.timeout * 1000),
            "" if entry.seen is None else entry.seen,
            json.dumps(read, separators=(",", ":")),
            digest,
            *target,
        ]

    def invalidate(self, marks: Dependencies) -> bool:
        """Mark ``marks``: every entry that read any of them is a miss from now on.
        Return whether Redis took them."""
        lines = [
            f"{table} {' '.join(chunk)}"
            for table, fields in marks.items()
            for chunk in chunks(sorted(fields), 200)
        ]
        if not lines:
            return True
        counter = self._counter()
        try:
            count = run_script(
                self._redis(counter),
                MARK,
                [counter, self._lasts()],
                [self._marks_prefix(), fresh_count(), self.max_marks, *lines],
            )
        except ResponseError as refused:  # full (noeviction): drop the tables' marks
            logger.warning("Invalidating %s by deletes: %s", sorted(marks), refused)
            return self._forget(marks)
        except RedisError:
            logger.warning(
                "Could not invalidate %s; %s",
                {table: sorted(fields)[:10] for table, fields in marks.items()},
                "kept in the outbox"
                if _delivery.outbox
                else "their entries may be stale until they expire",
                exc_info=True,
            )
            return False
        self.saw(int(count))  # its own entries are read with the script at once
        return True

    def _forget(self, marks: Dependencies) -> bool:
        """Delete the tables' hashes of marks, their last counts, and the counter: their
        entries all miss (deletes are allowed when Redis is full). Without the counter,
        no entry's count is the current one, so each is checked in its tables."""
        keys = [self._marks_prefix() + table for table in marks]
        try:
            pipe = self._redis(keys[0]).pipeline(transaction=False)
            pipe.hdel(self._lasts(), *marks)
            pipe.delete(*keys, self._counter())
            pipe.execute()
        except RedisError:
            logger.warning("Could not invalidate %s", sorted(marks), exc_info=True)
            return False
        return True

    def _key(self, suffix: str) -> str:
        return f"{{{self.name}}}:{suffix}"

    def cache(self, cache: Any = None) -> Any:
        """The Django cache of this store: ``cache``, when the caller already looked it
        up."""
        return caches[self.alias] if cache is None else cache

    def _counter(self, cache: Any = None) -> str:
        return self.cache(cache).make_key(self._key("count"))

    def _lasts(self, cache: Any = None) -> str:
        """The hash of every table's last mark: one read of it says which tables an
        entry read were marked since."""
        return self.cache(cache).make_key(self._key("lasts"))

    def _marks_prefix(self, cache: Any = None) -> str:
        return self.cache(cache).make_key(self._key("marks:"))

    def _redis(self, key: str, cache: Any = None) -> Any:
        """The connection that holds ``key`` and, by the hash tag they share, every key
        of a script: django-redis's ``ShardClient`` keeps each tag on one server."""
        client = self.cache(cache).client
        if hasattr(client, "get_server"):
            return client.get_server(key)
        return client.get_client(write=True)  # what get_redis_connection returns


@dataclass(frozen=True)
class Held:
    """A response this process decoded, and how to tell it is still current: each entry
    it came from has a stamp, the last count it was found current at and its digest;
    while every stamp reads ``count digest`` with the counter's count, it is."""

    digest: str  # of the body's bytes as stored
    response: "RenderedResponse"  # as answered: an alias's headers included
    keys: tuple[str, ...]  # the counter, then each entry's stamp
    tags: tuple[bytes, ...]  # the digest each stamp must hold
    stamp: int  # the count it was last found current at


class DecodedResponses:
    """The response this process last decoded for each key, with its bytes' digest.

    A hit sends Redis the digest of what the process holds for its key, and Redis sends
    the body only when the entry holds another: a page's bytes cross the network, Lua and
    the decoder once per process, not once per hit. Only responses, which no caller
    changes, are held; other values are sent and decoded each time. At most
    ``most_bytes`` of contents; the oldest go first.
    """

    def __init__(self, most_bytes: int = 16 * 2**20) -> None:
        self.most_bytes = most_bytes
        self._held: dict[tuple, Held] = {}
        self._size = 0
        self._lock = threading.Lock()

    def held(self, key: tuple) -> Held | None:
        return self._held.get(key)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
            self._size = 0

    def keep(self, key: tuple, held: Held) -> None:
        size = len(held.response.content)
        with self._lock:
            self._drop(key)
            if size > self.most_bytes:
                return
            while self._size + size > self.most_bytes:
                self._drop(next(iter(self._held)))  # the oldest
            self._held[key] = held
            self._size += size

    def _drop(self, key: tuple) -> None:
        if (gone := self._held.pop(key, None)) is not None:
            self._size -= len(gone.response.content)


_decoded = DecodedResponses()


def digest_held(held: Held | None) -> str:
    """What a read sends for what the process holds: its digest, or ``''``."""
    return "" if held is None else held.digest


def held_for(store: "TrackedCache", key: str) -> Held | None:
    """What this process holds for ``key`` of ``store``: sent with its read, and
    answered if Redis says the entry still holds those bytes."""
    return _decoded.held((store.alias, store.name, key))


def compacted(fields: set[str]) -> list[str]:
    """What a table's fields are stored as: ``{*, @*}`` past ``MAX_FIELDS`` or read
    whole; without ``key=value@column`` where ``@column`` (every row) is there."""
    if read_whole(fields):
        return ["*", "@*"]
    every_row = {field[1:] for field in fields if field[0] == "@"}
    if not every_row:
        return list(fields)
    return [
        field
        for field in fields
        if "=" not in field or field.rpartition("@")[2] not in every_row
    ]


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def padded(reply: list, length: int) -> list:
    """A script's reply with its trailing ``false``s (Lua drops them) back as ``None``."""
    return [*reply, *[None] * (length - len(reply))]


def digest_of(body: bytes | int) -> str:
    """Name an encoded value by its bytes (django-redis leaves integers as they are)."""
    raw = body if isinstance(body, bytes) else str(body).encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@lru_cache(maxsize=1024)
def decoded_headers(headers: bytes) -> tuple[tuple[str, str], ...]:
    """An alias's headers: the same few bytes for every hit of a view, decoded once."""
    return tuple(map(tuple, json.loads(headers)))


def run_script(client: Any, script: str, keys: list, args: list) -> Any:
    """Run ``script`` by its SHA1: its text crosses the network once per server (when
    Redis answers ``NOSCRIPT``), not with every call."""
    try:
        return client.evalsha(script_sha(script), len(keys), *keys, *args)
    except NoScriptError:
        return client.eval(script, len(keys), *keys, *args)


@cache
def script_sha(script: str) -> str:
    return hashlib.sha1(script.encode()).hexdigest()


def fresh_count() -> int:
    """Return where a lost counter restarts: microseconds since the epoch, above any
    count it reached before Redis evicted it."""
    return time.time_ns() // 1_000


# KEYS: the entry, the counter, the hash of last marks, the entry's stamp. ARGV: the
# prefix of the tables' hashes of marks, where a lost counter restarts, and the digest
# of the body this process holds for the key ('' if none). The entry is a hash: body
# (or an alias's target, headers and target_stamp), digest, seen, heads and deps. heads
# is a JSON list with one short list per table, [table, born, fields?]; deps holds, in
# the same order, each table's list of fields. cjson decodes them in C, where splitting
# lines of words in Lua cost most of a hit's time in Redis.
# An entry whose seen is the counter is current: nothing at all was marked since. Else,
# the hash of last marks holds, per table, the count of its last mark: one HMGET says
# which of an entry's tables were marked since. Only those, and tables it does not know
# (evicted, or never stored since), are checked in their own hash: its ~born (the hash
# evicted?), its ~last, and the entry's fields there. An entry found current is current
# at this count too: its seen and its stamp ("count digest", a string that an MGET can
# read) are raised to it, so the next hits stop at the first check, or never run this.
# The body crosses Lua only when the process does not hold it: copying a page's bytes
# into a Lua string and out again costs more than every check of a hit.
# Reply: {body or false, count, an alias's headers, the out-of-date entry of an alias,
# the body's digest, the alias's digest, the stamp of the alias's entry}. With KEYS[5]
# and KEYS[6] (an entry and its stamp) and ARGV[4] (the digest held for it), a missing
# KEYS[1] reads that entry in the same call; its reply comes eighth.
READ_IF_CURRENT = """
local count = redis.call('GET', KEYS[2])
if not count then
  redis.call('SET', KEYS[2], ARGV[2])
  count = ARGV[2]
end
local function current(key, stamp)
  local entry = redis.call('HMGET', key, 'digest', 'seen', 'heads', 'target', 'headers',
    'target_stamp')
  if not entry[1] then return nil end
  if entry[2] ~= count then  -- something was marked since its read
    local seen = tonumber(entry[2])
    local heads = cjson.decode(entry[3])  -- {table, born, fields?} per table
    local names = {}
    for i, head in ipairs(heads) do names[i] = head[1] end
    local lasts = #names > 0 and redis.call('HMGET', KEYS[3], unpack(names)) or {}
    local deps
    for i, head in ipairs(heads) do
      if not lasts[i] or tonumber(lasts[i]) > seen then  -- marked since, or unknown
        local marks = ARGV[1] .. head[1]
        local now = redis.call('HMGET', marks, '~born', '~last')
        if now[1] ~= head[2] then return nil end
        if head[3] and (not now[2] or tonumber(now[2]) > seen) then
          deps = deps or cjson.decode(redis.call('HGET', key, 'deps'))
          local counts = redis.call('HMGET', marks, unpack(deps[i]))
          for j = 1, #counts do
            if counts[j] and tonumber(counts[j]) > seen then return nil end
          end
        end
      end
    end
    redis.call('HSET', key, 'seen', count)  -- current at this count too
  end
  local stamped = count .. ' ' .. entry[1]
  if not redis.call('SET', stamp, stamped, 'XX', 'KEEPTTL') then  -- evicted
    local ttl = redis.call('PTTL', key)
    if ttl > 0 then redis.call('SET', stamp, stamped, 'PX', ttl) end
  end
  return entry
end
local function body(key, digest, held)  -- false when this process holds it
  return digest ~= held and redis.call('HGET', key, 'body')
end
local entry = current(KEYS[1], KEYS[4])
if entry and entry[4] then  -- an alias: its entry has the store's hash tag too
  local target = current(entry[4], entry[6])
  if not target or not target[1] then return {false, count, false, entry[4]} end
  return {body(entry[4], target[1], ARGV[3]), count, entry[5], false, target[1], entry[1],
    entry[6]}
end
if not entry and KEYS[5] then  -- no alias: the entry it would name, if it is current
  local other = current(KEYS[5], KEYS[6])
  local found = {false, count}
  if other and not other[4] then
    found = {body(KEYS[5], other[1], ARGV[4]), count, false, false, other[1]}
  end
  return {false, count, false, false, false, false, false, found}
end
if not entry then return {false, count} end
return {body(KEYS[1], entry[1], ARGV[3]), count, false, false, entry[1]}
"""

# KEYS: the counter, the hash of last marks, then each entry's key and its stamp. ARGV:
# the prefix of the hashes of marks, where a lost counter restarts, then eight for each
# entry: its encoded value, its TTL in ms, the count its read saw ('' if none), what it
# read (JSON, [[table, [field, ...]], ...], which cjson decodes in C), the value's
# digest, and an alias's target, headers and target's stamp ('' for an entry). Each
# entry is stored unless a mark since its read refuses it; the reply says which were.
# The stamp says "seen digest", and expires with the entry.
# A table's hash born now records its birth as its last mark: entries of the hash
# before are checked in it, and miss. A table the hash of last marks lost (evicted) is
# entered again from its own hash's ~last. As on a read, one HMGET of the last marks
# says which tables were marked since the read: only their fields are checked.
STORE_UNLESS_MARKED = """
local restarted = not redis.call('GET', KEYS[1])
if restarted then redis.call('SET', KEYS[1], ARGV[2], 'NX') end
local function store(key, stamp, a)  -- a: the index of the entry's first argument
  local seen = tonumber(ARGV[a + 2])
  local refused = restarted or not seen
  seen = seen or 0
  local heads, deps, names = {}, {}, {}
  local reads = cjson.decode(ARGV[a + 3])
  for i, read in ipairs(reads) do names[i] = read[1] end
  local lasts = #names > 0 and redis.call('HMGET', KEYS[2], unpack(names)) or {}
  for i, read in ipairs(reads) do
    local name, fields = read[1], read[2]
    local marks = ARGV[1] .. name
    local born = redis.call('HGET', marks, '~born')
    if not born then  -- new, or evicted: born now, so any mark since seen refuses
      born = redis.call('GET', KEYS[1])
      redis.call('HSET', marks, '~born', born, '~last', born)
      redis.call('HSET', KEYS[2], name, born)
      lasts[i] = born
    elseif not lasts[i] then
      lasts[i] = redis.call('HGET', marks, '~last')
      if lasts[i] then redis.call('HSET', KEYS[2], name, lasts[i]) end
    end
    if tonumber(born) > seen then refused = true end
    -- a table last marked before seen has no field marked since: nothing to check
    if not refused and #fields > 0 and (not lasts[i] or tonumber(lasts[i]) > seen) then
      local counts = redis.call('HMGET', marks, unpack(fields))
      for j = 1, #counts do
        if counts[j] and tonumber(counts[j]) > seen then refused = true end
      end
    end
    heads[#heads + 1] = {name, born, #fields > 0 or nil}
    deps[#deps + 1] = #fields > 0 and fields or false
  end
  if refused then return 0 end
  redis.call('DEL', key)
  local what = {'body', ARGV[a]}
  if ARGV[a + 5] ~= '' then
    what = {'target', ARGV[a + 5], 'headers', ARGV[a + 6], 'target_stamp', ARGV[a + 7]}
  end
  redis.call('HSET', key, 'seen', ARGV[a + 2], 'digest', ARGV[a + 4],
    'heads', cjson.encode(heads), 'deps', cjson.encode(deps), unpack(what))
  redis.call('PEXPIRE', key, ARGV[a + 1])
  redis.call('SET', stamp, ARGV[a + 2] .. ' ' .. ARGV[a + 4], 'PX', ARGV[a + 1])
  return 1
end
local stored = {}
for i = 3, #KEYS, 2 do
  stored[#stored + 1] = store(KEYS[i], KEYS[i + 1], 3 + 4 * (i - 3))
end
return stored
"""

# KEYS: the counter, the hash of last marks. ARGV: the prefix of the hashes of marks,
# where a lost counter restarts, the most marks a hash may hold, then lines
# "table field...". Every table marked has its last mark raised, its hash or not.
MARK = """
redis.call('SET', KEYS[1], ARGV[2], 'NX')
local count = redis.call('INCR', KEYS[1])
for i = 4, #ARGV do
  local words = {}
  for word in string.gmatch(ARGV[i], '%S+') do words[#words + 1] = word end
  local key = ARGV[1] .. words[1]
  redis.call('HSET', KEYS[2], words[1], count)
  if redis.call('EXISTS', key) == 1 then
    if redis.call('HLEN', key) > tonumber(ARGV[3]) then
      redis.call('DEL', key)
    else
      local marks = {'~last', count}
      for j = 2, #words do
        marks[#marks + 1] = words[j]
        marks[#marks + 1] = count
      end
      redis.call('HSET', key, unpack(marks))
    end
  end
end
return count
"""


# --8<-- [end:store]


# --8<-- [start:key]
def response_key(
    name: str, request: Request, url_kwargs: dict[str, Any], *, per_user: bool
) -> str:
    """Return a key naming everything a response depends on, besides its data.

    The same parts as the versioning recipe's; each recipe module carries its own copy so
    that it can be copied alone.
    """
    caller = caller_of(request, per_user)
    return key_for(name, request, url_kwargs, caller, request.accepted_media_type)


def caller_of(request: Request, per_user: bool = True) -> tuple[Any, str | None]:
    """Whom a response is for, as its key names them: the user's pk and the class that
    authenticated them; ``(None, None)`` for anyone."""
    user = request.user if per_user else None
    if user is None or not user.is_authenticated:
        return None, None
    return user.pk, type(request.successful_authenticator).__name__


def key_for(
    name: str,
    request: HttpRequest | Request,
    url_kwargs: dict[str, Any],
    caller: tuple[Any, str | None],
    media_type: str,
) -> str:
    """The key of ``response_key``, from its parts: DRF's request, or the raw one before
    DRF's dispatch, with whom the response is for and its media type."""
    parts = {
        "schema": SCHEMA_VERSION,
        "path": request.path,
        "url": {kwarg: str(value) for kwarg, value in url_kwargs.items()},
        "user": caller[0],
        "authenticated_by": caller[1],
        "media_type": media_type,
        "origin": f"{request.scheme}://{request.get_host()}",
        "query": sorted(request.GET.lists()),
        "language": getattr(request, "LANGUAGE_CODE", None),
    }
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return f"{name}:{hashlib.sha256(encoded.encode()).hexdigest()}"


# --8<-- [end:key]


# --8<-- [start:early]
#: What these classes authenticate from is in the key of an early hit: the
#: ``Authorization`` header, or the session cookie of a database-backed session.
CREDENTIALS_SEEN = (TokenAuthentication, BasicAuthentication, SessionAuthentication)
UNSTORED_HEADERS = {"server-timing", "set-cookie", "date", "content-type"}


# --8<-- [start:flight]
@dataclass(eq=False)
class Flight:
    """One render of an entry in this process. The requests of the same process that
    miss the same entry meanwhile wait for it to be stored (``FLIGHT_WAIT`` seconds at
    most) and are answered from it, rather than render it again."""

    key: str
    leading: bool = True
    landed: threading.Event = field(default_factory=threading.Event)
    found: "RenderedResponse | None" = None

    @classmethod
    @contextmanager
    def board(cls, key: str, early: "EarlyMiss | None" = None) -> Iterator["Flight"]:
        """Lead the render of ``key``, or follow the one in flight. A leader lands when
        the block ends, or, on the early path, once the alias stored the entry."""
        with _flights_lock:
            flight = _flights.get(key)
            if flight is None:
                flight = _flights[key] = cls(key)
            else:
                flight = cls(key, leading=False, landed=flight.landed)
        try:
            yield flight
        finally:
            if early is not None:
                early.flights.append(flight)
            else:
                flight.land()

    def waited_for_another(self, store: "TrackedCache") -> bool:
        """Follow the leader: wait for it to land, then read what it stored."""
        if self.leading:
            return False
        self.landed.wait(FLIGHT_WAIT)
        found = store.get(self.key).value
        self.found = found if isinstance(found, RenderedResponse) else None
        return self.found is not None

    def land(self) -> None:
        if self.leading:
            with _flights_lock:
                _flights.pop(self.key, None)
            self.landed.set()


FLIGHT_WAIT = 5.0
_flights: dict[str, Flight] = {}
_flights_lock = threading.Lock()


# --8<-- [end:flight]


def answers_early(view_class: type) -> bool:
    """Whether a hit may be answered before DRF's dispatch: only if every way the view
    authenticates is in the key, and no throttle must count the hit."""
    if view_class.throttle_classes:  # (1)!
        return False
    classes = view_class.authentication_classes
    if any(issubclass(c, SessionAuthentication) for c in classes):
        store = import_module(settings.SESSION_ENGINE).SessionStore
        if not issubclass(store, DatabaseSessionStore):  # a logout must be a write
            return False
    return all(issubclass(c, CREDENTIALS_SEEN) for c in classes)


def answer_hits_first(view_class: type, name: str, view: Callable) -> Callable:
    """Wrap DRF's ``view``: a credential's alias of a current entry is answered in one
    round trip; anything else goes to DRF, inside one collection, and the credential's
    alias is stored: the user's entry, DRF's headers, and what authenticating read."""
    store: TrackedCache = view_class.cache_store

    @wraps(view)
    def hits_first(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = early_key(view_class, name, request, kwargs)
        if key is None:
            return view(request, *args, **kwargs)
        found = store.get(  # the alias and its entry, in one script
            key, besides=lambda: likely_key(view_class, name, request, kwargs)
        )
        if isinstance(found.value, RenderedResponse):
            return report_cache_outcome(found.value.replay(), "hit")
        miss = request.tracked_miss = EarlyMiss(
            store, found, credential_digest(request)
        )
        try:
            with collect():  # (2)!
                response = view(request, *args, **kwargs)
            timeout = min(view_class.cache_timeout, credential_lifetime(request))
            if miss.target and timeout > 0 and storable(request, response):
                credential_read(miss.before_view, request)
                headers = headers_to_replay(request, response)
                target = (miss.target, headers, miss.target_stamp)
                alias = Entry(key, target, miss.before_view, timeout, found.seen)
                store.put(miss.entry, alias)
        finally:
            for flight in miss.flights:  # the entry is stored: others may read it
                flight.land()
        return response

    return hits_first


@dataclass
class EarlyMiss:
    """What the early wrapper and the view say to each other about one request's miss."""

    store: "TrackedCache"
    alias: Lookup  # what the credential's alias read found
    caller: bytes  # the credential's digest
    target: str | None = None  # the Redis key of the entry that answers this request
    target_stamp: str | None = None  # the Redis key of that entry's stamp
    before_view: Dependencies = field(default_factory=lambda: defaultdict(set))
    entry: "Entry | None" = None  # the entry the view rendered, stored with the alias
    flights: list["Flight"] = field(default_factory=list)  # to land once it is stored

    def lookup(self, key: str, request: Request) -> Lookup:
        """Read the entry for ``key``, unless the alias just found that very entry out
        of date, or its read found it already; note what authentication and the
        permissions read until now, and whom the credential stands for."""
        self.target = self.store.entry_key(key)
        self.target_stamp = self.store.stamp_key(key)
        read = _reading.get() or {}
        self.before_view.update({table: set(fields) for table, fields in read.items()})
        if len(_callers) >= MOST_CALLERS:
            _callers.clear()
        _callers[self.caller] = caller_of(request)
        if self.target == self.alias.stale_target:
            return Lookup(MISSING, self.alias.seen)
        if self.alias.besides is not None and self.alias.besides[0] == key:
            return self.alias.besides[1]
        return self.store.get(key)


def early_key(
    view_class: type, name: str, request: HttpRequest, url_kwargs: dict[str, Any]
) -> str | None:
    """Return a key of what a GET's response depends on, read from the raw request: the
    credential instead of the user. ``None`` for anything but a GET, an unknown host, or
    an ``Accept`` no renderer serves: DRF answers those as it would."""
    if request.method != "GET":
        return None
    try:
        origin = f"{request.scheme}://{request.get_host()}"
        media_type = negotiated_media_type(view_class, request, url_kwargs)
    except (DisallowedHost, NotAcceptable):
        return None
    credential = credential_of(request)
    parts = {
        "schema": SCHEMA_VERSION,
        "path": request.path,
        "url": {key: str(value) for key, value in url_kwargs.items()},
        "credential": credential if view_class.cache_per_user else None,
        "media_type": media_type,
        "language": (
            request.META.get("HTTP_ACCEPT_LANGUAGE"),
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        ),
        "origin": origin,
        "query": request.META.get("QUERY_STRING", ""),  # as sent
    }
    # In a fixed order, strings quoted: as unambiguous as JSON, and cheaper.
    encoded = repr(parts)
    return f"{name}.early:{hashlib.sha256(encoded.encode()).hexdigest()}"


def credential_of(request: HttpRequest) -> tuple[str | None, str | None]:
    """What a request authenticates with, as sent: ``Authorization``, session cookie."""
    return (
        request.META.get("HTTP_AUTHORIZATION"),
        request.COOKIES.get(settings.SESSION_COOKIE_NAME),
    )


def credential_digest(request: HttpRequest) -> bytes:
    """The credential as this process remembers it: a digest, never the secret."""
    return hashlib.blake2b(
        repr(credential_of(request)).encode(), digest_size=16
    ).digest()


def likely_key(
    view_class: type, name: str, request: HttpRequest, url_kwargs: dict[str, Any]
) -> str | None:
    """The key ``response_key`` will give once DRF has authenticated the request, if
    this process saw whom the credential stood for; ``None`` if it did not. Only a
    guess of which entry to read with the alias: the view reads it only if DRF's
    authentication gives the very same key."""
    per_user = view_class.cache_per_user
    who = _callers.get(credential_digest(request)) if per_user else (None, None)
    if who is None:
        return None
    media_type = negotiated_media_type(view_class, request, url_kwargs)
    return key_for(name, request, url_kwargs, who, media_type)


_callers: dict[bytes, tuple[Any, str | None]] = {}
MOST_CALLERS = 10_000


def negotiated_media_type(
    view_class: type, request: HttpRequest, url_kwargs: dict[str, Any]
) -> str:
    """Return the media type DRF's content negotiation picks for ``request``: browsers'
    ``Accept`` headers differ, and share an entry when they pick the same renderer."""
    suffix = url_kwargs.get("format")
    if view_class.content_negotiation_class is not DefaultContentNegotiation:
        return select_media_type(view_class, request, suffix)  # it may read anything
    override = api_settings.URL_FORMAT_OVERRIDE
    return media_type_for(
        view_class,
        request.META.get("HTTP_ACCEPT", "*/*"),
        request.GET.get(override)
        if override and request.META.get("QUERY_STRING")
        else None,
        suffix,
    )


@lru_cache(maxsize=1024)
def media_type_for(
    view_class: type, accept: str, format_override: str | None, suffix: str | None
) -> str:
    """DRF's default negotiation reads only these: remembered, an early hit skips it."""
    request = HttpRequest()
    request.META["HTTP_ACCEPT"] = accept
    if format_override is not None:
        request.GET = QueryDict(mutable=True)
        request.GET[api_settings.URL_FORMAT_OVERRIDE] = format_override
    return select_media_type(view_class, request, suffix)


def select_media_type(
    view_class: type, request: HttpRequest, suffix: str | None
) -> str:
    negotiator = view_class.content_negotiation_class()
    renderers = [renderer() for renderer in view_class.renderer_classes]
    return negotiator.select_renderer(Request(request), renderers, suffix)[1]


def credential_read(read: Dependencies, request: HttpRequest) -> None:
    """Make the entry depend on the rows its key's credential stands for: the user, the
    token, the session. Deactivating the user, deleting the token or logging out ends
    it, even when authentication was answered from a cache and read no row."""
    user, auth = getattr(request, "user", None), getattr(request, "auth", None)
    for row in (user, auth):
        if isinstance(row, Model) and row.pk is not None:
            read[row._meta.db_table].update({f"#{token_of(row.pk)}", "*"})
    if session_key := request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        read["django_session"].update({f"#{token_of(session_key)}", "*"})


def credential_lifetime(request: HttpRequest) -> float:
    """Return how long the session can last, in seconds (an entry keyed by it must not
    outlive it); no limit without one."""
    session = getattr(request, "session", None)
    if session is None or not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return float("inf")
    return max(0, session.get_expiry_age())


def storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether the next request with the same key may be answered as this one was: a
    200 from the cached view, setting no cookie (CSRF's either), storable."""
    return (
        response.status_code == 200
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
    )


def headers_to_replay(request: HttpRequest, response: HttpResponse) -> str:
    """Return the headers DRF set (``Allow``, ``Vary``), and the ``Vary: Cookie`` the
    session middleware adds when the view read the session, as JSON."""
    if getattr(getattr(request, "session", None), "accessed", False):
        patch_vary_headers(response, ["Cookie"])
    return json.dumps(
        [
            (name, value)
            for name, value in response.items()
            if name.lower() not in UNSTORED_HEADERS
        ]
    )


# --8<-- [end:early]


@dataclass(frozen=True)
class RenderedResponse:
    """A response as it was sent: its media type and its bytes.

    The same as the manual-keys recipe's, with ``render_now``: each copy unit carries its
    own, so that it can be copied alone.
    """

    content_type: str
    content: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def replay(self) -> HttpResponse:
        response = HttpResponse(self.content, content_type=self.content_type)
        for name, value in self.headers:
            response[name] = value
        return response


def render_now(view: Any, response: Response) -> RenderedResponse | None:
    """Render ``response`` as DRF would once the view returns; return what to store,
    or ``None`` for anything but a 200, and for a page that holds a CSRF token."""
    request = view.request
    response.accepted_renderer = request.accepted_renderer
    response.accepted_media_type = request.accepted_media_type
    response.renderer_context = view.get_renderer_context()
    response.render()
    if response.status_code != 200 or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return None
    return RenderedResponse(response["Content-Type"], response.content)


def report_cache_outcome(response: HttpResponseBase, outcome: str) -> HttpResponseBase:
    """Set the ``cache`` metric of ``Server-Timing`` to ``outcome`` (hit, miss or bypass).

    Each recipe module carries its own copy of this helper, so that it can be copied alone.
    """
    response["Server-Timing"] = f'cache;desc="{outcome}"'
    return response
