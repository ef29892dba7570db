"""The engine: small parts behind a thin façade (``facade.Engine``; the module doc maps them)."""

from core.engine.config import EngineConfig
from core.engine.facade import Engine
from core.engine.mode import ModeChangeRefused

__all__ = ["Engine", "EngineConfig", "ModeChangeRefused"]
