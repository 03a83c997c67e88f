"""Writing a file so that a power cut or a yanked USB stick never leaves half of it under its name."""

from __future__ import annotations

import os
from pathlib import Path

from teamdesk.errors import Failed


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (Windows cannot open a folder: there the rename suffices)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path | str, data: bytes, *, mode: int = 0o644, error_key: str = "error.sync_write_failed") -> Path:
    """Write to a temporary name in the same folder, flush and fsync, then rename over ``path``.

    On failure nothing is left behind and ``Failed(error_key, file=, detail=)`` is raised.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_folder(path.parent)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise Failed(error_key, file=str(path), detail=exc.strerror or str(exc)) from exc
    return path
