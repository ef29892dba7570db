"""``?``: the keys and what each pane shows."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
[b]Keys[/b]
  [b]f[/b] [b]ctrl+k[/b]  flatten all now: cancel orders, close at market, stop
              entries, until the venue confirms flat (no confirmation)
  [b]d[/b]         dry run ↔ live; going live asks first, and on a real-money
              venue needs --i-understand-this-is-real-money at start
  [b]p[/b]         pause / resume entries (resume re-arms after a kill switch)
  [b]q[/b]         quit; asks what to do when a position is open
  [b]l[/b]         latency histograms of this run: tick→decision,
              decision→order, order→venue ack (esc closes)
  [b]c[/b]         the session's checklist from its record: a paper session's
              Live Trading Preparation, a live one's Integration Testing
  [b]?[/b]         this help (esc closes)

[b]Panes[/b]
  Status     mode, venue, symbol, book LIVE/SYNCING/STALE, tick→decision
             latency p50/p99, book updates/s, session, UTC time
  Book       best levels each side with size bars; ◆ marks your entry
  Imbalance  bid/ask size near the touch; ┃ marks the entry thresholds
  Signals    newest first; blocked and ignored ones say why
  Position   side, size, entry, mark, unrealized P&L; realized, fees and
             net = realized − fees, for this run and (resumed) the session
  Gate       the paper session against its promotion gate (c: checklist)

Money is exact: whole cents as cents, finer amounts with every decimal.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, text: str = HELP) -> None:
        """``text``: the keys of the console showing it (a replay has its own)."""
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(self._text)
