"""The studio's image engine: photo check, avatars and portraits. Plain Python, no Django.

Backends share one interface (see ``engine.backends``); ``classic`` runs on a CPU with models
that ship inside PyPI packages and downloads nothing.
"""
from .errors import EngineError, ErrorCode

__all__ = ["EngineError", "ErrorCode"]
