"""HTTP to one API server: the single I/O seam of :mod:`kro.kube`.

:class:`Transport` sends a request with the configured credentials, waits its turn at the client-side
token bucket when one is configured (``qps``/``burst``; none by default: the API server's priority
and fairness is the limit), retries a 429 after its ``Retry-After`` (a bounded number of times; each
wait capped, spread by up to half again at random so clients turned away together do not come back
together, and doubled on every further 429 of the same request when the server names no wait),
re-authenticates once on a 401, turns error answers into the
:mod:`kro.kube.errors` tree and decodes JSON. Streaming answers (watches) come out as lines of any
length. One ``aiohttp`` session is kept per transport, created on first use inside the event loop.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import orjson
import yarl

from kro.kube.clock import SYSTEM_CLOCK, Clock
from kro.kube.config import ClusterConfig
from kro.kube.errors import ApiError, TooManyRequests, TransportError, Unauthorized, api_error
from kro.kube.ratelimit import TokenBucket
from kro.kube.stats import RequestStats, resource_of
from kro.kube.tokens import CertificateSource

JSON = "application/json"
_TRANSPORT_FAILURES = (aiohttp.ClientError, OSError, TimeoutError)
_ORJSON_REFUSED = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(body: Any) -> bytes:
    """``body`` as compact JSON, the bytes the standard library's ``json.dumps`` (ASCII, compact
    separators) writes, made by orjson (several times faster) where it writes the same thing. The
    standard library writes it instead when orjson would differ or refuse: text beyond ASCII (and
    DEL) it escapes, ``NaN``/``Infinity`` (orjson writes ``null``), non-string keys, integers past
    64 bits, and values JSON has no type for (``json`` raises ``TypeError``). Floats may differ in
    exponent spelling only (``1e-7`` for ``1e-07``): the same number."""
    try:
        out = orjson.dumps(body, option=_ORJSON_REFUSED)
    except TypeError:
        return json.dumps(body, separators=(",", ":")).encode()
    if not out.isascii() or b"\x7f" in out or b"null" in out:
        return json.dumps(body, separators=(",", ":")).encode()
    return out


def loads(data: bytes | str) -> Any:
    """Decode a JSON document: orjson, or the standard library's ``json`` for what orjson refuses
    (UTF-16 text, lone surrogates), so the same documents decode or fail with ``ValueError``. An
    integer past 64 bits decodes as a float, as kube-apiserver's own decoding has it."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


