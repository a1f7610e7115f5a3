"""kro's hash functions; each hashes the UTF-8 bytes of a string and returns the digest as bytes.

- ``hash.fnv64a(s) -> bytes``: FNV-1a, 64 bits (8 bytes, big-endian), the recommended one.
- ``hash.sha256(s) -> bytes``: SHA-256 (32 bytes).
- ``hash.md5(s) -> bytes``: MD5 (16 bytes), for compatibility only.

Combine with the encoders, e.g. ``base64.encode(hash.fnv64a(s))``.
"""

from __future__ import annotations

import hashlib

from kro.cel.library.declarations import Function, Type, function, global_overload

_FNV64_OFFSET = 0xCBF29CE484222325
_FNV64_PRIME = 0x100000001B3
_U64_MASK = 2**64 - 1


def fnv64a(text: str) -> bytes:
    """The FNV-1a 64-bit hash of ``text``'s UTF-8 bytes, big-endian."""
    value = _FNV64_OFFSET
    for byte in text.encode():
        value = ((value ^ byte) * _FNV64_PRIME) & _U64_MASK
    return value.to_bytes(8, "big")


def declarations() -> list[Function]:
    """The hash functions' declarations."""
    string, bytes_ = Type.STRING, Type.BYTES
    return [
        function("hash.fnv64a", global_overload("hash.fnv64a_string", [string], bytes_, fnv64a)),
        function(
            "hash.sha256",
            global_overload(
                "hash.sha256_string", [string], bytes_, lambda s: hashlib.sha256(s.encode()).digest()
            ),
        ),
        function(
            "hash.md5",
            global_overload(
                "hash.md5_string",
                [string],
                bytes_,
                lambda s: hashlib.md5(s.encode(), usedforsecurity=False).digest(),
            ),
        ),
    ]
