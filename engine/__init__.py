"""The studio's image engine: photo check, avatars, portraits, stylization and ID photos. Plain
Python, no Django.

Its public surface, the only modules the Django side imports (tests/test_engine_surface.py holds
it to that), so that every backend can do all of the work:

- ``engine.backends``: the ``Backend`` protocol (check, train, load_avatar, avatar_from_photos,
  create, template_faces, stylize, style_presets, idphoto), ``get_backend`` and the result types;
- ``engine.errors``: ``EngineError`` with its ``ErrorCode``, and the seeds' template messages;
- ``engine.options``: pure data and parsers to validate a request before a job runs (portrait
  options, ID photo sizes and backgrounds, the style presets);
- ``engine.imaging``: bounded decode, inspect and encode of untrusted image bytes.

Everything else (faces, check, identity, fusion, portrait, stylize, idphoto...) is the classic
backend's inside. ``classic`` runs on a CPU with models that ship inside PyPI packages and
downloads nothing.
"""
from .errors import EngineError, ErrorCode

__all__ = ["EngineError", "ErrorCode"]
