"""The adapters' raw-frame tap: how a live feed hands each frame to a recorder."""

from __future__ import annotations

from collections.abc import Callable

RawFrameTap = Callable[[int, int, bytes | str], None]
"""``tap(recv_ns, wall_ns, raw)``: called by a feed for every frame received, before parsing.

``recv_ns`` is the same ``time.monotonic_ns()`` the feed stamps on the frame's events and
``wall_ns`` the ``time.time_ns()`` of that moment. Must not block (``FrameRecorder.ws_frame``
only appends to a list). Feeds take it as ``on_raw_frame=``; unset, it costs nothing.
"""

RestSnapshotTap = Callable[[int, int, str, bytes | str], None]
"""``tap(recv_ns, wall_ns, product, body)``: a REST order-book snapshot answer, before parsing."""

ConnectTap = Callable[[int, int, str], None]
"""``tap(recv_ns, wall_ns, url)``: a feed opened a new connection (the URL without credentials)."""
