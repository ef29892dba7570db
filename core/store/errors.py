"""What can go wrong with the database, each as one line a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store error; ``str(error)`` is one line fit to show a user."""


class NoDatabaseError(StoreError):
    """There is no database (or only an empty file) at that path: nothing recorded yet."""


class DatabaseAccessError(StoreError):
    """The file or its folder cannot be reached, read or written here (read-only file system,
    permissions, a missing folder that cannot be created)."""


class NotOurDatabaseError(StoreError):
    """The file is not an l2console database (another program's, or not SQLite at all)."""


class CorruptDatabaseError(StoreError):
    """The file is ours but damaged."""


class DatabaseBusyError(StoreError):
    """Another process held the database longer than the busy timeout."""


class NewerDatabaseError(StoreError):
    """The file was written by a newer l2console whose layout this version does not know."""


class SessionMismatchError(StoreError, ValueError):
    """Resuming a session with a different venue, symbol or mode than it was created with."""


class SessionAlreadyRunningError(StoreError):
    """Another live process is writing this session right now."""


class SessionNotFoundError(StoreError, LookupError):
    """No session of that name in the database."""


class StoreClosedError(StoreError):
    """A record was sent to a store that is closed or whose writer failed."""
