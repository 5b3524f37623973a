"""Downloads of a customer's portraits: one file, or a ZIP streamed as it is written."""
from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable, Iterator

from django.core.files.storage import default_storage

from studio.portraits.models import Portrait

CHUNK = 256 * 1024


class _Pipe:
    """A write-only, unseekable file: zipfile then writes data descriptors, and we hand on the bytes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def portrait_filename(portrait: Portrait) -> str:
    suffix = posixpath.splitext(portrait.image.name)[1] or ".jpg"
    return f"portrait-{portrait.id}{suffix}"


def portraits_zip_stream(portraits: Iterable[Portrait]) -> Iterator[bytes]:
    """The ZIP of these portraits' stored files (JPEGs: stored, not deflated), chunk by chunk."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for portrait in portraits:
            if not default_storage.exists(portrait.image.name):
                continue
            with default_storage.open(portrait.image.name, "rb") as source, \
                    archive.open(portrait_filename(portrait), "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()
