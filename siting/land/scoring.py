"""Suitability of one land use: the scenario's criteria and weights applied to the layers.

This module joins the scenario (criteria, membership functions, weights or AHP judgements) to
the general MCDA functions of :mod:`siting.land.membership`, :mod:`siting.land.ahp` and
:mod:`siting.land.overlay`.
"""

from __future__ import annotations

from dataclasses import dataclass

import xarray as xr

from siting.errors import ConfigError, ParameterError
from siting.land.ahp import AHPResult
from siting.land.classes import class_value
from siting.land.membership import membership
from siting.land.overlay import weighted_overlay
from siting.scenario.land import CategoricalMembership, Criterion, UseSpec


@dataclass(frozen=True)
class Suitability:
    """Suitability of one land use.

    Attributes
    ----------
    score : xarray.DataArray
        Weighted suitability in 0..1 (NaN where a criterion has no data).
    criteria : xarray.Dataset
        Each criterion's own 0..1 score.
    weights : dict of str to float
        Weight of each criterion (sums to 1).
    ahp : AHPResult or None
        The AHP result when weights came from pairwise judgements.
    """

    score: xr.DataArray
    criteria: xr.Dataset
    weights: dict[str, float]
    ahp: AHPResult | None = None


def use_weights(use: UseSpec) -> tuple[dict[str, float], AHPResult | None]:
    """Criterion weights of a land use: given directly, or derived by AHP.

    Parameters
    ----------
    use : UseSpec
        The land use's scenario section (validated, so an AHP matrix is consistent).

    Returns
    -------
    tuple
        The weights, and the AHP result (or None).
    """
    if use.weights is not None:
        return dict(use.weights), None
    result = use.ahp_result()
    return dict(result.weights), result


def criterion_score(criterion: Criterion, layers: xr.Dataset) -> xr.DataArray:
    """A criterion's layer mapped to 0..1 by its membership function."""
    values = layers[criterion.layer]
    spec = criterion.membership
    params = spec.model_dump(exclude={"kind"})
    if isinstance(spec, CategoricalMembership):
        params["scores"] = {class_value(values, cls): score for cls, score in spec.scores.items()}
        nodata = values.attrs.get("nodata")
        if nodata is not None:
            values = values.where(values != nodata)
    return membership(values, spec.kind, **params)


def suitability(use: UseSpec, layers: xr.Dataset, field: str) -> Suitability:
    """Weighted suitability of a land use over the grid.

    Parameters
    ----------
    use : UseSpec
        The land use's scenario section (criteria, weights or AHP).
    layers : xarray.Dataset
        Input and derived rasters on the grid.
    field : str
        The use's name in the scenario (``"reforestation"`` or ``"wind"``).

    Returns
    -------
    Suitability
    """
    weights, ahp = use_weights(use)
    scores = {}
    for name, criterion in use.criteria.items():
        try:
            scores[name] = criterion_score(criterion, layers).rename(name)
        except ParameterError as err:
            raise ConfigError(f"{field}.criteria.{name}.membership: {err}") from None
    score = weighted_overlay(scores, weights).rename(f"suitability_{field}")
    score.attrs.update(units="1", description=f"weighted suitability for {field}, 0..1")
    return Suitability(score, xr.Dataset(scores), weights, ahp)
