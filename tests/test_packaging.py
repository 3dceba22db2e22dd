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


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = _requirement_names(project["dependencies"])
    pip_names |= _requirement_names(project["optional-dependencies"]["test"])
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_names = _requirement_names(d for d in conda if isinstance(d, str))
    conda_names -= {"python", "pip"}
    assert conda_names == pip_names


def test_environment_yml_pins_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_reqs = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_reqs = {d for d in conda if isinstance(d, str)} - {"python>=3.11", "pip"}
    assert conda_reqs == pip_reqs


def test_console_script_points_at_the_cli():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["siting"] == "siting.cli:main"


def test_default_scenario_ships_inside_the_package():
    from siting.config import default_scenario_text

    assert "bbox_lonlat" in default_scenario_text()
