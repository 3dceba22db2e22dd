"""The species library: growth, root:shoot, carbon and survival parameters as data files.

Each species is a YAML file in ``siting/scenario/species/`` (shipped inside the package),
named after its key (``larix_sibirica.yaml``). Every parameter carries a ``source``; assumed
values carry ``estimate: true``; parameters with a range feed the Monte Carlo (see
:class:`siting.scenario.base.Uncertain`). :func:`load_species` reads and validates one,
:func:`known_species` lists them, :func:`load_species_file` reads a user's own file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError, field_validator, model_validator

from siting.errors import InputDataError, ParameterError, describe
from siting.scenario.base import Model, Uncertain

SPECIES_PACKAGE = "siting.scenario"
SPECIES_FOLDER = "species"


def _require_source(value: str) -> str:
    """Refuse a species parameter without a source."""
    if not value.strip():
        raise ValueError("every species parameter needs a source")
    return value


class Sourced(Model):
    """A literature value without a range: the number, where it comes from, and if assumed."""

    value: float
    source: str
    estimate: bool = False

    _source_given = field_validator("source")(_require_source)


class SourcedRange(Uncertain):
    """An :class:`~siting.scenario.base.Uncertain` whose ``source`` must be given."""

    _source_given = field_validator("source")(_require_source)


class GrowthParameters(Model):
    """Tier 1 numbers the Chapman–Richards biomass curve is calibrated to (t d.m./ha)."""

    agb_growth_t_dm_per_ha_per_year: SourcedRange
    calibration_years: Sourced
    agb_max_t_dm_per_ha: Sourced
    shape: Sourced

    @model_validator(mode="after")
    def _reachable(self) -> GrowthParameters:
        growth = self.agb_growth_t_dm_per_ha_per_year.value
        years = self.calibration_years.value
        cap = self.agb_max_t_dm_per_ha.value
        if growth <= 0 or years <= 0 or cap <= 0 or self.shape.value <= 0:
            raise ValueError("growth, calibration_years, agb_max and shape must be positive")
        if growth * years >= cap:
            raise ValueError(
                f"{years:g} years of growth at {growth:g} t/ha/yr ({growth * years:g} t/ha) reach "
                f"the maximum stock of {cap:g} t/ha: lower calibration_years below "
                f"{cap / growth:.4g}"
            )
        return self


class RootShoot(Model):
    """Below- to above-ground biomass ratio by above-ground stock class (IPCC Table 4.4)."""

    threshold_agb_t_dm_per_ha: Sourced
    below_threshold: SourcedRange
    above_threshold: SourcedRange


class Species(Model):
    """One species of the library (see ``siting/scenario/species/*.yaml``)."""

    name: str
    scientific_name: str
    common_name: str
    ipcc_category: str
    growth: GrowthParameters
    root_shoot: RootShoot
    carbon_fraction: SourcedRange
    wood_density_g_per_cm3: SourcedRange
    survival: SourcedRange
    rotation_years: Sourced
    maximum_age_years: Sourced

    @model_validator(mode="after")
    def _fractions(self) -> Species:
        for label, parameter in (
            ("carbon_fraction", self.carbon_fraction),
            ("survival", self.survival),
        ):
            low, high = parameter.bounds
            if parameter.distribution == "lognormal" or low <= 0 or high > 1:
                raise ValueError(f"{label} must lie in (0, 1] with a bounded distribution")
        return self


def species_folder():
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
    return _parse(entry.read_text("utf-8"), f"siting/scenario/species/{name}.yaml", name)


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
    return _parse(text, str(path), path.stem)


def _parse(text: str, where: str, key: str) -> Species:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputDataError(describe(where, f"is not valid YAML ({error})", "fix it")) from error
    if not isinstance(data, dict):
        raise InputDataError(
            describe(where, "is not a mapping of parameters", "see larix_sibirica.yaml")
        )
    try:
        species = Species.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in error.errors()
        )
        raise InputDataError(
            describe(where, f"invalid species parameters ({problems})", "correct those fields")
        ) from error
    if species.name != key:
        raise InputDataError(
            describe(
                where, f"its name {species.name!r} differs from the file name", f"name it {key!r}"
            )
        )
    return species
