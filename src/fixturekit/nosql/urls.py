"""Server URLs as the user gives them, and the same URLs safe to print.

A password must never reach a terminal or a CI log, so every message about a server is built
from `redact(url)`, and `scrub` removes the secret from text a driver wrote (its exceptions can
echo the URL back).
"""

from __future__ import annotations

from urllib.parse import SplitResult, unquote, urlsplit

from fixturekit.errors import FixturekitError

HIDDEN = "***"


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as exc:  # an unbalanced '[' in the host, a bad port
        raise FixturekitError(f"not a valid server URL: {redact_loose(url)} ({exc})") from None


def redact_loose(url: str) -> str:
    """Hide whatever sits between `://` and the last `@` when the URL cannot even be parsed."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:{HIDDEN}@{host}" if ":" in userinfo else url


def redact(url: str) -> str:
    """The URL with its password replaced by `***` (user name, host, port and path kept)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return redact_loose(url)
    if password is None:
        return url
    # Rebuild the netloc by hand: SplitResult has no way to replace only the password, and a
    # mongodb URL may list several hosts, which `parts.hostname` would reduce to one.
    userinfo, _, hosts = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return parts._replace(netloc=f"{user}:{HIDDEN}@{hosts}").geturl()


def secrets_of(url: str) -> list[str]:
    """The password as written and as decoded, for scrubbing driver messages."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    if not password:
        return []
    return sorted({password, unquote(password)}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """`text` with every occurrence of the URL's password hidden."""
    for secret in secrets_of(url):
        text = text.replace(secret, HIDDEN)
    return text


# Where a driver's message turns from the cause into diagnostics (pymongo appends timeouts and
# a topology description several hundred characters long).
_DETAIL_MARKERS = (" (configured timeouts", ", Timeout:", ", Topology Description")


def first_line(exc: BaseException, url: str) -> str:
    """A driver exception reduced to one printable line with no secret in it."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for marker in _DETAIL_MARKERS:
        message = message.split(marker, 1)[0]
    return scrub(f"{type(exc).__name__}: {message}", url)


def require_scheme(url: str, schemes: tuple[str, ...], what: str) -> SplitResult:
    parts = _split(url)
    if parts.scheme not in schemes:
        wanted = ", ".join(f"{s}://" for s in schemes)
        raise FixturekitError(
            f"{what} URL {redact(url)} must start with one of {wanted}",
        )
    return parts
