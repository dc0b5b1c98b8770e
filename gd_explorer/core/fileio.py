"""Atomic file writes: a temp file in the same folder, then os.replace.

Temp files are named ``.tmp-gdx-<16 hex digits>.part``; one left behind by a killed process
is removed later by clean_stale_temp_files (nothing else ever matches that pattern).
"""
import contextlib
import os
import re
import secrets
import stat
import time

from .errors import InputError

TEMP_PREFIX, TEMP_SUFFIX = ".tmp-gdx-", ".part"
TEMP_NAME = re.compile(r"\.tmp-gdx-[0-9a-f]{16}\.part\Z")
STALE_SECONDS = 15 * 60  # a temp file being written is touched at every chunk


class Cancelled(InputError):
    """A write was cancelled by its caller; the target was left as it was."""


def atomic_write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` so that a failure never leaves a broken or missing file.

    Raises InputError with a readable message on any OS problem.
    """
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` atomically (see atomic_write_text)."""
    with atomic_file(path) as fh:
        fh.write(data)


def _target(path):
    """The real file to replace, after checking the name; raises InputError."""
    path = os.fspath(path)
    if "\x00" in path:
        raise InputError("the file name contains a NUL character")
    if not path:
        raise InputError("no file name given")
    if os.path.islink(path):
        path = os.path.realpath(path)  # write through a link, keep the link
    if os.path.exists(path) and not os.path.isdir(path) and not os.path.isfile(path):
        raise InputError(f"{path} is not a regular file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"the folder does not exist: {folder}")
    if os.path.isdir(path):
        raise InputError(f"{path} is a folder, not a file")
    return path, folder


def _create_temp(folder):
    """Open a new temp file of our own pattern in ``folder``: (fd, path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary file name")


@contextlib.contextmanager
def atomic_file(path):
    """``with atomic_file(path) as fh: fh.write(bytes)``: the data goes to a temp file in the
    target's folder, which is fsynced and moved over ``path`` when the block ends without an
    exception. On any exception the temp file is removed and ``path`` is untouched; an
    OSError becomes an InputError with a readable message.
    """
    path, folder = _target(path)
    clean_stale_temp_files(folder)
    tmp = None
    try:
        fd, tmp = _create_temp(folder)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(path):
            try:
                os.chmod(tmp, os.stat(path).st_mode & 0o777)
            except OSError:
                pass
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"could not write {path}: {reason}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def clean_stale_temp_files(folder, max_age=STALE_SECONDS, now=None):
    """Remove our own temp files in ``folder`` that are older than ``max_age`` seconds (left by
    a killed process). Only regular files (not links) named exactly like ours and owned by
    this user are removed. Returns the names removed; never raises."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except (OSError, TypeError, ValueError):
        return removed
    for entry in entries:
        if not TEMP_NAME.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if (not stat.S_ISREG(info.st_mode) or now - info.st_mtime < max_age
                    or (hasattr(os, "getuid") and info.st_uid != os.getuid())):
                continue
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue
    return removed
