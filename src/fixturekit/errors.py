"""User-facing errors: each one is a message a person can act on, shown without a traceback."""

from __future__ import annotations

import re

# user:password@ in any URL, and password=... in connection strings and keyword dumps.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^\s:/@]*:)(?P<secret>[^\s@/]+)(?=@)")
_KEY_PASSWORD = re.compile(
    r"(?P<head>\b(?:password|passwd|pwd)\b['\"]?\s*[:=]\s*['\"]?)(?P<secret>[^\s'\",;)}&]+)",
    re.IGNORECASE,
)


def mask_secrets(text: str) -> str:
    """`text` with URL passwords and `password=...` values replaced by ***, as fixturekit's own
    URLs are shown. For text fixturekit repeats from elsewhere (a user's exception)."""
    text = _URL_PASSWORD.sub(lambda m: m["head"] + "***", text)
    return _KEY_PASSWORD.sub(lambda m: m["head"] + "***", text)


class FixturekitError(Exception):
    """Bad input or an unusable environment. The CLI prints the message and exits with `exit_code`.

    The message names the file, model, column or setting concerned and says what to do.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n{hint}")


class ModelsNotLoaded(FixturekitError):
    """The models named by the user could not be imported or contain nothing usable.

    The message repeats the user's own exception, which may carry a database URL: any password
    in it is masked."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(mask_secrets(message), hint=mask_secrets(hint) if hint else None)


class UnsatisfiableColumn(FixturekitError):
    """A column for which not even a type-valid value can be produced."""


class UnsafeDatabase(FixturekitError):
    """An operation would write to or drop a database fixturekit does not own."""


def cannot_write(path: object, exc: OSError, unchanged: str = "") -> FixturekitError:
    """A file-system failure while writing `path`, as one sentence (no traceback, no errno)."""
    import errno

    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EEXIST: "it exists and is not a folder",
    }
    reason = reasons.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    # The file named by the OSError is a temporary one beside `path`: not worth showing.
    return FixturekitError(
        f"Cannot write {path}: {reason}." + (f" {unchanged}" if unchanged else ""),
        hint="Free some space or choose a folder you can write to, then run the command again.",
    )
