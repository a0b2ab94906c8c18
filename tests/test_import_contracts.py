"""The import contracts of setup.cfg (import-linter): kept by the tree, and really checked
(a deliberate violation in a copy of the tree breaks them)."""

import configparser
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.db_agnostic

ROOT = Path(__file__).resolve().parent.parent
VIOLATION = Path(__file__).resolve().parent / "fixtures" / "import_violations"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd):
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(cwd / "setup.cfg"),
                           "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_plugins_may_import_every_core_module_but_the_plugin_api():
    """A new core module is forbidden to plugins as soon as it exists."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    forbidden = set(config["importlinter:contract:plugins-only-plugin-api"]
                    ["forbidden_modules"].split())
    core = {f"blogapp.{info.name}" for info in pkgutil.iter_modules([str(ROOT / "blogapp")])}
    assert forbidden == core - {"blogapp.plugin_api"}


def test_the_tree_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_deliberate_violation_breaks_the_contracts(tmp_path):
    def python_only(folder, names):  # the import graph needs the .py files, nothing else
        return [name for name in names if name == "__pycache__"
                or not (name.endswith(".py") or Path(folder, name).is_dir())]

    for package in ("blogapp", "plugins"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=python_only)
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    shutil.copy(VIOLATION / "plugin_reaches_in.py", tmp_path / "plugins" / "notify")
    result = _lint(tmp_path)
    assert result.returncode != 0
    out = result.stdout
    assert "plugins import from blogapp only blogapp.plugin_api BROKEN" in out
    assert "plugins are independent of each other BROKEN" in out
    assert "blogapp never imports plugins KEPT" in out
    assert "plugins.notify.plugin_reaches_in -> blogapp.models" in out