class Transport:
    """Requests to one API server, rate limited and counted in :attr:`stats`."""

    def __init__(
        self,
        config: ClusterConfig,
        *,
        clock: Clock = SYSTEM_CLOCK,
        max_429_retries: int = 10,
        max_retry_after: float = 60.0,
        stats: RequestStats | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._rng = rng or random.Random()
        self.stats = stats or RequestStats()
        self._clock = clock
        self._bucket = TokenBucket(config.qps, config.burst, clock=clock)
        self._max_429_retries = max_429_retries
        self._max_retry_after = max_retry_after
        self._session: aiohttp.ClientSession | None = None
        # an exec plugin's rotating certificate, decided once: the check is not for every request
        token = config.token
        self._certificates = token if isinstance(token, CertificateSource) else None
        self._certificate_generation = 0
        self._closed = False
        self._timeout = aiohttp.ClientTimeout(total=config.timeout)
        """A request's whole exchange; a stream (a watch) has only its connecting bounded."""
        self._stream_timeout = aiohttp.ClientTimeout(total=None, sock_connect=config.timeout, sock_read=None)

    async def close(self) -> None:
        """Close the connections; later requests raise :class:`TransportError` (so a forgotten
        background watcher cannot silently reopen them)."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def stream(
        self, path: str, *, params: Mapping[str, str] | None = None, verb: str
    ) -> AsyncGenerator[bytes, None]:
        """GET a streaming answer, line by line (close the iterator to drop the connection)."""
        response = await self._send("GET", path, params=params, verb=verb, streaming=True)
        try:
            async for line in _lines(response):
                yield line
        except _TRANSPORT_FAILURES as e:
            self.stats.transport_errors += 1
            raise TransportError(f"GET {path}: {e!r}") from e
        finally:
            response.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = JSON,
        verb: str,
    ) -> Any:
        """Send one request and decode its JSON answer; errors raise the :mod:`kro.kube.errors` tree."""
        response = await self._send(
            method, path, params=params, body=body, content_type=content_type, verb=verb
        )
        try:
            data = await response.read()
        except _TRANSPORT_FAILURES as e:
            self.stats.transport_errors += 1
            raise TransportError(f"{method} {path}: {e!r}") from e
        finally:
            response.release()
        if not data:
            return None
        try:
            return loads(data)
        except ValueError as e:
            raise TransportError(f"{method} {path}: the answer is not JSON: {e}") from e

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = JSON,
        verb: str,
        streaming: bool = False,
    ) -> aiohttp.ClientResponse:
        url = self.config.server + path + ("?" + urlencode(params, quote_via=quote) if params else "")
        resource = resource_of(path)
        payload = dumps(body) if body is not None else None
        refreshed = False
        attempt = 0
        while True:
            response = await self._attempt(
                method, url, payload, content_type, (verb, resource), streaming, refresh=refreshed
            )
            if response.status < 400:
                return response
            error = await _error_of(response)
            self.stats.errors_by_status[response.status] += 1
            if isinstance(error, Unauthorized) and not refreshed and self.config.token is not None:
                refreshed = True
                continue
            if isinstance(error, TooManyRequests) and attempt < self._max_429_retries:
                attempt += 1
                self.stats.retries_429 += 1
                await self._clock.sleep(self._retry_wait(error.retry_after, attempt))
                continue
            raise error

    def _retry_wait(self, retry_after: float | None, attempt: int) -> float:
        """How long to wait before retry ``attempt`` (1, 2, …) of a request the server answered 429:
        its ``Retry-After`` (else 1 s doubling per attempt), plus up to half again at random."""
        base = retry_after if retry_after is not None else min(2.0 ** (attempt - 1), self._max_retry_after)
        return min(self._max_retry_after, base * (1.0 + 0.5 * self._rng.random()))

    async def _attempt(
        self,
        method: str,
        url: str,
        payload: bytes | None,
        content_type: str,
        what: tuple[str, str],
        streaming: bool,
        *,
        refresh: bool,
    ) -> aiohttp.ClientResponse:
        """``what``: the verb and resource the request is counted under."""
        waited = await self._bucket.acquire()
        self.stats.throttled_seconds += waited
        self.stats.record(*what)
        headers = {"Accept": JSON, "User-Agent": self.config.user_agent}
        if payload is not None:
            headers["Content-Type"] = content_type
        if self.config.token is not None:
            auth = await self.config.token.authorization(refresh=refresh)
            if auth:
                headers["Authorization"] = auth
            if self._certificates is not None:
                await self._rotate_connections(self._certificates)
        sent: dict[str, str] | list[tuple[str, str]] = headers
        if self.config.impersonation is not None:  # repeated names (Impersonate-Group): pairs
            sent = [*headers.items(), *self.config.impersonation.headers()]
        try:
            return await self._get_session().request(
                method,
                yarl.URL(url, encoded=True),
                data=payload,
                headers=sent,
                timeout=self._stream_timeout if streaming else self._timeout,
                proxy=self.config.proxy,
                server_hostname=self.config.tls_server_name,
            )
        except _TRANSPORT_FAILURES as e:
            self.stats.transport_errors += 1
            raise TransportError(f"{method} {url}: {e!r}") from e

    async def _rotate_connections(self, token: CertificateSource) -> None:
        """A new client certificate: close every connection made with the old one (watches
        included, which their informers open again), as client-go does."""
        if token.certificate_generation == self._certificate_generation:
            return
        self._certificate_generation = token.certificate_generation
        old, self._session = self._session, None
        if old is not None:
            await old.close()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise aiohttp.ClientConnectionError("the client is closed")
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(ssl=self.config.ssl_context or True, limit=0)
            # API servers set no cookies, and client-go keeps none: no jar to consult per request
            # disable-compression: no Accept-Encoding, so the server answers uncompressed (as Go's
            # transport with DisableCompression)
            skip = ("Accept-Encoding",) if self.config.disable_compression else ()
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  skip_auto_headers=skip)
        return self._session


async def _error_of(response: aiohttp.ClientResponse) -> ApiError:
    try:
        raw = await response.read()
    except _TRANSPORT_FAILURES:
        raw = b""
    finally:
        response.release()
    try:
        body: Any = loads(raw) if raw else {}
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return api_error(response.status, body, retry_after=_retry_after(response.headers.get("Retry-After")))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare from API servers; the default wait applies


async def _lines(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    """Newline-delimited chunks of a streaming body, of any length (objects can exceed 1 MB)."""
    buffer = bytearray()
    async for chunk in response.content.iter_any():
        start = 0
        end = chunk.find(b"\n")
        while end >= 0:
            if buffer:
                buffer += chunk[start:end]
                line = bytes(buffer)
                buffer.clear()
            else:
                line = chunk[start:end]
            if line.strip():
                yield line
            start = end + 1
            end = chunk.find(b"\n", start)
        buffer += chunk[start:]
    if bytes(buffer).strip():
        yield bytes(buffer)
