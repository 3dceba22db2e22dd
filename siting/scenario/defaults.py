"""The embedded Mörön scenario as the one source of every scenario default.

The package ships one scenario file, ``siting/scenario/moron.yaml``. It is what
``siting init-config`` writes, what :func:`~siting.scenario.load.load_scenario` reads without a
path, and where every literature value and every Mörön choice is written down, each with its
source. The scenario sections whose values are such numbers derive from :class:`Section`: a
field missing from a section the user gives takes the value at the same place in the embedded
file, a field given is used as given. No Python copy of those values exists.

Without a ``data_dir``, layers are read from the Mörön data embedded with siting
(:func:`embedded_data_root`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import model_validator

from siting.errors import ConfigError
from siting.scenario.base import Model

#: File name of the embedded Mörön scenario inside the ``siting.scenario`` package.
DEFAULT_SCENARIO = "moron.yaml"


def default_scenario_text() -> str:
    """The embedded Mörön scenario as YAML text (what ``siting init-config`` writes)."""
    return resources.files("siting.scenario").joinpath(DEFAULT_SCENARIO).read_text("utf-8")


@cache
def _embedded_scenario() -> dict[str, Any]:
    """The embedded scenario as parsed YAML, read once (never handed out: it is shared)."""
    return yaml.safe_load(default_scenario_text())


def defaults_at(path: str) -> dict[str, Any]:
    """The mapping at a dotted path of the embedded scenario, e.g. ``"wind_yield.layout"``.

    Parameters
    ----------
    path : str
        Keys from the top of the scenario file, joined by dots.

    Returns
    -------
    dict
        A copy of the mapping there (changing it changes no default).

    Raises
    ------
    LookupError
        When the embedded scenario holds no mapping at ``path``.
    """
    node: Any = _embedded_scenario()
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            raise LookupError(f"the embedded {DEFAULT_SCENARIO} has no section {path!r}")
        node = node[key]
    if not isinstance(node, Mapping):
        raise LookupError(f"{path!r} of the embedded {DEFAULT_SCENARIO} is not a section")
    return copy.deepcopy(dict(node))


class Section(Model):
    """A scenario section whose missing fields take the embedded scenario's values.

    ``yaml_path`` is where the section sits in ``moron.yaml`` (e.g. ``"wind_yield.layout"``).
    Before validation, every field missing from the input takes the value at that path; a field
    given is kept as given (a given :class:`~siting.scenario.base.Uncertain` is not merged with
    the default's range, a given list or mapping of values is not merged with the default's).
    A nested section with a path of its own fills itself the same way. A section class used
    at several places (e.g. the settings of both Article 6 mechanisms) has no path: its parent
    fills it, when given as a mapping, from the parent's defaults.
    """

    yaml_path: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _fill_missing_from_the_embedded_scenario(cls, data: Any) -> Any:
        if cls.yaml_path is None:
            return data
        return fill_missing(cls, data, defaults_at(cls.yaml_path))


def fill_missing(section: type[Section], data: Any, defaults: Mapping[str, Any]) -> Any:
    """``data`` with the fields of ``section`` it lacks taken from ``defaults``.

    Parameters
    ----------
    section : type
        The :class:`Section` class ``data`` is validated as.
    data : Any
        The input: a mapping of fields (anything else is returned as it is, for pydantic to
        accept or refuse).
    defaults : mapping
        The section's values in the embedded scenario.

    Returns
    -------
    Any
        A new mapping: the given fields, then the missing ones from ``defaults``. Fields that
        are sections without a path of their own, given as mappings, are filled the same way
        from ``defaults``' value for them.
    """
    if not isinstance(data, Mapping):
        return data
    filled = dict(data)
    for name, field in section.model_fields.items():
        if name not in defaults:
            continue
        if name not in filled:
            filled[name] = defaults[name]
        elif _is_placeless_section(field.annotation) and isinstance(defaults[name], Mapping):
            filled[name] = fill_missing(field.annotation, filled[name], defaults[name])
    return filled


def _is_placeless_section(annotation: Any) -> bool:
    return (
        isinstance(annotation, type)
        and issubclass(annotation, Section)
        and annotation.yaml_path is None
    )


def embedded_data_root() -> Path:
    """Folder holding the embedded ``rasters/`` and ``vectors/`` (source tree or wheel).

    Returns
    -------
    pathlib.Path
        The repository root for a source checkout, or the copy installed inside the package.

    Raises
    ------
    ConfigError
        When neither location holds the embedded data.
    """
    package_dir = Path(__file__).resolve().parents[1]
    for root in (package_dir.parent, package_dir / "_embedded"):
        if (root / "rasters" / "moron").is_dir() and (root / "vectors" / "moron").is_dir():
            return root
    raise ConfigError(
        what="data_dir",
        problem="the embedded Mörön data (rasters/moron, vectors/moron) is not installed",
        fix="install siting from a source checkout (pip install -e .) or set data_dir "
        "in the scenario to a folder holding your layers",
    )
