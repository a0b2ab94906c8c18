"""Where uploaded media files live, behind one small interface.

The rest of the app only calls ``save``, ``open``, ``delete`` and ``exists`` with a file
name (content-hashed, so a name always means the same bytes). ``LocalStorage`` keeps them
in ``instance/media/`` (or ``MEDIA_DIR``), which is right for one node; several web
nodes need one shared store (docs/scaling.md): a network filesystem mounted at
``MEDIA_DIR`` works as it is, and an object store (S3 and the like) is another class with
these four methods, named by ``MEDIA_STORAGE``.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from werkzeug.utils import import_string

# What a stored name may look like (``media.validation.stored_name``); anything else is
# refused before it reaches a path, so no name can leave the media folder.
NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|gif)$")


class MediaStorage(Protocol):
    def save(self, name: str, data: bytes) -> None:
        """Store ``data`` as ``name`` (atomically: readers never see half a file)."""

    def open(self, name: str) -> BinaryIO:
        """A binary file object of ``name``; FileNotFoundError when there is none."""

    def delete(self, name: str) -> None:
        """Remove ``name``; nothing happens when it is already gone."""

    def exists(self, name: str) -> bool:
        """Whether ``name`` is stored."""


def checked(name):
    if not NAME.match(name or ""):
        raise FileNotFoundError(name)
    return name


class LocalStorage:
    """Files in one directory of the local filesystem."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def _path(self, name):
        return self.directory / checked(name)

    def save(self, name, data):
        path = self._path(name)
        self.directory.mkdir(parents=True, exist_ok=True)
        # Write beside it and rename: a reader (another worker) sees all of it or nothing.
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, name):
        return open(self._path(name), "rb")

    def delete(self, name):
        self._path(name).unlink(missing_ok=True)

    def exists(self, name):
        return NAME.match(name or "") is not None and self._path(name).is_file()


def storage_for(app):
    """The app's storage: ``MEDIA_STORAGE`` (an import path of a class taking the app) or
    ``LocalStorage`` in ``MEDIA_DIR`` (default ``instance/media``)."""
    if "media_storage" not in app.extensions:
        custom = app.config.get("MEDIA_STORAGE")
        if custom:
            app.extensions["media_storage"] = import_string(custom)(app)
        else:
            directory = app.config.get("MEDIA_DIR") or os.path.join(app.instance_path, "media")
            app.extensions["media_storage"] = LocalStorage(directory)
    return app.extensions["media_storage"]
