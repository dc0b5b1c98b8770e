"""Atomic file writes: a temp file in the same folder, then os.replace."""
import os
import tempfile

from .errors import InputError


def atomic_write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` so that a failure never leaves a broken or missing file.

    Raises InputError with a readable message on any OS problem.
    """
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` atomically (see atomic_write_text)."""
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
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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
