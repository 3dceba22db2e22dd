"""What a run computed: the tables and rasters of each stage, as the pipeline returns them.

The pipeline builds these; the outputs write them; notebooks read them. Plain containers, no
behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import xarray as xr

from siting.credits.ledger import CreditProjection
from siting.forest.sequestration import ForestAssessment
from siting.grid import Grid
from siting.land.exclusions import Eligibility
from siting.land.scoring import Suitability
from siting.scenario.model import Scenario
from siting.wind.energy import WindAssessment


@dataclass(frozen=True)
class UseResult:
    """Everything computed for one land use.

    Attributes
    ----------
    name : str
        ``"reforestation"`` or ``"wind"``.
    eligibility : Eligibility
        Eligible cells and the hectares each exclusion rule removes.
    suitability : Suitability
        Weighted suitability 0–1, the criteria scores and weights.
    sites : geopandas.GeoDataFrame
        Ranked candidate sites with their attributes (the later stages' columns included).
    labels : xarray.DataArray
        Site labels on the grid (0 outside sites).
    spread : xarray.DataArray
        Spread of the suitability under perturbed weights.
    """

    name: str
    eligibility: Eligibility
    suitability: Suitability
    sites: gpd.GeoDataFrame
    labels: xr.DataArray
    spread: xr.Dataset


@dataclass(frozen=True)
class CreditStage:
    """The credit stage of a run.

    Attributes
    ----------
    mitigation : pandas.DataFrame
        The tidy mitigation table the ledger was built from (wind and forest sites).
    projection : siting.credits.ledger.CreditProjection
        Ledger, summary, corresponding adjustments and revenue of the scenario's settings.
    comparison : pandas.DataFrame
        The summary of every comparison case side by side.
    """

    mitigation: pd.DataFrame
    projection: CreditProjection
    comparison: pd.DataFrame


@dataclass
class RunResult:
    """What a run computed (also written to its results folder)."""

    scenario: Scenario
    grid: Grid
    rasters: xr.Dataset
    vectors: dict[str, gpd.GeoDataFrame]
    uses: dict[str, UseResult]
    wind: WindAssessment | None = None
    forest: ForestAssessment | None = None
    credits: CreditStage | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    out_dir: Path | None = None
