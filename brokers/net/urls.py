"""URLs as the adapters take them from the user: checked, and shown without their secrets."""

from __future__ import annotations

from urllib.parse import urlsplit


def redacted(url: str) -> str:
    """The URL fit for logs and screens: no user name, password or query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def checked_url(url: str, schemes: tuple[str, ...], setting: str) -> str:
    """``url`` stripped of blanks and trailing slashes; ``ValueError`` naming ``setting`` (never
    the URL's credentials) when its scheme is not one of ``schemes`` or it has no host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(
            f"{setting} must be a {' or '.join(schemes)} URL, got {redacted(url) or url[:40]!r}"
        )
    return url.rstrip("/")
