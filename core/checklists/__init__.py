"""The guide's two checklists, judged from recorded evidence: pure functions, no I/O.

``integration_checklist`` judges the guide's "Integration Testing Checklist" from one session's
record; ``live_checklist`` the "Live Trading Preparation" from a paper session's gate, the
settings and the other sessions' record. Each line is evidence in, a verdict (✓ / ✗ / not yet)
and the reason out. The store gathers the evidence (``core.store``); the console prints it.
"""

from core.checklists.evidence import (
    KillSwitchTest,
    LatencyTotals,
    RunEvidence,
    SessionEvidence,
)
from core.checklists.integration import integration_checklist
from core.checklists.live import (
    KeyCustody,
    LiveEvidence,
    RiskSettings,
    last_kill_switch_test,
    live_checklist,
)
from core.checklists.verdicts import Checklist, ChecklistLine, Verdict

__all__ = [
    "Checklist",
    "ChecklistLine",
    "KeyCustody",
    "KillSwitchTest",
    "LatencyTotals",
    "LiveEvidence",
    "RiskSettings",
    "RunEvidence",
    "SessionEvidence",
    "Verdict",
    "integration_checklist",
    "last_kill_switch_test",
    "live_checklist",
]
