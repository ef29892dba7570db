"""Modal screens: go-live confirmation, quit with a position open, help, latency, checklist."""

from console.app.screens.checklist import ChecklistScreen
from console.app.screens.confirm_live import ConfirmLiveScreen
from console.app.screens.help import HelpScreen
from console.app.screens.latency import LatencyScreen
from console.app.screens.quit import QuitChoice, QuitScreen

__all__ = [
    "ChecklistScreen",
    "ConfirmLiveScreen",
    "HelpScreen",
    "LatencyScreen",
    "QuitChoice",
    "QuitScreen",
]
