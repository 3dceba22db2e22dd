"""The species models: growth, root:shoot, carbon and survival parameters, each with a source.

Growth and root:shoot come per FAO ecological zone (``zones``: ``boreal``,
``temperate_continental``, ...), as IPCC 2019 Refinement Vol. 4 Ch. 4 tabulates them;
:meth:`Species.stand` gives the species in one zone (a :class:`Stand`), which the growth and
carbon functions take.

Every parameter carries a ``source``; assumed values carry ``estimate: true``; parameters with a
range feed the Monte Carlo (see :class:`siting.scenario.base.Uncertain`).
:func:`species_from_mapping` validates the parameters of one species into a :class:`Species`.
The library of species files (``siting/scenario/species/*.yaml``) is read by
:mod:`siting.io.species`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError, field_validator, model_validator

from siting.errors import InputDataError
from siting.forest.zones import ZoneName
from siting.scenario.base import Model, Uncertain


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
    """Tier 1 numbers the Chapman–Richards biomass curve is calibrated to (t d.m./ha).

    The curve's shape comes from exactly one of ``age_at_90_percent_of_max_years`` (the age
    at which a published or Tier 1 age–biomass path holds 90 % of the maximum stock; the
    exponent follows) or ``shape`` (the exponent itself). See :mod:`siting.forest.growth`.
    """

    agb_growth_t_dm_per_ha_per_year: SourcedRange
    calibration_years: Sourced
    agb_max_t_dm_per_ha: Sourced
    age_at_90_percent_of_max_years: Sourced | None = None
    shape: Sourced | None = None

    @model_validator(mode="after")
    def _reachable(self) -> GrowthParameters:
        growth = self.agb_growth_t_dm_per_ha_per_year.value
        years = self.calibration_years.value
        cap = self.agb_max_t_dm_per_ha.value
        if growth <= 0 or years <= 0 or cap <= 0:
            raise ValueError("growth, calibration_years and agb_max must be positive")
        if (self.shape is None) == (self.age_at_90_percent_of_max_years is None):
            raise ValueError("give exactly one of age_at_90_percent_of_max_years and shape")
        if self.shape is not None and self.shape.value <= 0:
            raise ValueError("shape must be positive")
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


class ZoneParameters(Model):
    """A species' IPCC Tier 1 growth and root:shoot values in one ecological zone."""

    ipcc_category: str
    growth: GrowthParameters
    root_shoot: RootShoot


class _CommonParameters(Model):
    """The parameters of a species that do not depend on its ecological zone."""

    name: str
    scientific_name: str
    common_name: str
    carbon_fraction: SourcedRange
    wood_density_g_per_cm3: SourcedRange
    survival: SourcedRange
    rotation_years: Sourced
    maximum_age_years: Sourced
    planting_density_seedlings_per_ha: Sourced

    @model_validator(mode="after")
    def _fractions(self):
        for label, parameter in (
            ("carbon_fraction", self.carbon_fraction),
            ("survival", self.survival),
        ):
            low, high = parameter.bounds
            if parameter.distribution == "lognormal" or low <= 0 or high > 1:
                raise ValueError(f"{label} must lie in (0, 1] with a bounded distribution")
        if not self.planting_density_seedlings_per_ha.value > 0:
            raise ValueError("planting_density_seedlings_per_ha must be positive")
        return self


class Stand(_CommonParameters):
    """A species in one ecological zone: what the growth and carbon functions take."""

    zone: ZoneName
    ipcc_category: str
    growth: GrowthParameters
    root_shoot: RootShoot


class Species(_CommonParameters):
    """One species of the library (see ``siting/scenario/species/*.yaml``)."""

    zones: dict[ZoneName, ZoneParameters]

    @field_validator("zones")
    @classmethod
    def _some_zone(cls, value: dict) -> dict:
        if not value:
            raise ValueError("give the Tier 1 values of at least one ecological zone")
        return value

    def stand(self, zone: str) -> Stand:
        """The species with the growth and root:shoot values of ``zone``.

        Raises
        ------
        KeyError
            If the species file has no values for ``zone`` (see :meth:`grows_in`).
        """
        common = self.model_dump(exclude={"zones"})
        return Stand.model_validate({**common, "zone": zone, **self.zones[zone].model_dump()})

    def grows_in(self, zone: str) -> bool:
        """Whether the species file gives values for ``zone``."""
        return zone in self.zones


def species_from_mapping(data: object, source: str, key: str) -> Species:
    """Validate the parameters of one species.

    Parameters
    ----------
    data : object
        The parsed species file: a mapping of the :class:`Species` fields.
    source : str
        Where the parameters come from (a file path), named in every error.
    key : str
        The species key the parameters are filed under (the file name without ``.yaml``);
        the ``name`` field must equal it.

    Returns
    -------
    Species

    Raises
    ------
    InputDataError
        If ``data`` is not a mapping, a parameter is invalid, or the name differs from ``key``.
    """
    if not isinstance(data, Mapping):
        raise InputDataError(
            what=source, problem="is not a mapping of parameters", fix="see larix_sibirica.yaml"
        )
    try:
        species = Species.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in error.errors()
        )
        raise InputDataError(
            what=source,
            problem=f"invalid species parameters ({problems})",
            fix="correct those fields",
        ) from error
    if species.name != key:
        raise InputDataError(
            what=source,
            problem=f"its name {species.name!r} differs from the file name",
            fix=f"name it {key!r}",
        )
    return species
