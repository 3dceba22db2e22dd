"""Disk access: siting's reading and writing of local files lives here.

(Downloads and their cache live in :mod:`siting.fetch`, which writes what it fetches with
these writers' conventions: atomic, checksummed.)

The science folders (``siting.land``, ``siting.wind``, ``siting.forest``, ``siting.credits``)
never import it: they compute on data passed in, and their callers (the pipeline, notebooks,
tests) read that data with these modules.

Lives here: input rasters aligned onto the grid and siting's own rasters (``rasters``), vector
layers and the AOI polygon (``vectors``), result writers (``writers``), the atomically replaced
results folder (``results_dir``), file checksums (``checksums``), the species library
(``species``), turbine files (``turbines``) and ERA5 time series (``era5``). Readers turn every
problem with an input into an :class:`~siting.errors.InputDataError` naming the file, the
problem and the fix; writers never modify inputs.

io may import ``siting.errors``, ``siting.grid``, ``siting.scenario``, and the models it fills
from files: ``siting.forest.species``, ``siting.wind.turbines`` (and ``siting.wind.physics`` for
the reference air density of turbine files).

The general readers and writers are re-exported here (``from siting import io;
io.write_cog(...)``); the species, turbine and ERA5 readers are imported from their modules.
"""

from siting.io.checksums import sha256_of
from siting.io.rasters import (
    choose_resampling,
    open_raster,
    open_raster_on_grid,
    raster_description,
)
from siting.io.results_dir import FILES_KEY as MANIFEST_FILES_KEY
from siting.io.results_dir import RUN_MANIFEST, check_output_dir, staged_output_dir
from siting.io.vectors import points_frame, read_aoi_polygon, read_layer, read_vector
from siting.io.writers import (
    BOOLEAN_NODATA,
    atomic_path,
    write_cog,
    write_geojson,
    write_geopackage,
    write_json,
    write_kml,
    write_text,
)

__all__ = [
    "BOOLEAN_NODATA",
    "RUN_MANIFEST",
    "atomic_path",
    "MANIFEST_FILES_KEY",
    "check_output_dir",
    "choose_resampling",
    "open_raster",
    "open_raster_on_grid",
    "points_frame",
    "raster_description",
    "read_aoi_polygon",
    "read_layer",
    "read_vector",
    "sha256_of",
    "staged_output_dir",
    "write_cog",
    "write_geojson",
    "write_geopackage",
    "write_json",
    "write_kml",
    "write_text",
]
