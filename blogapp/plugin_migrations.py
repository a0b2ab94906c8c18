"""Each plugin's tables in a migration branch of its own.

The core's revisions are in ``migrations/versions`` (branch ``core``); a plugin package
ships its own in ``<package>/migrations/`` (branch labelled with its name, its first
revision ``depends_on`` the core revision that made the tables it points at). Alembic
reads them all as one graph with several heads; ``flask db upgrade`` and ``init-db``
upgrade to ``heads``.

Which plugin folders join the graph (``version_locations``): those of the loaded
plugins, so a site that blocks a plugin never gets its tables; and those of blocked
plugins whose revisions the database already records (it had the plugin once), because
Alembic must know every revision in ``alembic_version`` (their tables stay as they are).
"""

import os
import re
from pathlib import Path

import sqlalchemy as sa

_REVISION = re.compile(r"""^revision\s*=\s*["']([0-9A-Za-z_]+)["']""", re.MULTILINE)


def revision_ids(folder):
    """The revision ids of the revision files in ``folder``."""
    return {match.group(1) for path in Path(folder).glob("*.py")
            for match in _REVISION.finditer(path.read_text(encoding="utf-8"))}


def recorded_revisions(engine):
    """The revisions ``alembic_version`` records (none when the table or database is
    missing: the upgrade that follows reports what is wrong)."""
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return set()
            return set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except sa.exc.SQLAlchemyError:
        return set()


def version_locations(core_versions, migration_dirs, engine):
    """The folders Alembic reads revisions from: the core's, then the plugins' (see above)."""
    recorded = None
    folders = [Path(core_versions)]
    for name in sorted(migration_dirs):
        folder, loaded = migration_dirs[name]
        if not loaded:
            recorded = recorded_revisions(engine) if recorded is None else recorded
            if not revision_ids(folder) & recorded:
                continue
        folders.append(Path(folder))
    return folders


def configure(config):
    """Flask-Migrate ``configure`` callback: add the plugins' folders to ``config``."""
    from flask import current_app

    from .extensions import db

    core = Path(config.get_main_option("script_location")) / "versions"
    folders = version_locations(core, current_app.extensions["plugins"].migration_dirs,
                                db.engine)
    # The OS path separator, so folders with spaces in their names still work.
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    return config
