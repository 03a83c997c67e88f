"""Writing a file so that a power cut or a yanked USB stick never leaves half of it under its name."""

from __future__ import annotations

import os
from pathlib import Path

from teamdesk.errors import Failed


def write_atomic(path: Path | str, data: bytes, *, mode: int = 0o644) -> Path:
    """Write to a temporary name in the same folder, flush and fsync, then rename over ``path``."""
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
        try:  # the rename itself is durable once the folder is synced (not possible on Windows)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise Failed("error.sync_write_failed", file=str(path), detail=exc.strerror or str(exc)) from exc
    return path
