"""The PostgreSQL log: the relational log (:mod:`.relational`) on a server.

Opened by URL, ``postgresql://USER@HOST:PORT/DATABASE?log=NAME``; ``log``
names the log (several share one database; default ``timeline``), every
other parameter is psycopg's.  The tables live in the schema ``timeline``
(docs/format.md gives the SQL): ``logs`` (a row a log: its name, format and
schema), ``events`` (a row a record, the primary key (log, seq) refusing a
second writer's sequence number, ``UNIQUE (log, id)`` a repeated id),
``supersessions`` and ``checkpoints``.  A row keeps the record's canonical
body whole (``bytea``; ``convert_from(body, 'UTF8')::jsonb`` reads it in SQL,
as the view ``timeline.records`` does, so no second copy is stored) and its
chained hash; the fold key's days are ``bigint`` day numbers (PostgreSQL's
own dates end at 5874897 AD; the log's need not).

Append-only is the server's to enforce: triggers refuse UPDATE, DELETE and
TRUNCATE of the log's tables, and docs/format.md gives the role with
INSERT and SELECT only that writers should use.
"""

from __future__ import annotations

import contextlib
import re
import urllib.parse
import weakref
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, ClassVar, Final, TypeVar

import psycopg
import psycopg.errors
from psycopg import sql
from psycopg.types.string import BytesBinaryDumper

from timeline._dates import Fuzz
from timeline._storage.codec import FORMAT_VERSION
from timeline._storage.relational import PERSIST_EVERY, RelationalLog
from timeline._subscribe import Feed
from timeline.exceptions import IntegrityError, StorageError

__all__ = ["DEFAULT_LOG", "Connections", "PostgresLog", "is_postgres_url"]

C = TypeVar("C", psycopg.Connection[Any], psycopg.AsyncConnection[Any])

DEFAULT_LOG: Final = "timeline"
#: The layout of the tables (logs.schema); the records are format 1.
SCHEMA_VERSION: Final = 1
_URL: Final = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)
_PARAM: Final = re.compile(r"(?<![:\w]):([a-z_]+)")

