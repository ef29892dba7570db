"""The one exception every command raises for a user-facing mistake."""

from __future__ import annotations


class UsageError(Exception):
    """A bad command line, setting or start-up condition, as one line (exit status 2)."""
