"""The install files agree with each other and with the package."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement_names(requirements):
    return {
        re.split(r"[<>=!~ \[]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def _conda_requirements():
    """Requirements of environment.yml: conda packages plus those of its pip section."""
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    listed = {d for d in conda if isinstance(d, str)}
    for item in conda:
        if isinstance(item, dict):
            listed |= {r.split("#")[0].strip() for r in item["pip"] if not r.startswith("-")}
    return listed - {"python>=3.11", "pip"}


def _pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return set(project["dependencies"]) | set(project["optional-dependencies"]["test"])


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _requirement_names(_conda_requirements()) == _requirement_names(
        _pyproject_requirements()
    )


def test_environment_yml_pins_match_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_console_script_points_at_the_cli():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["siting"] == "siting.cli:main"


def test_default_scenario_ships_inside_the_package():
    from siting.scenario.defaults import default_scenario_text

    assert "bbox_lonlat" in default_scenario_text()


def test_one_version_source():
    """pyproject reads the version from siting/__init__.py; the installed metadata agrees."""
    from importlib import metadata

    import siting

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "siting/__init__.py"
    assert metadata.version("siting") == siting.__version__


def test_python_dash_m_siting_and_py_typed():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "siting", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("siting ")
    assert (ROOT / "siting" / "py.typed").is_file()
