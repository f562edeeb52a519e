"""The simulated instance's state: namespaces, databases and ownership records in SQLite.

``DIR/instance.db`` is one SQLite database (WAL journal, ``synchronous=FULL``). Every state
change is one SQLite transaction touching only the rows it changes, so a change costs
O(changed records), concurrent irisfx processes serialize on SQLite's own locks, and a process
killed at any moment leaves the state before or after a change, never in between. SQLite's
locks are released by the kernel when their process dies.

Everything read back is untrusted input: a row that a person or a fault could have edited is
validated (names by the rules of irisfx.lockfile.names) before the engine acts on it, and a database
SQLite cannot read is reported as a damaged instance, never as a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any, TypeVar

from irisfx.engines.sim.changes import OWNER_COLUMNS, Transaction
from irisfx.engines.sim.records import DatabaseRow, OwnerRow, database_row, owner_row
from irisfx.errors import ApplyFailed, EngineError
from irisfx.files.diskfull import no_room
from irisfx.files.faults import checkpoint

STATE_NAME = "instance.db"
LEGACY_STATE_NAME = "instance.json"  # irisfx before the SQLite state; refused with a fix
FORMAT = 2  # PRAGMA user_version
APPLICATION_ID = 0x49524658  # "IRFX" in PRAGMA application_id: this file is irisfx's
# What irisfx itself puts in an instance folder before (or while) the state exists: a folder
# holding only these is an empty instance, so a first write killed half-way is harmless.
SQLITE_SIDE_FILES = (f"{STATE_NAME}-wal", f"{STATE_NAME}-shm", f"{STATE_NAME}-journal")
OWN_ENTRIES = frozenset({STATE_NAME, f"{STATE_NAME}-wal", f"{STATE_NAME}-shm",
                         f"{STATE_NAME}-journal", "locks", ".instance.lock"})
BUSY_TIMEOUT = 60.0  # seconds to wait for another process's lock on the state
_BUSY_STEP = 0.05  # SQLite waits this long per try; the wait between tries can be interrupted
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS namespaces (
    name TEXT PRIMARY KEY, database TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS databases (
    name TEXT PRIMARY KEY, readonly INTEGER NOT NULL, mounted INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS owners (
    namespace TEXT PRIMARY KEY, project TEXT NOT NULL, project_id TEXT, location TEXT,
    role TEXT NOT NULL, fixture TEXT NOT NULL, state TEXT NOT NULL, sha256 TEXT,
    recipe_sha256 TEXT, readonly INTEGER NOT NULL, size INTEGER, mtime_ns INTEGER,
    ctime_ns INTEGER, inode INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS about (text TEXT NOT NULL);
"""
ABOUT = "irisfx-sim: a simulated IRIS instance; IRIS.DAT files are SQLite"


@dataclass(frozen=True)
class Snapshot:
    """The whole state, read in one read transaction."""

    namespaces: dict[str, str]
    databases: dict[str, DatabaseRow]
    owners: dict[str, OwnerRow]


