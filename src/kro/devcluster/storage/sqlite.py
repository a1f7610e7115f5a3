"""The durable backend: every object and the resourceVersion counter in one SQLite file (WAL).

Reads are served from the in-memory cache of :class:`MemoryStore`; each write is applied to the cache
(so preconditions stay atomic), then handed to a single writer task that commits whatever has queued
up in one transaction (group commit, ``synchronous=FULL``) on a worker thread. Only after the commit
is the event published to watchers and the caller's write returned, so an acknowledged write survives
a crash and watchers never see a change that could be lost.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from kro.devcluster import jsoncodec
from kro.devcluster.jsoncodec import Unencodable
from kro.devcluster.storage.base import WatchEvent, object_key
from kro.devcluster.storage.errors import StorageError
from kro.devcluster.storage.eventlog import DEFAULT_WINDOW
from kro.devcluster.storage.memory import MemoryStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
  resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  rv INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (resource, namespace, name)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
DB_FILE = "state.db"
_MAX_BATCH = 1000
# Event-loop turns a commit waits at most for more writes to join it (each turn is ~tens of µs).
_GATHER_ROUNDS = 8


class SQLiteStore(MemoryStore):
    def __init__(self, state_dir: str | Path, *, window: int = DEFAULT_WINDOW) -> None:
        super().__init__(window=window)
        self._path = Path(state_dir) / DB_FILE
        self._db: sqlite3.Connection | None = None
        self._pending: list[tuple[WatchEvent, bytes | None, asyncio.Future[None]]] = []
        self._wake: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        # Transactions committed so far (each holds one batch of writes).
        self.commits = 0

    @property
    def path(self) -> Path:
        return self._path

    async def start(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await asyncio.to_thread(self._open)
        self._wake = asyncio.Event()
        self._writer = asyncio.create_task(self._write_loop(), name="kro-devcluster-sqlite-writer")

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        for resource, data in db.execute("SELECT resource, data FROM objects"):
            self._load(resource, jsoncodec.loads(data))
        row = db.execute("SELECT value FROM meta WHERE key='rv'").fetchone()
        self._set_loaded_rv(int(row[0]) if row else 0)
        return db

    async def close(self) -> None:
        self._closing = True
        if self._wake is not None:
            self._wake.set()
        if self._writer is not None:
            await self._writer
            self._writer = None
        if self._db is not None:
            db, self._db = self._db, None
            await asyncio.to_thread(db.close)
        await super().close()

    async def _commit(self, event: WatchEvent, frozen: bytes | Unencodable | None) -> None:
        if self._db is None or self._wake is None or self._closing:
            raise StorageError("the store is not running")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # The object's JSON was taken already (for the caller's copy): the row reuses it.
        self._pending.append((event, frozen if isinstance(frozen, bytes) else None, done))
        self._wake.set()
        await done

    async def _write_loop(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._gather_burst()
            while self._pending:
                batch, self._pending = self._pending[:_MAX_BATCH], self._pending[_MAX_BATCH:]
                try:
                    # One hand-over to a worker thread per batch; the loop thread keeps serving.
                    await asyncio.to_thread(self._write, [(e, data) for e, data, _ in batch])
                except (sqlite3.Error, OSError) as e:
                    for _, _, fut in batch:
                        if not fut.done():
                            fut.set_exception(StorageError(f"could not persist to {self._path}: {e}"))
                    continue
                for event, _, fut in batch:
                    self._log.append(event)
                    if not fut.done():
                        fut.set_result(None)
            if self._closing and not self._pending:
                return

    async def _gather_burst(self) -> None:
        """Let the requests the event loop already holds queue their writes before committing, so
        they share one commit: a commit costs far more than the rows in it."""
        for _ in range(_GATHER_ROUNDS):
            queued = len(self._pending)
            await asyncio.sleep(0)
            if len(self._pending) == queued or self._closing:
                break

    def _stage(self, events: list[tuple[WatchEvent, bytes | None]]) -> None:
        """Open a transaction holding ``events``' rows and the resourceVersion counter."""
        db = self._db
        if db is None:
            raise sqlite3.OperationalError("database closed")
        upserts: list[tuple[str, str, str, int, str]] = []
        deletes: list[tuple[str, str, str]] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for e, data in events:
                ns, name = object_key(e.object)
                if e.type == "DELETED":
                    if upserts:
                        self._flush_upserts(db, upserts)
                    deletes.append((e.resource, ns, name))
                else:
                    if deletes:
                        self._flush_deletes(db, deletes)
                    text = data.decode() if data is not None else jsoncodec.dumps_str(e.object)
                    upserts.append((e.resource, ns, name, e.resource_version, text))
            self._flush_upserts(db, upserts)
            self._flush_deletes(db, deletes)
            db.execute(
                "INSERT INTO meta(key, value) VALUES('rv', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (str(events[-1][0].resource_version),),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _write(self, events: list[tuple[WatchEvent, bytes | None]]) -> None:
        """Persist ``events`` in one transaction (runs on a worker thread)."""
        self._stage(events)
        self._finish()

    def _finish(self) -> None:
        """Commit the staged transaction (``synchronous=FULL``: returns once it is on disk)."""
        db = self._db
        if db is None:
            raise sqlite3.OperationalError("database closed")
        try:
            db.execute("COMMIT")
            self.commits += 1
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    @staticmethod
    def _flush_upserts(db: sqlite3.Connection, rows: list[tuple[str, str, str, int, str]]) -> None:
        if rows:
            db.executemany(
                "INSERT INTO objects(resource, namespace, name, rv, data) VALUES(?,?,?,?,?) "
                "ON CONFLICT(resource, namespace, name) DO UPDATE SET rv=excluded.rv, data=excluded.data",
                rows,
            )
            rows.clear()

    @staticmethod
    def _flush_deletes(db: sqlite3.Connection, rows: list[tuple[str, str, str]]) -> None:
        if rows:
            db.executemany("DELETE FROM objects WHERE resource=? AND namespace=? AND name=?", rows)
            rows.clear()
