"""The REST transport every venue's signed client sits on.

``RestTransport`` checks the base URL, shows it only without credentials, owns the connection
pool and the timeout, sends a request pre-encoded (so nothing re-encodes what was signed) and
turns transport failures into ``VenueError``s a user can read in one line:

* not reachable (refused, DNS, connect timeout): ``VenueUnreachable``; nothing was sent;
* no answer in time, or the connection lost mid-request: ``VenueAnswerLost``; the venue may
  have acted, so an order's fate must be asked, never assumed.

``ApiKeys`` keeps a key pair out of reprs and messages, naming the settings it came from.
``SignedRestClient`` is the base of each venue's client: both of them, built from the same
``RestClientOptions``. What a venue adds (signing, its error bodies, rate limits) stays in its
own subclass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Required, TypedDict
from urllib.parse import quote, urlencode, urlsplit

import aiohttp
from pydantic import SecretStr
from yarl import URL

from brokers.net.errors import VenueAnswerLost
from brokers.net.urls import redacted
from core.ports import VenueError, VenueUnreachable

Params = Sequence[tuple[str, str]]


def encode_params(params: Params) -> str:
    """``a=1&b=2``, percent-encoded (spaces as ``%20``), in the given order."""
    return urlencode(list(params), safe="", quote_via=quote)


def reveal(value: SecretStr | str | None) -> str | None:
    """The text of a secret (or plain) setting, blank as None."""
    if value is None:
        return None
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text.strip() or None


class ApiKeys:
    """A venue's API key and secret, and the names of the settings they came from."""

    __slots__ = ("key", "key_setting", "secret", "secret_setting", "venue")

    def __init__(
        self,
        venue: str,
        api_key: SecretStr | str | None,
        api_secret: SecretStr | str | None,
        *,
        key_setting: str,
        secret_setting: str,
    ) -> None:
        self.venue = venue
        self.key = reveal(api_key)
        self.secret = reveal(api_secret)
        self.key_setting = key_setting
        self.secret_setting = secret_setting

    def __repr__(self) -> str:
        return f"ApiKeys({self.venue}, {'configured' if self.present else 'not configured'})"

    @property
    def present(self) -> bool:
        """Both a key and a secret were given (the secret may still turn out malformed)."""
        return self.key is not None and self.secret is not None

    @property
    def hint(self) -> str:
        return f"{self.key_setting} and {self.secret_setting}"

    def missing_error(self) -> VenueError:
        return VenueError(
            f"{self.venue} API key not configured: set {self.hint}", code="missing_credentials"
        )


@dataclass(frozen=True, slots=True)
class RawAnswer:
    status: int
    body: bytes
    headers: Mapping[str, str]  # case-insensitive, as the venue sent them


class RestTransport:
    """One venue's REST base URL, timeout and connection pool."""

    def __init__(
        self,
        venue: str,
        rest_url: str,
        *,
        timeout_s: float = 10.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        parts = urlsplit(rest_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{venue} REST URL must be http(s)://…, got {redacted(rest_url)!r}")
        self.venue = venue
        self.base_path = parts.path.rstrip("/")
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self.shown_url = redacted(rest_url.strip()).rstrip("/")
        self.host = urlsplit(self.shown_url).netloc
        self.timeout_s = timeout_s
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session = session
        self._owns_session = session is None

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def send(
        self, method: str, path: str, encoded: str, headers: Mapping[str, str], *, endpoint: str
    ) -> RawAnswer:
        """``method`` on ``base path + path``: ``encoded`` parameters in the body of a POST
        (form-encoded), in the query string otherwise. ``endpoint`` names the call in messages.
        """
        url = self._origin + self.base_path + path
        body: bytes | None = None
        sent = {"Accept": "application/json", **headers}
        if method == "POST":  # form-encoded unless the caller signed another body (JSON)
            body = encoded.encode("utf-8")
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif encoded:
            url = f"{url}?{encoded}"
        if self._session is None:
            self._session = aiohttp.ClientSession()
        venue = self.venue
        try:
            async with self._session.request(
                method, URL(url, encoded=True), data=body, headers=sent, timeout=self._timeout
            ) as response:
                return RawAnswer(response.status, await response.read(), response.headers)
        except aiohttp.ClientConnectorError as exc:
            raise VenueUnreachable(
                f"{venue} unreachable at {self.host}: {exc.os_error or exc}"
            ) from None
        except aiohttp.ConnectionTimeoutError:
            raise VenueUnreachable(
                f"{venue} unreachable at {self.host}: connect timed out"
            ) from None
        except TimeoutError:
            raise VenueAnswerLost(
                f"{venue} {endpoint}: no answer within {self.timeout_s:g} s", code="timeout"
            ) from None
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError):
            raise VenueAnswerLost(
                f"{venue} {endpoint}: connection lost before the answer", code="disconnected"
            ) from None
        except aiohttp.ClientError as exc:
            raise VenueError(
                f"{venue} {endpoint}: request failed ({type(exc).__name__})", code="client_error"
            ) from None


class RestClientOptions(TypedDict, total=False):
    """How a venue's REST client is built (the keyword arguments of ``SignedRestClient``)."""

    rest_url: Required[str]
    api_key: SecretStr | str | None
    api_secret: SecretStr | str | None
    timeout_s: float
    session: aiohttp.ClientSession | None
    key_setting: str  # the setting the key comes from, for messages (``KRAKEN_API_KEY``)
    secret_setting: str


class SignedRestClient:
    """A venue's REST client: its ``RestTransport`` and its ``ApiKeys``. Subclasses name the
    venue (``VENUE``) and sign."""

    VENUE: ClassVar[str]

    def __init__(
        self,
        *,
        rest_url: str,
        api_key: SecretStr | str | None = None,
        api_secret: SecretStr | str | None = None,
        timeout_s: float = 10.0,
        session: aiohttp.ClientSession | None = None,
        key_setting: str = "the API key",
        secret_setting: str = "the API secret",
    ) -> None:
        self._transport = RestTransport(self.VENUE, rest_url, timeout_s=timeout_s, session=session)
        self._keys = ApiKeys(
            self.VENUE, api_key, api_secret, key_setting=key_setting, secret_setting=secret_setting
        )

    def __repr__(self) -> str:
        state = "configured" if self.has_credentials else "not configured"
        return f"{type(self).__name__}(rest_url={self._transport.shown_url!r}, keys {state})"

    @property
    def has_credentials(self) -> bool:
        """Both a key and a secret were given (the secret may still turn out malformed)."""
        return self._keys.present

    @property
    def credentials_hint(self) -> str:
        return self._keys.hint

    async def close(self) -> None:
        await self._transport.close()
