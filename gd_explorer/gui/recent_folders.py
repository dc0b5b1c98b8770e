"""The folders the app last wrote files to, kept in QSettings, so that a temp file left there
by a killed write is removed at the next start (core.fileio.clean_stale_temp_files)."""
import os

from PySide6.QtCore import QSettings

from ..core.fileio import clean_stale_temp_files

KEY = "files/recentFolders"
LIMIT = 8


def recent_folders(settings=None):
    value = (settings or QSettings()).value(KEY)
    if isinstance(value, str):  # an ini file gives a one-element list back as a string
        value = [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def remember_folder(path):
    """Note the folder a write to ``path`` creates its temp file in (links followed)."""
    try:
        folder = os.path.dirname(os.path.realpath(os.fspath(path)))
        folder.encode("utf-8")  # QSettings cannot keep names with undecodable bytes
        if not os.path.isdir(folder):
            return
    except (TypeError, ValueError, OSError):
        return
    settings = QSettings()
    known = recent_folders(settings)
    if known[:1] != [folder]:  # Qt rewrites (and fsyncs) the settings file on every change
        settings.setValue(KEY, ([folder] + [f for f in known if f != folder])[:LIMIT])


def clean_recent_folders():
    """At start: remove stale temp files of ours from the remembered folders."""
    return {folder: clean_stale_temp_files(folder) for folder in recent_folders()}
