"""Exclusion rules → eligibility mask, with the eligible area left after each rule.

Four kinds of rule, each declared in the scenario with its reason and source:

- ``buffer``: cells whose centre lies within ``buffer_m`` of a vector layer's features. The
  test is the exact Euclidean distance from the cell centre (see :mod:`siting.land.distance`), so
  buffers are true circles (or true offsets of lines and polygons) and features outside the
  AOI count.
- ``range``: cells of a raster outside ``[min, max]``.
- ``classes``: cells of a categorical raster in a list of classes (by value or name).
- ``polygon``: cells whose centre lies inside (``exclude``) or outside (``include``) a polygon
  layer.

A cell is eligible when it lies in the AOI and no rule excludes it; adding a rule therefore
never adds eligible area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dask
import geopandas as gpd
import pandas as pd
import xarray as xr

from siting.errors import ParameterError, describe
from siting.grid import Grid
from siting.land.classes import class_value
from siting.scenario.land import BufferRule, ClassRule, ExclusionRule, PolygonRule, RangeRule
from siting.scenario.model import distance_layer_name


@dataclass(frozen=True)
class Eligibility:
    """Result of applying exclusion rules.

    Attributes
    ----------
    eligible : xarray.DataArray
        True where a cell is in the AOI and no rule excludes it (bool, dims ``("y", "x")``).
    table : pandas.DataFrame
        One row per rule in order, with ``excluded_ha`` (area the rule excludes on its own,
        within the AOI) and ``eligible_ha_after`` (area still eligible after this rule and all
        before it); a first row ``aoi`` gives the AOI's own area.
    """

    eligible: xr.DataArray
    table: pd.DataFrame

    @property
    def eligible_ha(self) -> float:
        """Eligible area in hectares after every rule."""
        return float(self.table["eligible_ha_after"].iloc[-1])


def describe_rule(rule: ExclusionRule) -> str:
    """Short human description, e.g. ``settlements within 1000 m``."""
    if isinstance(rule, BufferRule):
        return f"{rule.layer} within {rule.buffer_m:g} m"
    if isinstance(rule, RangeRule):
        bounds = []
        if rule.min is not None:
            bounds.append(f"< {rule.min:g}")
        if rule.max is not None:
            bounds.append(f"> {rule.max:g}")
        return f"{rule.layer} " + " or ".join(bounds)
    if isinstance(rule, ClassRule):
        return f"{rule.layer} in [{', '.join(str(c) for c in rule.exclude)}]"
    return f"{'outside' if rule.mode == 'include' else 'inside'} {rule.layer}"


def excluded_by(
    rule: ExclusionRule,
    rasters: xr.Dataset,
    vectors: Mapping[str, gpd.GeoDataFrame],
    grid: Grid,
) -> xr.DataArray:
    """Cells a single rule excludes (True = excluded).

    Parameters
    ----------
    rule : ExclusionRule
        A validated rule from the scenario.
    rasters : xarray.Dataset
        Raster layers on the grid, including derived ones (``slope_deg``,
        ``dist_<layer>_m`` for buffer rules).
    vectors : mapping of str to geopandas.GeoDataFrame
        Vector layers in the grid CRS (for polygon rules).
    grid : Grid
        The analysis grid.
    """
    if isinstance(rule, BufferRule):
        distance = _raster(rasters, distance_layer_name(rule.layer))
        return distance <= rule.buffer_m
    if isinstance(rule, RangeRule):
        values = _raster(rasters, rule.layer)
        outside = xr.zeros_like(values, dtype=bool)
        if rule.min is not None:
            outside = outside | (values < rule.min)
        if rule.max is not None:
            outside = outside | (values > rule.max)
        return outside | values.isnull() if rule.nodata == "exclude" else outside
    if isinstance(rule, ClassRule):
        values = _raster(rasters, rule.layer)
        classes = [class_value(values, c) for c in rule.exclude]
        return values.isin(classes)
    if isinstance(rule, PolygonRule):
        inside = polygon_mask(vectors[rule.layer], grid)
        return ~inside if rule.mode == "include" else inside
    raise ParameterError(
        describe(str(rule), "unknown rule kind", "use buffer, range, classes or polygon")
    )


def polygon_mask(frame: gpd.GeoDataFrame, grid: Grid) -> xr.DataArray:
    """True for cells whose centre lies inside any polygon of ``frame`` (grid CRS)."""
    polygons = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])].geometry
    return grid.inside(polygons.values, name="inside")


def eligibility(
    rules: Sequence[ExclusionRule],
    rasters: xr.Dataset,
    vectors: Mapping[str, gpd.GeoDataFrame],
    grid: Grid,
) -> Eligibility:
    """Combine exclusion rules into an eligibility mask and an area table.

    Parameters
    ----------
    rules : sequence of ExclusionRule
        Rules applied in order.
    rasters, vectors, grid
        As for :func:`excluded_by`.

    Returns
    -------
    Eligibility
        The mask and the per-rule area table (hectares).
    """
    in_aoi = grid.aoi_mask()
    eligible = in_aoi.copy()
    excluded_alone, eligible_after = [], []
    for rule in rules:
        excluded = excluded_by(rule, rasters, vectors, grid)
        eligible = eligible & ~excluded
        excluded_alone.append((excluded & in_aoi).sum())
        eligible_after.append(eligible.sum())
    counts = dask.compute(in_aoi.sum(), excluded_alone, eligible_after)
    aoi_cells, alone, after = (
        _as_int(counts[0]),
        [_as_int(c) for c in counts[1]],
        [_as_int(c) for c in counts[2]],
    )
    cell_ha = grid.cell_area_ha
    rows = [
        {
            "rule": "aoi",
            "kind": "aoi",
            "layer": "",
            "excluded_ha": 0.0,
            "eligible_ha_after": aoi_cells * cell_ha,
            "reason": "",
            "source": "",
        }
    ]
    for rule, n_alone, n_after in zip(rules, alone, after, strict=True):
        rows.append(
            {
                "rule": describe_rule(rule),
                "kind": rule.kind,
                "layer": rule.layer,
                "excluded_ha": n_alone * cell_ha,
                "eligible_ha_after": n_after * cell_ha,
                "reason": rule.reason,
                "source": rule.source,
            }
        )
    mask = eligible.rename("eligible")
    mask.attrs = {"units": "", "description": "True = eligible"}
    return Eligibility(mask, pd.DataFrame(rows))


def _as_int(value) -> int:
    return int(value.values) if hasattr(value, "values") else int(value)


def _raster(rasters: xr.Dataset, name: str) -> xr.DataArray:
    if name not in rasters:
        raise ParameterError(
            describe(
                f"layer {name!r}",
                "is not among the rasters of this run",
                f"use one of {', '.join(sorted(rasters.data_vars))}",
            )
        )
    return rasters[name]
