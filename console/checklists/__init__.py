"""The checklists as the trader sees them: evidence gathered from the store and the settings
(``gather``), judged by ``core.checklists``, and printed (``render_checklist``)."""

from console.checklists.gather import (
    integration_for,
    key_custody,
    live_for,
)
from console.checklists.text import render_checklist

__all__ = ["integration_for", "key_custody", "live_for", "render_checklist"]
