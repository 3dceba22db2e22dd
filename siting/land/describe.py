"""What a planner reads about each candidate site: zonal statistics, place names, shared land.

Each function takes candidate sites (a GeoDataFrame in the analysis CRS) and returns a new
table or column; nothing is changed in place.
"""

from __future__ import annotations

from collections.abc import Mapping

import dask
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr

from siting.land import regions
from siting.land.sites import rank_sites, zonal_statistics

#: Columns that rank stability under perturbed weights adds (see
#: :func:`siting.land.sensitivity.rank_stability`).
RANK_STABILITY_COLUMNS = ("mean_rank", "rank_p05", "rank_p95", "p_same_rank", "p_top_quartile")

#: Vector layers whose distance from each site is reported, and the column it goes in (km).
DISTANCE_COLUMNS = {"grid_connection": "grid_distance_km", "roads": "road_distance_km"}

SQUARE_METRES_PER_HECTARE = 10_000.0


def describe_sites(
    frame: gpd.GeoDataFrame,
    score: xr.DataArray,
    rasters: xr.Dataset,
    vectors: Mapping[str, gpd.GeoDataFrame],
) -> gpd.GeoDataFrame:
    """Candidate sites with the attributes a planner reads, ranked by mean suitability.

    Exact zonal statistics (suitability mean/max, elevation, slope), the distance from each
    site to the grid connection point (and roads, when given), the nearest settlement, and the
    soum holding the site's representative point.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Candidate sites in the analysis CRS (metres).
    score : xarray.DataArray
        Suitability 0–1 on the grid.
    rasters : xarray.Dataset
        The run's rasters; ``elevation`` (m) and ``slope_deg`` are read.
    vectors : mapping of str to geopandas.GeoDataFrame
        Vector layers in the analysis CRS; ``grid_connection``, ``roads``, ``settlements``
        (with ``name``) and ``soums`` (with ``shapeName``) are used when present.

    Returns
    -------
    geopandas.GeoDataFrame
        A new table: the sites with ``score_mean``, ``score_max``, ``elevation_m_mean``,
        ``slope_deg_mean``, ``slope_deg_max``, the distance columns (km), ``nearest_settlement``,
        ``settlement_distance_km`` and ``soum``, ranked by ``score_mean``.
    """
    if frame.empty:
        return frame.copy()
    zonal = zonal_statistics(
        frame,
        {"score": score, "elevation_m": rasters["elevation"], "slope_deg": rasters["slope_deg"]},
        {"score": ["mean", "max"], "elevation_m": ["mean"], "slope_deg": ["mean", "max"]},
    )
    frame = frame.join(zonal.set_index(frame.index))
    for layer, column in DISTANCE_COLUMNS.items():
        if _has(vectors, layer):
            frame[column] = distance_km(frame, vectors[layer])
    if _has(vectors, "settlements"):
        frame = frame.join(nearest_settlement(frame, vectors["settlements"]))
    if _has(vectors, "soums"):
        frame["soum"] = soum_names(frame, vectors["soums"])
    return rank_sites(frame, by="score_mean")


def _has(vectors: Mapping[str, gpd.GeoDataFrame], layer: str) -> bool:
    return layer in vectors and not vectors[layer].empty


