"""The AOI of a fetch: a lon/lat box or a polygon file, and the bounds that layers are cut to.

Rasters are cut to the analysis grid's extent (the AOI in its UTM zone, snapped outwards to
whole cells, as :mod:`siting.grid` builds it) plus ``raster_margin_m``, so that the run's
resampling and neighbourhood operators have data beyond the AOI's edge. Vector layers are cut
to the grid plus the scenario's ``vector_margin_m`` (50 km for Mörön), as the run reads them:
a substation just beyond the edge is still the nearest grid connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shapely

from siting import io
from siting.errors import ConfigError, describe
from siting.grid import Grid, grid_for_aoi


@dataclass(frozen=True)
class FetchArea:
    """The AOI of a fetch.

    Attributes
    ----------
    geometry : shapely.Geometry
        The AOI in WGS84 lon/lat.
    bbox : tuple of float or None
        West, south, east, north when the AOI was given as a box.
    polygon : pathlib.Path or None
        The polygon file when it was given as one.
    """

    geometry: shapely.Geometry
    bbox: tuple[float, float, float, float] | None = None
    polygon: Path | None = None

    def grid(self, cell_size_m: float, crs: str = "auto") -> Grid:
        """The analysis grid a run on this AOI uses."""
        return grid_for_aoi(self.geometry, cell_size_m, crs=crs)

    def bounds(self, margin_m: float, *, cell_size_m: float, crs: str = "auto"):
        """Lon/lat bounds of the grid widened by ``margin_m``, rounded outwards to 1e-5 degree."""
        west, south, east, north = self.grid(cell_size_m, crs).bounds_lonlat(margin_m)
        step = 1e-5

        def down(v: float) -> float:
            return round((v // step) * step, 5)

        def up(v: float) -> float:
            return round(-((-v) // step) * step, 5)

        return (
            max(down(west), -180.0),
            max(down(south), -90.0),
            min(up(east), 180.0),
            min(up(north), 90.0),
        )


def parse_aoi(text: str) -> FetchArea:
    """An AOI from ``"west,south,east,north"`` (degrees) or the path of a polygon file.

    Examples
    --------
    >>> parse_aoi("99.0,49.0,101.5,50.5").bbox
    (99.0, 49.0, 101.5, 50.5)
    """
    parts = text.split(",")
    if len(parts) == 4:
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise ConfigError(
                describe(f"--aoi {text}", "is not four numbers", "give west,south,east,north")
            ) from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ConfigError(
                describe(
                    f"--aoi {text}",
                    "needs west < east in -180..180 and south < north in -90..90 (an AOI "
                    "across the antimeridian is not supported)",
                    "give west,south,east,north in degrees, e.g. 99.0,49.0,101.5,50.5",
                )
            )
        bbox = (west, south, east, north)
        return FetchArea(shapely.box(*bbox), bbox=bbox)
    path = Path(text).expanduser()
    if not path.exists():
        raise ConfigError(
            describe(
                f"--aoi {text}",
                "is neither west,south,east,north nor an existing polygon file",
                "give a box such as 99.0,49.0,101.5,50.5 or a GeoJSON/GeoPackage polygon",
            )
        )
    return FetchArea(io.read_aoi_polygon(path), polygon=path.resolve())