class StateStore:
    """Reads and changes ``DIR/instance.db``; creates it on the first change."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / STATE_NAME
        self._connection: sqlite3.Connection | None = None
        self._wal = False

    # -- opening ----------------------------------------------------------------------------

    def check_reachable(self) -> None:
        """Refuse a folder that is not an instance; read the state, create nothing.

        A missing folder is an empty instance, made on the first change, but only inside a
        folder that exists: a mistyped path fails here instead of growing a tree of folders.
        """
        try:
            if not self.directory.exists():
                if not self.directory.parent.is_dir():
                    raise self._unreachable(f"{self.directory.parent} does not exist")
                return
            if not self.directory.is_dir():
                raise self._unreachable("it is not a folder")
            if not self.path.exists():
                names = {entry.name for entry in self.directory.iterdir()}
                if LEGACY_STATE_NAME in names:
                    raise self._legacy()
                if names - OWN_ENTRIES:
                    raise EngineError(
                        f"cannot use the simulated instance at {self.directory}: it is not "
                        f"empty and has no {STATE_NAME}, so irisfx did not make it",
                        fix="point the sim:// URL (fixtures.toml, IRISFX_IRIS or --iris) at "
                        "an empty or missing folder, or at one irisfx made; the default is "
                        "sim://.irisfx/sim")
                return
            self._one(lambda connection: [])  # opens it and checks what it is
        except PermissionError as exc:
            raise self._unreachable(f"permission denied ({exc.filename})") from None

    def ensure(self) -> None:
        """Create the instance (folder and state database) if it does not exist yet."""
        if self._connection is None:
            self.check_reachable()
        with self.transaction():
            pass

    def close(self) -> None:
        """Close the state database connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._wal = False

    # -- reading ----------------------------------------------------------------------------

    def read(self) -> Snapshot:
        """The whole state (empty when the instance does not exist yet)."""
        found = self._one(lambda connection: [Snapshot(
            namespaces=self._namespaces(connection),
            databases={row.name: row for row in self._databases(connection)},
            owners={row.namespace: row for row in self._owners(connection)},
        )])
        return found[0] if found else Snapshot({}, {}, {})

    def owner(self, namespace: str) -> OwnerRow | None:
        """The ownership record of ``namespace`` alone (validated), if there is one."""
        found = self._one(lambda connection: self._owners(
            connection, "WHERE namespace = ?", (namespace,)))
        return found[0] if found else None

    def database_of(self, namespace: str) -> DatabaseRow | None:
        """The database ``namespace`` is served from (validated), if the namespace exists."""
        found = self._one(lambda connection: [database_row(self.directory, row) for row in
                                              connection.execute(
            "SELECT d.name, d.readonly, d.mounted FROM namespaces AS n JOIN databases AS d "
            "ON d.name = n.database WHERE n.name = ?", (namespace,))])
        return found[0] if found else None

    def _one(self, query: Callable[[sqlite3.Connection], list[T]]) -> list[T]:
        """``query`` in one read transaction, tried again while another process holds a lock
        that keeps it from reading (up to BUSY_TIMEOUT; Ctrl-C stops the wait)."""
        connection = self._open(create=False)
        if connection is None:
            return []
        deadline = time.monotonic() + BUSY_TIMEOUT
        with self._guard():
            while True:
                connection.execute("BEGIN")
                try:
                    return query(connection) if self._initialized(connection) else []
                except sqlite3.OperationalError as exc:
                    if ("locked" not in str(exc) and "busy" not in str(exc)) \
                            or time.monotonic() > deadline:
                        raise
                finally:
                    connection.execute("COMMIT")
                time.sleep(_BUSY_STEP)

    def _namespaces(self, connection: sqlite3.Connection) -> dict[str, str]:
        from irisfx.engines.sim.records import namespace_pair

        return dict(namespace_pair(self.directory, row)
                    for row in connection.execute("SELECT name, database FROM namespaces"))

    def _databases(self, connection: sqlite3.Connection) -> list[DatabaseRow]:
        rows = connection.execute("SELECT name, readonly, mounted FROM databases")
        return [database_row(self.directory, row) for row in rows]

    def _owners(self, connection: sqlite3.Connection, where: str = "",
                args: tuple[Any, ...] = ()) -> list[OwnerRow]:
        rows = connection.execute(f"SELECT {', '.join(OWNER_COLUMNS)} FROM owners {where}", args)
        return [owner_row(self.directory, dict(zip(OWNER_COLUMNS, row, strict=True)))
                for row in rows]

    # -- changing ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[Transaction]:
        """One state change: committed when the block ends, rolled back if it raises.

        ``durable=False`` skips the fsync of the commit: a kill still leaves the state before
        or after the change (the journal is written), only a power cut may forget it. For
        test copies, which no later run reuses.
        """
        connection = self._open(create=True)
        assert connection is not None  # create=True always opens
        with self._guard():
            if not self._wal:
                self._use_wal(connection)
            if not durable:
                connection.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._changing(connection) as change:
                    yield change
            finally:
                if not durable:
                    connection.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def _changing(self, connection: sqlite3.Connection) -> Iterator[Transaction]:
        self._begin(connection, "BEGIN IMMEDIATE")
        try:
            if not self._initialized(connection):
                self._initialize(connection)
                checkpoint("sim.instance.creating")
            yield Transaction(self._owners, connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # -- internals --------------------------------------------------------------------------

    def _open(self, *, create: bool) -> sqlite3.Connection | None:
        if self._connection is not None:
            return self._connection
        self._refuse_links()
        if not create and not self.path.exists():
            return None
        if create:
            self.directory.mkdir(exist_ok=True)
        with self._guard():
            # Autocommit mode: transactions are begun and ended explicitly above.
            connection = sqlite3.connect(self._uri(writable=create), uri=True,
                                         timeout=_BUSY_STEP, isolation_level=None,
                                         check_same_thread=False)
            try:
                if create or self._writable():
                    connection.execute("PRAGMA synchronous=FULL")
            except BaseException:
                connection.close()
                raise
        self._connection = connection
        return connection

    def _refuse_links(self) -> None:
        """EngineError if the state file or one of SQLite's files beside it is a link or not
        a regular file: SQLite would read and write through it, out of the instance folder."""
        for name in (STATE_NAME, *SQLITE_SIDE_FILES):
            try:
                info = (self.directory / name).lstat()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise self._unreachable(f"{name}: {exc.strerror}") from None
            if not S_ISREG(info.st_mode):
                raise EngineError(
                    f"cannot use the simulated instance at {self.directory}: {name} is "
                    "not a plain file (a symbolic link or another kind of file)",
                    details=["irisfx did not read or write through it"],
                    fix=f"move {self.directory / name} out of the way: the simulator's state "
                    "is a plain file it makes itself; then run the command again")

    def _writable(self) -> bool:
        return os.access(self.directory, os.W_OK)

    def _uri(self, *, writable: bool) -> str:
        path = str(self.path.absolute()).replace("%", "%25").replace("?", "%3f")
        path = path.replace("#", "%23")
        if writable or self._writable():
            return f"file:{path}"
        # A folder irisfx may not write (a read-only mount): read-only commands still read
        # it. SQLite cannot make its -shm there, so the state is read as it lies on disk.
        return f"file:{path}?mode=ro&immutable=1"

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        # Persistent in the file once set; switching needs a moment with no other writer,
        # which the busy timeout covers. Done before the first change, not on reads, so a
        # read-only look at an instance creates nothing.
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._begin(connection, "PRAGMA journal_mode=WAL")
        self._wal = True

    def _begin(self, connection: sqlite3.Connection, statement: str) -> None:
        """Run ``statement`` (one that takes a lock), waiting up to BUSY_TIMEOUT for it.

        SQLite's own wait cannot be interrupted, so it is kept short and retried here, where
        Ctrl-C and SIGTERM stop the wait at once.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                connection.execute(statement)
                return
            except sqlite3.OperationalError as exc:
                text = str(exc)
                if ("locked" not in text and "busy" not in text) \
                        or time.monotonic() > deadline:
                    raise
            time.sleep(_BUSY_STEP)

    def _initialized(self, connection: sqlite3.Connection) -> bool:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        app = connection.execute("PRAGMA application_id").fetchone()[0]
        if version == FORMAT and app == APPLICATION_ID:
            return True
        tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and app == 0 and tables == 0:
            return False  # new, or its creation was interrupted before it committed
        if app != APPLICATION_ID:
            raise self._corrupt(f"{STATE_NAME} is an SQLite database irisfx did not make")
        raise EngineError(
            f"the simulated instance at {self.directory} has format {version}; this irisfx "
            f"reads format {FORMAT}",
            fix=f"upgrade irisfx, or delete {self.directory} to start a fresh simulated "
            "instance (fixture files are not affected), then run 'irisfx apply'")

    def _initialize(self, connection: sqlite3.Connection) -> None:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute("INSERT INTO about (text) VALUES (?)", (ABOUT,))
        connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version={FORMAT}")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's errors about the state file become EngineErrors with a fix."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise EngineError(
                    f"the simulated instance at {self.directory} stayed locked for "
                    f"{BUSY_TIMEOUT:.0f} s", details=[
                        f"{STATE_NAME}: {text}",
                        "a process holds a lock on it: an irisfx command changing the "
                        "instance, or another program that opened the file (such as the "
                        "sqlite3 shell or a database browser)"],
                    fix=f"let that process finish or close {self.path}, then retry "
                    "(fuser or lsof on the file names it)") from None
            if "unable to open" in text or "readonly" in text:
                raise self._unreachable(text) from None
            raise self._full(exc) or self._corrupt(text) from None
        except sqlite3.DatabaseError as exc:
            raise self._full(exc) or self._corrupt(str(exc)) from None
        except UnicodeError as exc:  # text that is not UTF-8: not something irisfx wrote
            raise self._corrupt(f"text that is not UTF-8 ({exc})") from None

    def _full(self, exc: sqlite3.Error) -> ApplyFailed | None:
        # Out of room is not damage: the transaction rolled back, so nothing needs deleting.
        room = no_room(exc, self.directory / STATE_NAME, None)
        if room is None:
            return None
        return ApplyFailed(room.message(), details=["the simulator's state is unchanged"],
                           fix=room.fix())

    def _corrupt(self, why: str) -> EngineError:
        return EngineError(
            f"the simulated instance at {self.directory} is corrupt",
            details=[f"{STATE_NAME}: {why}"],
            fix=f"delete {self.directory} to start a fresh simulated instance (everything "
            "mounted there is lost; fixture files are not), then run 'irisfx apply'")

    def _legacy(self) -> EngineError:
        return EngineError(
            f"the simulated instance at {self.directory} was made by an older irisfx "
            f"({LEGACY_STATE_NAME}); this irisfx keeps the simulator's state in {STATE_NAME}",
            fix=f"delete {self.directory} (everything mounted there is lost; fixture files "
            "and pins are not), then run 'irisfx apply' to mount the fixtures again")

    def _unreachable(self, why: str) -> EngineError:
        return EngineError(
            f"cannot use the simulated instance at {self.directory}: {why}",
            fix="check the sim:// URL in fixtures.toml, IRISFX_IRIS or --iris, and the "
            "folder's permissions; the default is sim://.irisfx/sim")
