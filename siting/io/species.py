"""The species library on disk: one YAML file per species, shipped inside the package.

Each species is a YAML file in ``siting/scenario/species/``, named after its key
(``larix_sibirica.yaml``). :func:`known_species` lists them, :func:`check_species_name` refuses a
name the library lacks, :func:`load_species` reads and validates one (with
:func:`siting.forest.species.species_from_mapping`), :func:`load_species_file` reads a user's own
file and :func:`load_species_library` the set a forest assessment plants.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from siting.errors import InputDataError, ParameterError, describe
from siting.forest.species import Species, species_from_mapping

#: Package and folder of the shipped species files.
SPECIES_PACKAGE = "siting.scenario"
SPECIES_FOLDER = "species"


def species_folder() -> Traversable:
    """The folder of the shipped species files (an importlib ``Traversable``)."""
    return resources.files(SPECIES_PACKAGE).joinpath(SPECIES_FOLDER)


@cache
def known_species() -> tuple[str, ...]:
    """Keys of the shipped species, sorted (file names without ``.yaml``)."""
    return tuple(
        sorted(
            f.name[: -len(".yaml")] for f in species_folder().iterdir() if f.name.endswith(".yaml")
        )
    )


def check_species_name(name: str) -> str:
    """Return ``name`` if the library has it; otherwise raise, listing the known species.

    Raises
    ------
    ParameterError
        If no ``siting/scenario/species/<name>.yaml`` exists.
    """
    if name not in known_species():
        raise ParameterError(
            describe(
                f"species {name!r}",
                "not in the species library",
                f"use one of {', '.join(known_species())}, "
                f"or add siting/scenario/species/{name}.yaml",
            )
        )
    return name


@cache
def load_species(name: str) -> Species:
    """The validated parameters of a shipped species.

    Parameters
    ----------
    name : str
        Species key, e.g. ``"larix_sibirica"`` (see :func:`known_species`).

    Raises
    ------
    ParameterError
        If the species is unknown (the message lists the known ones).
    InputDataError
        If its file is invalid.
    """
    check_species_name(name)
    entry = species_folder().joinpath(f"{name}.yaml")
    source = f"siting/scenario/species/{name}.yaml"
    return species_from_mapping(_parse_yaml(entry.read_text("utf-8"), source), source, name)


def load_species_file(path: str | Path) -> Species:
    """Read and validate a species file of the library's format from anywhere on disk.

    Raises
    ------
    InputDataError
        If the file is missing, not YAML, or a parameter is invalid.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as error:
        raise InputDataError(
            describe(str(path), f"cannot be read ({error.strerror})", "check the path")
        ) from error
    return species_from_mapping(_parse_yaml(text, str(path)), str(path), path.stem)


def load_species_library(names: Iterable[str]) -> dict[str, Species]:
    """The shipped species of the given names, by name (e.g. those a forest assessment plants).

    Parameters
    ----------
    names : iterable of str
        Species keys (see :func:`siting.forest.sequestration.species_needed`).

    Returns
    -------
    dict of str to Species
    """
    return {name: load_species(name) for name in names}


def _parse_yaml(text: str, source: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputDataError(describe(source, f"is not valid YAML ({error})", "fix it")) from error
