"""The storage layer's exceptions. The REST layer turns each into the matching Kubernetes ``Status``."""

from __future__ import annotations


class StorageError(Exception):
    """Base of every storage failure."""


class KeyExistsError(StorageError):
    def __init__(self, resource: str, namespace: str, name: str) -> None:
        super().__init__(f"{resource} {namespace}/{name} already exists")
        self.resource, self.namespace, self.name = resource, namespace, name


class KeyNotFoundError(StorageError):
    def __init__(self, resource: str, namespace: str, name: str) -> None:
        super().__init__(f"{resource} {namespace}/{name} not found")
        self.resource, self.namespace, self.name = resource, namespace, name


class ConflictError(StorageError):
    """The caller's resourceVersion precondition does not match the stored object."""

    def __init__(self, resource: str, namespace: str, name: str, *, expected: int, actual: int) -> None:
        super().__init__(f"{resource} {namespace}/{name}: resourceVersion {expected} is stale (now {actual})")
        self.resource, self.namespace, self.name = resource, namespace, name
        self.expected, self.actual = expected, actual


class TooOldError(StorageError):
    """A watch or continue token asks for history the bounded event window no longer holds."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested, self.oldest = requested, oldest


class InvalidSelectorError(StorageError):
    """A label or field selector that does not parse."""


class InvalidContinueError(StorageError):
    """A continue token that was not issued by this store."""


class ContinueExpiredError(StorageError):
    """A continue token whose version left the history window; ``token`` resumes the list at the
    latest version from the same key (an inconsistent list, which the client may accept)."""

    def __init__(self, requested: int, token: str) -> None:
        super().__init__(f"continue token for resourceVersion {requested} expired")
        self.requested, self.token = requested, token


class ResourceVersionTooLargeError(StorageError):
    """A list asked for a resourceVersion the store has not reached."""

    def __init__(self, requested: int, current: int) -> None:
        super().__init__(f"Too large resource version: {requested}, current: {current}")
        self.requested, self.current = requested, current