# One statement a string (psycopg runs one at a time with parameters).
SCHEMA_SQL: Final = (
    "CREATE SCHEMA IF NOT EXISTS timeline",
    """CREATE TABLE IF NOT EXISTS timeline.logs (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    format integer NOT NULL,
    schema integer NOT NULL
)""",
    # events.log is checked by the statement trigger notify_append below,
    # not by a foreign key: a key checks each row with a query of its own
    # (7 to 12 µs a row here, half the time of an append of 1000), the
    # trigger checks the statement's distinct logs at once.  Rows of logs
    # are never deleted or updated (append_only), so the check at insert is
    # all the key would enforce.
    """CREATE TABLE IF NOT EXISTS timeline.events (
    log integer NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    id bytea NOT NULL,
    hi bigint NOT NULL,
    lo bigint NOT NULL,
    wc smallint,
    rday bigint NOT NULL,
    rsec double precision NOT NULL,
    body bytea NOT NULL,
    hash bytea NOT NULL,
    PRIMARY KEY (log, seq),
    UNIQUE (log, id)
)""",
    "CREATE INDEX IF NOT EXISTS events_fold ON timeline.events (log, hi, lo, seq)",
    "CREATE INDEX IF NOT EXISTS events_pending ON timeline.events (log, wc, hi) "
    "WHERE wc IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS timeline.supersessions (
    log integer NOT NULL REFERENCES timeline.logs (id),
    target bigint NOT NULL,
    by_seq bigint NOT NULL,
    PRIMARY KEY (log, target, by_seq)
)""",
    "CREATE INDEX IF NOT EXISTS supersessions_by "
    "ON timeline.supersessions (log, by_seq)",
    """CREATE TABLE IF NOT EXISTS timeline.checkpoints (
    log integer NOT NULL REFERENCES timeline.logs (id),
    projection text NOT NULL,
    version text NOT NULL,
    hi bigint NOT NULL,
    lo bigint NOT NULL,
    seq bigint NOT NULL,
    n bigint NOT NULL,
    state bytea NOT NULL,
    PRIMARY KEY (log, projection, version, hi, lo, seq, n)
)""",
    """CREATE OR REPLACE FUNCTION timeline.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'timeline: % of %.% refused: the log is append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$""",
    *(
        statement
        for table in ("logs", "events", "supersessions")
        for statement in (
            f"DROP TRIGGER IF EXISTS append_only ON timeline.{table}",
            f"CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON timeline.{table} "
            "FOR EACH ROW EXECUTE FUNCTION timeline.refuse_change()",
            f"DROP TRIGGER IF EXISTS append_only_truncate ON timeline.{table}",
            f"CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON timeline.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION timeline.refuse_change()",
        )
    ),
    # Subscriptions LISTEN on "timeline_<log id>" (a wake-up only: they
    # read the rows after their cursor, and poll in case a NOTIFY is lost).
    # A statement trigger: one NOTIFY an append, whoever wrote it; it first
    # refuses rows of a log that timeline.logs does not have (the check a
    # foreign key would make, once a statement instead of once a row).
    """CREATE OR REPLACE FUNCTION timeline.notify_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing integer;
BEGIN
    SELECT a.log INTO missing FROM (SELECT DISTINCT log FROM appended) a
        WHERE NOT EXISTS (SELECT FROM timeline.logs l WHERE l.id = a.log)
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'timeline: insert into %.% refused: no log % in %.logs',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, missing, TG_TABLE_SCHEMA
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM pg_notify('timeline_' || log, max(seq)::text)
        FROM appended GROUP BY log;
    RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS notify_append ON timeline.events",
    "CREATE TRIGGER notify_append AFTER INSERT ON timeline.events "
    "REFERENCING NEW TABLE AS appended "
    "FOR EACH STATEMENT EXECUTE FUNCTION timeline.notify_append()",
    """CREATE OR REPLACE VIEW timeline.records AS
SELECT l.name AS log, e.seq, convert_from(e.id, 'UTF8') AS id,
       convert_from(e.body, 'UTF8')::jsonb AS record, e.hash
