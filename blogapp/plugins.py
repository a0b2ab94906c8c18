"""The plugin manager: finding plugins, blocking them, and calling their hooks.

Plugins are Python modules with ``@hookimpl`` functions (see ``hookspecs``). They come
from the bundled ``plugins/`` folder and from installed packages that declare an entry
point in the ``blogapp.plugins`` group. Config ``PLUGINS`` (``None`` = all found) picks
which to load, ``BLOCKED_PLUGINS`` blocks some by name. Each app builds its own manager
in ``create_app``: two apps in one process never share plugin registrations.
"""

import importlib
import importlib.metadata
import importlib.util
import logging
import pkgutil
from pathlib import Path

import pluggy
from markupsafe import Markup

from . import hookspecs, plugin_api

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "blogapp.plugins"
BUNDLED_PACKAGE = "plugins"
BUNDLED_DIR = Path(__file__).resolve().parent.parent / BUNDLED_PACKAGE


def discover_bundled():
    """``{name: module path}`` of the packages in the bundled ``plugins/`` folder."""
    return {
        info.name: f"{BUNDLED_PACKAGE}.{info.name}"
        for info in pkgutil.iter_modules([str(BUNDLED_DIR)])
        if not info.name.startswith("_")
    }


def discover_installed():
    """``{name: entry point}`` of installed plugins."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


class PluginManager(pluggy.PluginManager):
    def __init__(self):
        super().__init__("blogapp")
        self.add_hookspecs(hookspecs)
        self.sources = {}  # name -> "bundled" | "entry point"
        self.blog = None  # the app's plugin_api.Blog, handed to every hook
        # name -> (its migrations folder, loaded?) of every plugin found, blocked ones too
        self.migration_dirs = {}

    def loaded(self):
        """``{name: module}`` of the registered plugins (blocked names are left out)."""
        return {name: plugin for name, plugin in self.list_name_plugin() if plugin is not None}

    def describe(self):
        """Name, version, source and implemented hooks of each loaded plugin."""
        described = []
        for name, plugin in sorted(self.loaded().items()):
            hooks = sorted(caller.name for caller in self.get_hookcallers(plugin) or ())
            described.append({
                "name": name,
                "version": getattr(plugin, "__version__", None),
                "source": self.sources.get(name, "registered"),
                "hooks": hooks,
            })
        return described

    def notify(self, hook_name, **kwargs):
        """Call an "after" hook (the change is already committed) without letting one
        plugin's failure turn a saved change into an error page: failures are logged."""
        caller = getattr(self.hook, hook_name)
        kwargs.setdefault("blog", self.blog)
        for impl in reversed(caller.get_hookimpls()):
            try:
                impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            except Exception:  # noqa: BLE001 - reported, and the other plugins still run
                log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)

    def slot(self, name, context):
        """Join what every plugin renders into template slot ``name``."""
        parts = self.hook.render_slot(name=name, context=context, blog=self.blog)
        return Markup("\n").join(Markup(part) if isinstance(part, Markup) else part
                                 for part in reversed(parts) if part)


def load_plugins(app):
    """Build ``app``'s plugin manager from its PLUGINS / BLOCKED_PLUGINS settings."""
    pm = PluginManager()
    wanted = app.config.get("PLUGINS")
    blocked = set(app.config.get("BLOCKED_PLUGINS") or ())
    found = {name: ("bundled", path) for name, path in discover_bundled().items()}
    found.update({name: ("entry point", ep) for name, ep in discover_installed().items()})
    for name in sorted(found):
        source, where = found[name]
        if name in blocked or (wanted is not None and name not in wanted):
            pm.set_blocked(name)
            _note_migrations(pm, name, _package_dir(source, where), loaded=False)
            continue
        module = importlib.import_module(where) if source == "bundled" else where.load()
        pm.register(module, name=name)
        pm.sources[name] = source
        if getattr(module, "__path__", None):  # a package may ship migrations/
            _note_migrations(pm, name, Path(module.__file__).parent, loaded=True)
    missing = set(wanted or ()) - set(found)
    if missing:
        raise RuntimeError(f"PLUGINS names unknown plugins: {', '.join(sorted(missing))}")
    return pm


def _package_dir(source, where):
    """The folder of a plugin package without importing it (it is blocked), or None."""
    if source == "bundled":
        return BUNDLED_DIR / where.rpartition(".")[2]
    try:
        spec = importlib.util.find_spec(where.module)
    except (ImportError, ValueError):
        return None
    locations = spec and spec.submodule_search_locations
    return Path(next(iter(locations))) if locations else None


def _note_migrations(pm, name, package_dir, loaded):
    """A plugin's own Alembic revisions live in ``<package>/migrations/`` (its branch)."""
    if package_dir is not None and (package_dir / "migrations").is_dir():
        pm.migration_dirs[name] = (package_dir / "migrations", loaded)


def _as_list(results):
    items = []
    for result in results:
        items.extend(result if isinstance(result, (list, tuple)) else [result])
    return [item for item in items if item is not None]


def init_app(app):
    pm = load_plugins(app)
    app.extensions["plugins"] = pm
    blog = pm.blog = plugin_api.install(app, pm)
    # Hooks a plugin owns (the comment hooks): declared only while that plugin is loaded,
    # so with it blocked the others' implementations of them are simply never called.
    for specs in _as_list(pm.hook.plugin_hookspecs(blog=blog)):
        pm.add_hookspecs(specs)
    for defaults in pm.hook.plugin_config_defaults():
        for key, value in (defaults or {}).items():
            app.config.setdefault(key, value)
    pm.hook.init_app(app=app, blog=blog)
    for blueprint in _as_list(pm.hook.register_blueprints(app=app, blog=blog)):
        app.register_blueprint(blueprint)
    for command in _as_list(pm.hook.register_commands(blog=blog)):
        app.cli.add_command(command)
    search = app.extensions.get("search")
    if search is not None:
        search.add_synonyms(group for groups in pm.hook.search_synonyms(blog=blog)
                            for group in groups or ())
    app.jinja_env.globals["render_slot"] = lambda name, **context: pm.slot(name, context)
    return pm


def plugin_manager(app):
    return app.extensions["plugins"]
