"""The Textual console: panes driven by the engine's state, keys that command the engine."""

from console.app.app import ConsoleOutcome, L2ConsoleApp
from console.app.gates import FixedGate, GateProgress, GateSource, NoPaperSession
from console.app.host import SessionHost

__all__ = [
    "ConsoleOutcome",
    "FixedGate",
    "GateProgress",
    "GateSource",
    "L2ConsoleApp",
    "NoPaperSession",
    "SessionHost",
]
