"""Writing dexter's own files: atomically, private (0600), and under a lock when two TUIs share one.

Why one module: exports, Discover history and saved views each had their own temporary-file dance;
one writer means one place that gets fsync, permissions and clean-up right. `locked()` lets two
dexters on the same machine read-merge-write a shared file without losing each other's entries.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE = 0o600


def write_atomic(path: Path, text: str, *, mode: int = PRIVATE) -> Path:
    """Replace `path` with `text` in one step: a crash leaves the old file or the new, never half.

    The file is created with `mode` (0600 by default: queries and exports can name customers).
    """
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for `path` while reading and writing it.

    The lock is taken on the directory that holds it (flock; no lock file is left behind, and the
    file itself is replaced on every write, so it cannot carry the lock). Advisory: every dexter
    writer takes it, so a read-merge-write is never interleaved with another one.
    """
    folder = path.expanduser().parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
