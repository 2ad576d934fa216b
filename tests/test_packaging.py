"""`pip install .` (not editable) gives the whole library: every subpackage and the data it reads.

The wheel is built offline from a copy of the sources in a temporary folder (no build isolation, which
would download setuptools; nothing is written into the repository), listed, installed into a --target
folder, and imported in a fresh interpreter that sees that folder and not the repository.

The model table has one hand-maintained copy, data/models.csv (the file learners open). The package
reads it as package data, bigmodel_lib/tables/models.csv, which in the repository is a symbolic link to
it; building the wheel copies the file's content in.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bigmodel_lib"
TABLE_LINK = PACKAGE / "tables" / "models.csv"
TABLE = ROOT / "data" / "models.csv"


def _subpackages() -> set[str]:
    """Every folder of bigmodel_lib with an __init__.py, as an import name."""
    return {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")
            if "__pycache__" not in p.parts}


def test_package_table_is_the_learners_table():
    """One copy by hand: the package's table is a link to data/models.csv, not a second file to keep in step."""
    assert TABLE_LINK.is_symlink(), f"{TABLE_LINK.relative_to(ROOT)} must be a symbolic link to data/models.csv"
    assert TABLE_LINK.resolve() == TABLE.resolve()


def test_models_table_reads_package_data():
    from bigmodel_lib import models_table
    df = models_table.load()
    assert len(df) > 10 and "BERT-large" in set(df["name"])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if importlib.util.find_spec("setuptools") is None:
        pytest.fail("setuptools is needed to build the wheel (pip installs it with the venv)")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(PACKAGE, src / "bigmodel_lib", symlinks=True, ignore=ignore)   # keep the table's link
    shutil.copytree(ROOT / "data", src / "data", ignore=ignore)
    out = tmp / "dist"
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                        "-q", ".", "-w", str(out)], cwd=src, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"pip wheel failed:\n{r.stdout}\n{r.stderr}"
    wheels = list(out.glob("bigmodel_lib-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {wheels}"
    return wheels[0]


def test_wheel_holds_every_subpackage_and_the_table(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    want_inits = {f"{pkg.replace('.', '/')}/__init__.py" for pkg in _subpackages()}
    assert want_inits <= names, f"wheel lacks subpackages: {sorted(want_inits - names)}"
    modules = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    assert modules <= names, f"wheel lacks modules: {sorted(modules - names)}"
    assert "bigmodel_lib/tables/models.csv" in names, f"wheel lacks the model table; it holds {sorted(names)}"
    assert zipfile.ZipFile(wheel).read("bigmodel_lib/tables/models.csv") == TABLE.read_bytes(), \
        "the wheel's table differs from data/models.csv"


def test_installed_wheel_imports_checkers_and_loads_the_table(wheel, tmp_path):
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target",
                        str(target), str(wheel)], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"))
    assert r.returncode == 0, f"pip install --target failed:\n{r.stdout}\n{r.stderr}"
    code = (
        "import sys\n"
        "# the venv's editable install of the repository must not fill in what the wheel lacks\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
        "import bigmodel_lib, bigmodel_lib.exercises.ch03 as ch03, bigmodel_lib.diagrams as diagrams\n"
        "from bigmodel_lib import models_table\n"
        "print(bigmodel_lib.__file__, ch03.__file__, diagrams.__file__)\n"
        "df = models_table.load()\n"
        "print(len(df), ch03.exercise_1(None).attempted)\n"
    )
    # the installed copy, never the repository (plus the test run's no-network guard, when it is on the path)
    guard = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p.endswith("_netguard")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(target), *guard]))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, f"the installed package does not work:\n{r.stdout}\n{r.stderr}"
    locations, counts = r.stdout.split("\n")[:2]
    for location in locations.split():
        assert Path(location).resolve().is_relative_to(target.resolve()), f"imported {location}, not the wheel"
    assert int(counts.split()[0]) > 10 and counts.split()[1] == "False"