FROM timeline.events e JOIN timeline.logs l ON l.id = e.log""",
)
#: Whether the tables are of the layout before the ``notify_append``
#: trigger checked ``events.log`` (a foreign key checked each row) and this
#: role owns them: then opening upgrades them.
_OUTDATED: Final = """SELECT EXISTS (
    SELECT FROM pg_constraint
    WHERE contype = 'f' AND conrelid = 'timeline.events'::regclass
) AND pg_has_role(
    (SELECT relowner FROM pg_class WHERE oid = 'timeline.events'::regclass), 'USAGE'
)"""
_COPY: Final = (
    "COPY timeline.events (log, seq, id, hi, lo, wc, rday, rsec, body, hash) "
    "FROM STDIN (FORMAT BINARY)"
)
_COPY_TYPES: Final = (
    "int4",
    "int8",
    "bytea",
    "int8",
    "int8",
    "int2",
    "int8",
    "float8",
    "bytea",
    "bytea",
)


class Connections:
    """The psycopg connections an object holds, closed when it is collected.

    Through :func:`weakref.finalize`, not ``__del__``: when the owner is
    dropped in a reference cycle (a subscription kept by a traceback, a
    thread's closure), the collector calls weakref callbacks before any
    ``__del__``, so the connections are closed before psycopg's own
    ``__del__`` could find one open and warn (a ResourceWarning, which
    ``-W error`` turns into an error at some later, unrelated moment).
    The finalizer also runs at interpreter exit.
    """

    def __init__(self, owner: object) -> None:
        self._held: list[psycopg.Connection[Any] | psycopg.AsyncConnection[Any]] = []
        weakref.finalize(owner, self.close_all)

    def hold(self, conn: C) -> C:
        """Keep ``conn`` (closed with the others); returns it."""
        self._held.append(conn)
        return conn

    def close(
        self, conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any] | None
    ) -> None:
        """Close ``conn`` now, synchronously and quietly (also an async one,
        from any thread: a task awaiting on it gets an error), and let go."""
        if conn is None:
            return
        with contextlib.suppress(ValueError):
            self._held.remove(conn)
        with contextlib.suppress(Exception):
            conn.pgconn.finish()

    def close_all(self) -> None:
        for conn in list(self._held):
            self.close(conn)


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and _URL.match(target) is not None


def split_url(url: str) -> tuple[str, str | None]:
    """(the URL psycopg connects with, the ``log`` parameter or None)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    logs = [value for key, value in query if key == "log"]
    if len(logs) > 1:
        raise ValueError(f"{redact(url)}: the log parameter is given twice")
    rest = urllib.parse.urlencode([(k, v) for k, v in query if k != "log"])
    return urllib.parse.urlunsplit(parts._replace(query=rest)), (
        logs[0] if logs else None
    )


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class PostgresLog(RelationalLog):
    """A log in a PostgreSQL database, with the interface of :class:`timeline.Log`.

    ``url`` is a ``postgresql://`` URL (its ``log`` parameter, or the
    ``log`` keyword, names the log; default ``timeline``).  ``create``
    makes the tables (if missing) and the log (if new); without it a
    missing log is an error.  Commits wait for the server's disk (the
    server's ``synchronous_commit``).  ``checkpoints=False`` neither reads
    nor saves persisted checkpoints (see :mod:`.relational`).  ``fuzz`` is
    the Fuzz policy of queries that give none, as for :class:`timeline.Log`.
    """

    page: ClassVar[int] = 8192

    def __init__(
        self,
        url: str,
        *,
        log: str | None = None,
        create: bool = True,
        checkpoint_every: int = 64,
        checkpoints: bool = True,
        persist_every: int = PERSIST_EVERY,
        fuzz: Fuzz | None = None,
    ) -> None:
        self.url = url
        conninfo, named = split_url(url)
        if log is not None and named is not None and log != named:
            raise ValueError(
                f"{redact(url)}: the URL names log {named!r}, the keyword {log!r}"
            )
        self.name = log or named or DEFAULT_LOG
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"{redact(url)}: a log name must be a non-empty text")
        shown = redact(conninfo)
        self.where = f"{shown} (log {self.name!r})"
        self._conninfo = conninfo
        self._depth = 0
        self._closed = False
        self._log_id = 0
        self._connections = Connections(self)
        self._conn = self._connect()
        try:
            self._log_id = self._open(create=create)
            self._setup(checkpoint_every, checkpoints, persist_every, fuzz)
        except psycopg.Error as error:
            self._connections.close_all()
            raise self._storage_error(error) from None
        except BaseException:
            self._connections.close_all()
            raise

    def _connect(self) -> psycopg.Connection[Any]:
        conn = None
        try:
            conn = self._connections.hold(
                psycopg.connect(self._conninfo, autocommit=True, connect_timeout=30)
            )
            # The shared SQL names the tables unqualified.
            conn.execute("SET search_path = timeline, public")
            # A plan for the values given, every time: psycopg prepares a
            # statement run often, and PostgreSQL's generic plan for the
            # counted events (no values) anti-joins every supersession of
            # the log to each row: minutes at 10^6 events instead of seconds.
            conn.execute("SET plan_cache_mode = force_custom_plan")
            # COPY's bytea columns through psycopg's C dumper (the one it
            # picks by type name is dbapi20's, in Python: 0.45 µs a row).
            conn.adapters.register_dumper(bytes, BytesBinaryDumper)
            return conn
        except psycopg.Error as error:
            self._connections.close(conn)
            raise StorageError(
                f"{self.where}: cannot connect to the server: {_first_line(error)}"
            ) from None

    def _open(self, *, create: bool) -> int:
        found = self._find_log()
        if found is not None:
            self._upgrade()
            return found
        if not create:
            raise FileNotFoundError(
                f"{self.where}: no such log in the database (open it with "
                "create=True to make it)"
            )
        with self._transaction("BEGIN"):
            # One process at a time makes the tables and logs.
            self._conn.execute("SELECT pg_advisory_xact_lock(7411011)")
            exists = self._conn.execute(
                "SELECT to_regclass('timeline.events') IS NOT NULL"
            ).fetchone()
            if not (exists and exists[0]):
                for statement in SCHEMA_SQL:
                    self._conn.execute(statement.encode())
            self._conn.execute(
                "INSERT INTO timeline.logs (name, format, schema) "
                "VALUES (%s, %s, %s) ON CONFLICT (name) DO NOTHING",
                (self.name, FORMAT_VERSION, SCHEMA_VERSION),
            )
        found = self._find_log()
        assert found is not None
        return found

    def _upgrade(self) -> None:
        """Tables of the earlier layout (``events.log`` a foreign key, and no
        ``notify_append`` trigger or one without the check), opened by their
        owner: brought to this layout in one transaction (a moment's lock of
        the tables).  Another role leaves them as they are: they work, only
        their appends are slower."""
        outdated = self._conn.execute(_OUTDATED).fetchone()
        if not (outdated and outdated[0]):
            return
        with self._transaction("BEGIN"):
            self._conn.execute("SELECT pg_advisory_xact_lock(7411011)")
            keys = self._conn.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = 'timeline.events'::regclass"
            ).fetchall()
            if not keys:
                return  # another process upgraded them meanwhile
            for (key,) in keys:
                self._conn.execute(
                    sql.SQL("ALTER TABLE timeline.events DROP CONSTRAINT {}").format(
                        sql.Identifier(key)
                    )
                )
            for statement in SCHEMA_SQL:
                self._conn.execute(statement.encode())

    def _find_log(self) -> int | None:
        exists = self._conn.execute(
            "SELECT to_regclass('timeline.logs') IS NOT NULL"
        ).fetchone()
        if not (exists and exists[0]):
            return None
        row = self._conn.execute(
            "SELECT id, format, schema FROM timeline.logs WHERE name = %s",
            (self.name,),
        ).fetchone()
        if row is None:
            return None
        log_id, version, schema = row
        if version != FORMAT_VERSION:
            raise IntegrityError(
                f"{self.where}: log format {version}, expected format {FORMAT_VERSION}"
            )
        if schema != SCHEMA_VERSION:
            raise IntegrityError(
                f"{self.where}: PostgreSQL log schema {schema}, expected schema "
                f"{SCHEMA_VERSION} (written by a newer timeline?)"
            )
        return int(log_id)

    # -- the dialect ----------------------------------------------------

    def _sql(self, text: str) -> str:
        compiled = self._compiled.get(text)
        if compiled is None:
            formatted = text.format(
                log="log = :log",
                elog="e.log = :log",
                slog="s.log = :log",
                row="e.seq, e.id, NULL::int4, e.body, e.hash",
            )
            compiled = self._compiled[text] = _PARAM.sub(r"%(\1)s", formatted)
        return compiled

    def _ensure(self) -> None:
        """Reconnect after a lost connection (a server restart), between
        transactions only: inside one, its outcome is the caller's to learn."""
        if self._closed:
            raise StorageError(f"{self.where}: the log was closed")
        if self._conn.broken or self._conn.closed:
            if self._depth:
                raise StorageError(
                    f"{self.where}: the connection to the server was lost "
                    "inside a transaction"
                )
            self._connections.close(self._conn)
            self._conn = self._connect()

    def _run(self, text: str, params: Mapping[str, Any] | None = None) -> Any:
        self._ensure()
        values = {"log": self._log_id, **(params or {})}
        try:
            return self._conn.execute(self._sql(text), values, binary=True)
        except psycopg.Error as error:
            raise self._storage_error(error) from None

    _driver_error = psycopg.Error

    def _execute(self, statement: str) -> None:
        self._conn.execute(statement)

    def _failed(self, error: Exception, doing: str) -> BaseException:
        return self._storage_error(error, doing)

    def _ready(self) -> None:
        self._ensure()

    def _read_transaction(self) -> contextlib.AbstractContextManager[None]:
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _write_transaction(self) -> contextlib.AbstractContextManager[None]:
        return self._transaction("BEGIN")

    def _insert_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """COPY the rows in, inside a savepoint (after a refused id, the
        append looks the ids up in the same transaction).  A conflict of
        seq or id is raised as psycopg's error (the append reads it); any
        other failure as a StorageError."""
        if not rows:
            return
        log = self._log_id
        conn = self._conn
        try:
            conn.execute("SAVEPOINT timeline_rows")
            try:
                with conn.cursor() as cursor, cursor.copy(_COPY) as copy:
                    copy.set_types(list(_COPY_TYPES))
                    write = copy.write_row
                    for row in rows:
                        write((log, *row))
            except psycopg.Error as error:
                if self._conflict(error) is None:
                    raise
                conn.execute("ROLLBACK TO SAVEPOINT timeline_rows")
                raise error from None
            conn.execute("RELEASE SAVEPOINT timeline_rows")
        except psycopg.Error as error:
            if self._conflict(error) is not None:
                raise
            raise self._storage_error(error, "appending") from None

    def _insert_supersessions(self, pairs: list[tuple[int, int]]) -> None:
        log = self._log_id
        try:
            with self._conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO timeline.supersessions VALUES (%s, %s, %s)",
                    [(log, target, by) for target, by in pairs],
                )
        except psycopg.Error as error:
            raise self._storage_error(error, "appending") from None

    def _conflict(self, error: BaseException) -> str | None:
        if isinstance(error, psycopg.errors.UniqueViolation):
            constraint = error.diag.constraint_name or ""
            if constraint == "events_pkey":
                return "seq"
            if constraint == "events_log_id_key":
                return "id"
        return None

    def _storage_error(self, error: BaseException, doing: str = "") -> BaseException:
        if not isinstance(error, psycopg.Error):
            return error
        what = f" while {doing}" if doing else ""
        text = _first_line(error)
        if isinstance(error, psycopg.errors.InsufficientPrivilege):
            return StorageError(f"{self.where}: not permitted{what}: {text}")
        if isinstance(error, psycopg.errors.DiskFull):
            return StorageError(f"{self.where}: the server's disk is full{what}")
        if isinstance(error, psycopg.OperationalError):
            return StorageError(
                f"{self.where}: the connection to the server failed{what} ({text}); "
                "an append that failed this way may or may not have committed: "
                "read last_seq before appending it again"
                if doing == "committing"
                else f"{self.where}: the connection to the server failed{what} ({text})"
            )
        return StorageError(f"{self.where}: {text}{what}")

    def _id_param(self, event_id: str) -> Any:
        return event_id.encode("utf-8", "surrogatepass")

    def _id_value(self, stored: Any) -> str:
        return bytes(stored).decode("utf-8", "surrogatepass")

    def _save_checkpoints(self, rows: list[tuple[Any, ...]]) -> bool:
        log = self._log_id
        try:
            with self._transaction("BEGIN"), self._conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO timeline.checkpoints VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    [(log, *row) for row in rows],
                )
        except psycopg.errors.InsufficientPrivilege:
            return False
        except (psycopg.Error, StorageError):
            return True
        return True

    def _check_more_tables(self) -> None:
        pass

    def close(self) -> None:
        self._closed = True
        self._connections.close_all()
        self._end_subscriptions()

    def _signal_key(self) -> Hashable:
        return ("postgresql", self._conninfo, self.name)

    def _feed(self, after: int) -> Feed:
        from timeline._storage.pg_subscribe import PostgresFeed

        reader = PostgresLog(self.url, log=self.name, create=False, checkpoints=False)
        return PostgresFeed(reader, after)

    def __enter__(self) -> PostgresLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> str:
        """The log's URL without its password, where a file log has its path."""
        return redact(self.url)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
