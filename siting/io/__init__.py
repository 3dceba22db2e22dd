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

from importlib import import_module

#: Public name -> (module, name there). Imported on first use, so that ``siting --help`` and the
#: scenario models do not pay for rasterio, rioxarray and xarray.
_EXPORTS = {
    "sha256_of": ("siting.io.checksums", "sha256_of"),
    "choose_resampling": ("siting.io.rasters", "choose_resampling"),
    "open_raster": ("siting.io.rasters", "open_raster"),
    "open_raster_on_grid": ("siting.io.rasters", "open_raster_on_grid"),
    "raster_description": ("siting.io.rasters", "raster_description"),
    "MANIFEST_FILES_KEY": ("siting.io.results_dir", "FILES_KEY"),
    "RUN_MANIFEST": ("siting.io.results_dir", "RUN_MANIFEST"),
    "check_output_dir": ("siting.io.results_dir", "check_output_dir"),
    "staged_output_dir": ("siting.io.results_dir", "staged_output_dir"),
    "points_frame": ("siting.io.vectors", "points_frame"),
    "read_aoi_polygon": ("siting.io.vectors", "read_aoi_polygon"),
    "read_layer": ("siting.io.vectors", "read_layer"),
    "read_vector": ("siting.io.vectors", "read_vector"),
    "BOOLEAN_NODATA": ("siting.io.writers", "BOOLEAN_NODATA"),
    "atomic_path": ("siting.io.writers", "atomic_path"),
    "write_cog": ("siting.io.writers", "write_cog"),
    "write_geojson": ("siting.io.writers", "write_geojson"),
    "write_geopackage": ("siting.io.writers", "write_geopackage"),
    "write_json": ("siting.io.writers", "write_json"),
    "write_kml": ("siting.io.writers", "write_kml"),
    "write_text": ("siting.io.writers", "write_text"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        return getattr(import_module(module), attribute)
    raise AttributeError(f"module 'siting.io' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