def distance_km(frame: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> pd.Series:
    """Exact distance (km) from each site's boundary to the nearest of ``features``."""
    target = shapely.union_all(features.geometry.values)
    return frame.geometry.distance(target) / 1000.0


def nearest_settlement(frame: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame) -> pd.DataFrame:
    """Name of and exact distance (km) from each site to its nearest settlement.

    Returns
    -------
    pandas.DataFrame
        ``nearest_settlement`` and ``settlement_distance_km``, on the index of ``frame``.
    """
    nearest = gpd.sjoin_nearest(
        frame[[frame.geometry.name]], settlements[["name", "geometry"]], distance_col="metres"
    )
    nearest = nearest[~nearest.index.duplicated(keep="first")]
    return pd.DataFrame(
        {
            "nearest_settlement": nearest["name"],
            "settlement_distance_km": nearest["metres"] / 1000.0,
        },
        index=nearest.index,
    )


def soum_names(frame: gpd.GeoDataFrame, soums: gpd.GeoDataFrame) -> list[str]:
    """Name of the soum (district) holding each site's representative point ("" if none)."""
    points = gpd.GeoDataFrame(geometry=frame.geometry.representative_point(), crs=frame.crs)
    joined = gpd.sjoin(points, soums[["shapeName", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["shapeName"].fillna("").tolist()


def with_rank_stability(frame: gpd.GeoDataFrame, stability: pd.DataFrame) -> gpd.GeoDataFrame:
    """The sites with how stable each one's rank is under perturbed weights.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Candidate sites with their raster ``label``.
    stability : pandas.DataFrame
        One row per ``site_label`` (see :func:`siting.land.sensitivity.rank_stability`).

    Returns
    -------
    geopandas.GeoDataFrame
        A new table with ``mean_rank``, ``rank_p05``, ``rank_p95``, ``p_same_rank`` (share of
        draws in which the site keeps its rank) and ``p_top_quartile``.
    """
    columns = list(RANK_STABILITY_COLUMNS)
    return frame.join(stability.set_index("site_label")[columns], on="label")


def competing_use_overlaps(
    sites_by_use: Mapping[str, gpd.GeoDataFrame],
) -> dict[str, gpd.GeoDataFrame]:
    """Each use's sites with the hectares they share with every other use's sites.

    The uses are scored independently, so the same land can be a candidate for both;
    ``overlap_<other use>_ha`` tells the planner where a choice must be made (exact polygon
    intersection areas, so the sites must be in a CRS in metres).

    Parameters
    ----------
    sites_by_use : mapping of str to geopandas.GeoDataFrame
        Candidate sites per land use.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        New tables; a use without sites is returned as it was.
    """
    out = {}
    for name, sites in sites_by_use.items():
        sites = sites.copy()
        for other_name, others in sites_by_use.items():
            if other_name == name or sites.empty:
                continue
            column = f"overlap_{other_name}_ha"
            if others.empty:
                sites[column] = 0.0
                continue
            shared = sites.geometry.intersection(shapely.union_all(others.geometry.values))
            sites[column] = shared.area / SQUARE_METRES_PER_HECTARE
        out[name] = sites
    return out


def majority_class(
    sites: gpd.GeoDataFrame, labels: xr.DataArray, layer: xr.DataArray
) -> dict[str, int]:
    """Most frequent class of a categorical layer over each site's cells.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites with ``site_id`` and their raster ``label``.
    labels : xarray.DataArray
        Site labels on the grid (0 outside sites).
    layer : xarray.DataArray
        A categorical raster on the same grid; its ``attrs["nodata"]`` cells are ignored.

    Returns
    -------
    dict of str to int
        ``site_id`` -> class value; -1 for a site with no valid cell.
    """
    wanted = np.asarray(sites["label"], dtype=np.int64)
    label_cells = regions.as_tiles(labels)
    class_cells = regions.as_tiles(layer).rechunk(label_cells.chunks)
    nodata = layer.attrs.get("nodata")
    # Counted tile by tile (memory follows the chunks) and summed per (label, class).
    counted = dask.compute(
        *[
            dask.delayed(_class_counts)(lab, val, wanted, nodata)
            for lab, val in zip(
                label_cells.to_delayed().ravel(), class_cells.to_delayed().ravel(), strict=True
            )
        ]
    )
    counts = pd.concat(counted).groupby(["label", "value"], as_index=False)["n"].sum()
    # The most frequent class; a tie goes to the smallest class value.
    counts = counts.sort_values(["label", "n", "value"], ascending=[True, False, True])
    majority = counts.drop_duplicates("label").set_index("label")["value"]
    return {
        str(site_id): int(majority.get(label, -1))
        for site_id, label in zip(sites["site_id"], sites["label"], strict=True)
    }


def _class_counts(labels: np.ndarray, values: np.ndarray, wanted: np.ndarray, nodata):
    """Cells per (site label, class value) in one tile."""
    ok = np.isin(labels, wanted)
    if nodata is not None:
        ok &= values != nodata
    if not ok.any():
        return pd.DataFrame({"label": [], "value": [], "n": []}, dtype=np.int64)
    pairs = np.stack([labels[ok].astype(np.int64), values[ok].astype(np.int64)])
    (label, value), n = np.unique(pairs, axis=1, return_counts=True)
    return pd.DataFrame({"label": label, "value": value, "n": n.astype(np.int64)})
