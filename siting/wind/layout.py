"""Turbine layout: a regular grid of towers inside each wind site polygon.

Rows run crosswind, ``crosswind_spacing_d`` rotor diameters apart within a row and
``downwind_spacing_d`` diameters between rows along the prevailing wind direction (from the
site's wind rose). Every other row may be shifted by half a spacing (staggered). Several grid
offsets are tried and the one that fits the most towers inside the polygon wins (ties: the
first tried), so the layout depends only on the polygon, the direction and the spacing.

The site polygons already honour the setbacks (they are cut from the eligibility mask);
``boundary_margin_m`` can keep towers further inside. Towers are listed upwind row first, so
a capacity cap keeps the front rows, which lose least to wakes.

Rotated frame: ``v`` points towards the direction the wind comes from (upwind), ``u`` is
crosswind: ``u = x cos(t) - y sin(t)``, ``v = x sin(t) + y cos(t)`` for direction ``t``
(degrees clockwise from north; x east, y north).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.errors import ParameterError, describe

__all__ = ["cap_turbine_counts", "layout_sites", "to_rotated_frame", "turbine_positions"]

TURBINE_COLUMNS = ["site_id", "turbine_id", "model", "hub_height_m", "rated_kw", "geometry"]


def to_rotated_frame(x, y, direction_deg: float):
    """Crosswind ``u`` and upwind ``v`` coordinates (m) of points for a wind direction."""
    t = np.deg2rad(direction_deg)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x * np.cos(t) - y * np.sin(t), x * np.sin(t) + y * np.cos(t)


def _from_rotated_frame(u, v, direction_deg: float):
    t = np.deg2rad(direction_deg)
    return u * np.cos(t) + v * np.sin(t), -u * np.sin(t) + v * np.cos(t)


def turbine_positions(
    polygon,
    *,
    rotor_diameter_m: float,
    prevailing_direction_deg: float,
    crosswind_spacing_d: float = 4.0,
    downwind_spacing_d: float = 7.0,
    stagger: bool = True,
    boundary_margin_m: float = 0.0,
    offsets_per_axis: int = 5,
) -> np.ndarray:
    """Tower positions on a rotated, optionally staggered grid inside a polygon.

    Parameters
    ----------
    polygon : shapely Polygon or MultiPolygon
        The site, in a projected CRS in metres.
    rotor_diameter_m : float
        Rotor diameter D, m.
    prevailing_direction_deg : float
        Direction the rows face (wind from), degrees from north.
    crosswind_spacing_d, downwind_spacing_d : float
        Spacing within a row and between rows, in rotor diameters.
    stagger : bool
        Shift every other row by half the crosswind spacing.
    boundary_margin_m : float
        Minimum distance of a tower from the site boundary, m.
    offsets_per_axis : int
        Grid offsets tried along each axis (``offsets_per_axis ** 2`` layouts).

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` x, y in metres, upwind row first, each row from low to high ``u``.
    """
    if rotor_diameter_m <= 0 or crosswind_spacing_d <= 0 or downwind_spacing_d <= 0:
        raise ParameterError(
            describe(
                "wind_yield.layout",
                "rotor diameter and spacings must be positive",
                "give positive spacings in rotor diameters",
            )
        )
    area = polygon.buffer(-boundary_margin_m) if boundary_margin_m > 0 else polygon
    if area.is_empty:
        return np.empty((0, 2))
    shapely.prepare(area)
    dx = crosswind_spacing_d * rotor_diameter_m
    dy = downwind_spacing_d * rotor_diameter_m
    boundary = shapely.get_coordinates(area)
    u_all, v_all = to_rotated_frame(boundary[:, 0], boundary[:, 1], prevailing_direction_deg)
    u_min, u_max, v_min, v_max = u_all.min(), u_all.max(), v_all.min(), v_all.max()
    n_u = int(np.floor((u_max - u_min) / dx)) + 2
    n_v = int(np.floor((v_max - v_min) / dy)) + 1
    cols, rows = np.meshgrid(np.arange(n_u), np.arange(n_v))
    shift = np.where(stagger & (rows % 2 == 1), 0.5, 0.0)
    best = np.empty((0, 2))
    fractions = np.arange(offsets_per_axis) / offsets_per_axis
    for fu in fractions:
        for fv in fractions:
            u = u_min + (cols + shift + fu - 0.5) * dx
            v = v_min + (rows + fv) * dy
            x, y = _from_rotated_frame(u.ravel(), v.ravel(), prevailing_direction_deg)
            inside = shapely.contains_xy(area, x, y)
            if inside.sum() > len(best):
                best = np.column_stack([x[inside], y[inside]])
    if len(best) == 0:
        return best
    u, v = to_rotated_frame(best[:, 0], best[:, 1], prevailing_direction_deg)
    order = np.lexsort((np.round(u, 6), -np.round(v, 6)))
    return best[order]


def cap_turbine_counts(
    counts: pd.Series,
    rated_kw: float,
    *,
    max_turbines_per_site: int | None = None,
    max_capacity_mw_per_site: float | None = None,
    grid_connection_cap_mw: float | None = None,
    connection: pd.Series | None = None,
) -> pd.Series:
    """Turbines kept per site under per-site caps and a cap per grid connection point.

    Parameters
    ----------
    counts : pandas.Series
        Turbines that fit, by site, in priority order (best site first).
    rated_kw : float
        Rated power of one turbine, kW.
    max_turbines_per_site : int, optional
    max_capacity_mw_per_site : float, optional
    grid_connection_cap_mw : float, optional
        Total MW per connection point, filled in the order of ``counts``.
    connection : pandas.Series, optional
        Connection point of each site (same index); default: all sites share one.

    Returns
    -------
    pandas.Series
        Turbines kept per site (same index and order).
    """
    kept = counts.astype(int).copy()
    if max_turbines_per_site is not None:
        kept = kept.clip(upper=max_turbines_per_site)
    if max_capacity_mw_per_site is not None:
        kept = kept.clip(upper=int(np.floor(max_capacity_mw_per_site * 1e3 / rated_kw + 1e-9)))
    if grid_connection_cap_mw is not None:
        groups = connection if connection is not None else pd.Series("grid", index=kept.index)
        room = {
            g: int(np.floor(grid_connection_cap_mw * 1e3 / rated_kw + 1e-9)) for g in set(groups)
        }
        for site in kept.index:
            take = min(kept[site], room[groups[site]])
            kept[site] = take
            room[groups[site]] -= take
    return kept


def layout_sites(
    sites: gpd.GeoDataFrame,
    directions_deg: Mapping[str, float],
    *,
    model: str,
    rotor_diameter_m: float,
    rated_kw: float,
    hub_height_m: float,
    layout,
) -> gpd.GeoDataFrame:
    """Turbines of every site, after the caps.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        ``site_id`` and polygon geometry (projected CRS, metres); ranked by ``rank`` if
        present, else in row order; optional ``grid_connection`` column names each site's
        connection point.
    directions_deg : mapping of str to float
        Prevailing direction per ``site_id``.
    model : str
        Turbine model name.
    rotor_diameter_m, rated_kw, hub_height_m : float
        Turbine dimensions: m, kW, m.
    layout : siting.scenario.wind.LayoutSpec
        Spacing and caps.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id``, ``turbine_id`` (``<site_id>-T001`` ...), ``model``, ``hub_height_m``,
        ``rated_kw``, Point ``geometry`` in the sites' CRS.
    """
    ordered = sites.sort_values("rank") if "rank" in sites.columns else sites
    positions = {
        row.site_id: turbine_positions(
            row.geometry,
            rotor_diameter_m=rotor_diameter_m,
            prevailing_direction_deg=directions_deg[row.site_id],
            crosswind_spacing_d=layout.crosswind_spacing_d,
            downwind_spacing_d=layout.downwind_spacing_d,
            stagger=layout.stagger,
            boundary_margin_m=layout.boundary_margin_m,
            offsets_per_axis=layout.offsets_per_axis,
        )
        for row in ordered.itertuples()
    }
    counts = pd.Series({site: len(xy) for site, xy in positions.items()})
    connection = (
        ordered.set_index("site_id")["grid_connection"]
        if "grid_connection" in ordered.columns
        else None
    )
    kept = cap_turbine_counts(
        counts,
        rated_kw,
        max_turbines_per_site=layout.max_turbines_per_site,
        max_capacity_mw_per_site=layout.max_capacity_mw_per_site,
        grid_connection_cap_mw=layout.grid_connection_cap_mw,
        connection=connection,
    )
    frames = []
    for site, xy in positions.items():
        xy = xy[: kept[site]]
        frames.append(
            pd.DataFrame(
                {
                    "site_id": site,
                    "turbine_id": [f"{site}-T{i + 1:03d}" for i in range(len(xy))],
                    "x": xy[:, 0],
                    "y": xy[:, 1],
                }
            )
        )
    table = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["site_id", "turbine_id", "x", "y"])
    )
    table["model"] = model
    table["hub_height_m"] = float(hub_height_m)
    table["rated_kw"] = float(rated_kw)
    geometry = gpd.points_from_xy(table["x"].astype(float), table["y"].astype(float), crs=sites.crs)
    return gpd.GeoDataFrame(table.drop(columns=["x", "y"]), geometry=geometry)[TURBINE_COLUMNS]
