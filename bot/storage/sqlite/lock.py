"""SQLite's instance lock: one bot per database file (flock on the file itself)."""

from __future__ import annotations

import fcntl
import os

from ..values import StorageError


class InstanceLock:
    """An exclusive lock on the database file itself, held while a bot runs on it.

    The lock is taken on the file the path resolves to (symlinks and `..` followed), with
    flock on a descriptor of that file, so another spelling of the path, a symlink, or deleting
    a file beside it cannot let a second bot in. (flock locks are apart from SQLite's own POSIX
    record locks; the descriptor stays open until the database is closed.) `<database>.lock`
    beside the file only tells whom a refusal names. The operating system drops the lock when
    the process ends, even by SIGKILL, so a crash never leaves a stale lock behind. Scale-out on
    a shared database needs PostgreSQL (later).
    """

    def __init__(self, fd: int, path: str, given: str = ""):
        self._fd: int | None = fd
        self.path = path  # the database file locked (resolved)
        self.given = given or path  # the path as configured (named in messages)
        self._where = os.path.abspath(self.given)  # what it names, whatever the working directory becomes

    @classmethod
    def take(cls, database: str) -> InstanceLock:
        path = os.path.realpath(database)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _read_small(f"{path}.lock")
            who = f" (process {holder})" if holder.isdigit() else ""
            raise StorageError(f"{database}: another dramabot is already running on this database{who}") from None
        try:
            with open(f"{path}.lock", "w", encoding="ascii") as note:
                note.write(str(os.getpid()))
        except OSError:
            pass  # only the refusal's detail
        return cls(fd, path, database)

    def problem(self) -> str | None:
        """Why the configured path no longer leads to the file this lock holds open (None: it
        does). Two system calls, no I/O beyond the inode: cheap enough to ask every few seconds."""
        if self._fd is None:
            return None
        held = os.fstat(self._fd)
        try:
            now = os.stat(self._where)
        except FileNotFoundError:
            return f"the database file {self.given} was deleted"
        except OSError as exc:
            return f"the database file {self.given} cannot be reached ({exc.strerror})"
        if (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
            return f"the database file {self.given} was replaced (the path leads to another file now)"
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_small(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as file:
            return file.read(32).strip()
    except OSError:
        return ""
