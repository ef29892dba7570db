"""The console's panes; each draws from ``EngineState`` and repaints only when its facts change."""

from console.app.widgets.gate_progress import GatePane
from console.app.widgets.imbalance import ImbalancePane
from console.app.widgets.notice_bar import NoticeBar
from console.app.widgets.order_book import OrderBookPane
from console.app.widgets.pane import Pane
from console.app.widgets.position import PositionPane
from console.app.widgets.signal_log import SignalLogPane
from console.app.widgets.status_bar import StatusBar

__all__ = [
    "GatePane",
    "ImbalancePane",
    "NoticeBar",
    "OrderBookPane",
    "Pane",
    "PositionPane",
    "SignalLogPane",
    "StatusBar",
]
