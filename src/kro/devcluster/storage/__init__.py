"""Object storage for the local API server: a store contract (:class:`Store`), an in-memory backend
and a durable SQLite backend, label/field selectors and the watch event window."""

from kro.devcluster.jsoncodec import clone
from kro.devcluster.storage.base import (
    ChangeHook,
    ListOptions,
    ListResult,
    Object,
    Store,
    Watcher,
    WatchEvent,
)
from kro.devcluster.storage.errors import (
    ConflictError,
    ContinueExpiredError,
    InvalidContinueError,
    InvalidSelectorError,
    KeyExistsError,
    KeyNotFoundError,
    ResourceVersionTooLargeError,
    StorageError,
    TooOldError,
)
from kro.devcluster.storage.memory import MemoryStore
from kro.devcluster.storage.selectors import FieldSelector, LabelSelector
from kro.devcluster.storage.sqlite import SQLiteStore

__all__ = [
    "ChangeHook",
    "ConflictError",
    "ContinueExpiredError",
    "FieldSelector",
    "InvalidContinueError",
    "InvalidSelectorError",
    "KeyExistsError",
    "KeyNotFoundError",
    "LabelSelector",
    "ListOptions",
    "ListResult",
    "MemoryStore",
    "Object",
    "ResourceVersionTooLargeError",
    "SQLiteStore",
    "StorageError",
    "Store",
    "TooOldError",
    "WatchEvent",
    "Watcher",
    "clone",
]
