"""Input layers of a scenario on its analysis grid.

:func:`load_layers` gives every raster layer aligned onto the grid as one lazy, dask-backed
``xarray.Dataset``; :func:`load_vectors` gives the vector layers as GeoDataFrames in the grid
CRS, including features up to ``layers.vector_margin_m`` outside the AOI.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor used below)
import shapely
import xarray as xr
from rasterio.errors import RasterioError

from siting import io
from siting.errors import InputDataError, describe
from siting.grid import Grid, grid_for_aoi
from siting.scenario.model import Scenario


def scenario_grid(scenario: Scenario) -> Grid:
    """The analysis grid of a scenario (its AOI, CRS and cell size)."""
    if scenario.aoi.bbox_lonlat is not None:
        aoi = shapely.box(*scenario.aoi.bbox_lonlat)
    else:
        aoi = io.read_aoi_polygon(scenario.resolve(scenario.aoi.polygon), scenario.aoi.layer)
    return grid_for_aoi(
        aoi,
        scenario.grid.cell_size_m,
        crs=scenario.grid.crs,
        chunk_cells=scenario.grid.chunk_cells,
    )


def load_layers(scenario: Scenario, grid: Grid | None = None) -> xr.Dataset:
    """Every raster layer of the scenario, aligned onto its grid.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`siting.load_scenario`).
    grid : Grid, optional
        Grid to align onto; by default the scenario's own.

    Returns
    -------
    xarray.Dataset
        One dask-backed variable per raster layer, dims ``("y", "x")``, with the grid CRS.
        Continuous layers are float32 with NaN for nodata; categorical ones keep their classes.

    Examples
    --------
    >>> import siting
    >>> layers = siting.load_layers(siting.load_scenario())
    >>> layers.rio.crs.to_epsg()
    32647
    """
    grid = grid or scenario_grid(scenario)
    arrays = {
        name: io.open_raster_on_grid(
            scenario.resolve(spec.path),
            grid,
            kind=spec.kind,
            band=spec.band,
            name=name,
            units=spec.units,
        )
        for name, spec in scenario.layers.rasters.items()
    }
    for name, spec in scenario.layers.rasters.items():
        if spec.classes:
            arrays[name].attrs["classes"] = {int(k): v for k, v in spec.classes.items()}
        arrays[name].attrs["source"] = spec.source
    dataset = xr.Dataset(arrays)
    dataset.attrs["scenario"] = scenario.name
    return dataset.rio.write_crs(grid.crs)


def load_vectors(scenario: Scenario, grid: Grid | None = None) -> dict:
    """Every vector layer of the scenario, in the grid CRS.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    grid : Grid, optional
        Grid whose bounds (plus ``layers.vector_margin_m``) select the features read.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Keyed by layer name.
    """
    grid = grid or scenario_grid(scenario)
    frames = {}
    for name, spec in scenario.layers.vectors.items():
        if spec.points is not None:
            points = [(p.name, p.lon, p.lat) for p in spec.points]
            frames[name] = io.points_frame(points, grid)
        else:
            frames[name] = io.read_vector(
                scenario.resolve(spec.path),
                grid,
                margin_m=scenario.layers.vector_margin_m,
                where=spec.where,
                name=name,
                layer=spec.layer,
            )
    return frames


def persist_layers(
    rasters: xr.Dataset,
    scenario: Scenario,
    keep: Callable[[xr.DataArray, str], xr.DataArray] | None = None,
) -> xr.Dataset:
    """Read every raster layer into memory, naming the layer and file of any read that fails.

    ``keep(layer, name)`` replaces the default ``layer.persist()``: a streaming run passes
    :meth:`siting.io.scratch.ScratchFolder.keep`, which writes the aligned layer to disk.

    Pixels are read lazily (dask), so a damaged block or a file truncated after its header is
    only found here. A layer whose file cannot be read, or an elevation layer with no valid
    cell over the AOI, is an :class:`~siting.errors.InputDataError`.
    """
    out = {}
    for name, layer in rasters.data_vars.items():
        path = layer.attrs.get("source_file", "?")
        try:
            out[name] = keep(layer, name) if keep is not None else layer.persist()
        except (RasterioError, OSError) as err:
            raise InputDataError(
                describe(
                    f"layers.rasters.{name} ({path})",
                    f"pixels cannot be read, the file is damaged or truncated ({err})",
                    "download or export the file again (gdalinfo -checksum shows the damage)",
                )
            ) from None
    elevation = out[scenario.layers.elevation]
    if not bool(np.isfinite(elevation).any()):
        raise InputDataError(
            describe(
                f"layers.rasters.{scenario.layers.elevation} "
                f"({elevation.attrs.get('source_file', '?')})",
                "has no valid elevation over the AOI (every cell is nodata)",
                "give a DEM that covers the aoi, or check its nodata value",
            )
        )
    return rasters.assign(out)
