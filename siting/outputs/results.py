"""A results folder of `siting run`, read back for `siting export` and `siting map`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import xarray as xr

from siting import io
from siting.errors import InputDataError, describe
from siting.scenario.model import LAND_USES

SITES_FILE = "sites.gpkg"


@dataclass(frozen=True)
class ResultsFolder:
    """A complete results folder.

    Attributes
    ----------
    path : pathlib.Path
        The folder.
    manifest : dict
        Its ``run.json``.
    """

    path: Path
    manifest: dict

    @property
    def uses(self) -> list[str]:
        """Land uses with a sites layer (``reforestation``, ``wind``)."""
        return [
            name for name, _ in pyogrio.list_layers(self.path / SITES_FILE) if name in LAND_USES
        ]

    def sites(self, use: str) -> gpd.GeoDataFrame:
        """Candidate sites of one land use, in the analysis CRS."""
        if use not in self.uses:
            raise InputDataError(
                describe(
                    str(self.path / SITES_FILE),
                    f"has no {use!r} sites",
                    f"choose one of {', '.join(self.uses)}",
                )
            )
        return io.read_layer(self.path / SITES_FILE, layer=use)

    def raster(self, name: str) -> xr.DataArray:
        """A raster of the folder by file stem (e.g. ``suitability_wind``)."""
        return io.open_raster(self.path / f"{name}.tif")

    def turbines(self) -> gpd.GeoDataFrame | None:
        """Turbine positions, when the run placed any."""
        path = self.path / "turbines.geojson"
        return io.read_layer(path) if path.exists() else None


def open_results(path: str | Path) -> ResultsFolder:
    """Open a results folder, checking that it is complete.

    Raises
    ------
    InputDataError
        When the folder is missing or is not a complete siting results folder.
    """
    path = Path(path)
    manifest_path = path / io.RUN_MANIFEST
    if not path.is_dir() or not manifest_path.exists() or not (path / SITES_FILE).exists():
        raise InputDataError(
            describe(
                str(path),
                "is not a siting results folder (no run.json or sites.gpkg)",
                "give the folder `siting run` wrote, e.g. results/moron",
            )
        )
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise InputDataError(
            describe(str(manifest_path), f"cannot be read ({err})", "rerun `siting run`")
        ) from None
    return ResultsFolder(path, manifest)
