"""The scenario: what a run reads, where it looks for data, and the sections it is made of.

A scenario is a YAML file validated by :class:`Scenario`. Units are in the field names
(``cell_size_m``, ``buffer_m``). The Mörön scenario ships with the package
(``siting/scenario/moron.yaml``); :mod:`siting.scenario.load` reads it, or a user's own file.
This module holds the area, grid, terrain, layer and wind-resource models; the land uses are in
:mod:`siting.scenario.land`, the wind yield, forest and credit stages in
:mod:`siting.scenario.wind`, :mod:`siting.scenario.forest` and :mod:`siting.scenario.credits`.

Defaults
--------
``grid``, ``terrain``, ``wind_resource``, ``output`` and the stage sections are
:class:`~siting.scenario.defaults.Section` models: a field or section that a scenario omits
takes its value, with its source, from the embedded ``moron.yaml``.

Paths
-----
Relative layer paths are read from ``data_dir``. A relative ``data_dir`` is taken from the folder
of the scenario file; when ``data_dir`` is omitted, layers are read from the Mörön data embedded
with siting (``rasters/`` and ``vectors/`` of the source tree).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from siting.errors import ConfigError, describe
from siting.scenario.base import Model, deep_merge, format_validation_error
from siting.scenario.credits import CreditsSpec
from siting.scenario.defaults import Section, embedded_data_root
from siting.scenario.forest import ForestSpec
from siting.scenario.land import UseSpec
from siting.scenario.wind import WindYieldSpec

#: The land uses a scenario scores, each a section of the scenario.
LAND_USES = ("reforestation", "wind")

#: Raster layers that the run derives from the elevation layer; rules and criteria may use them.
TERRAIN_LAYERS = ("slope_deg", "aspect_deg", "northness", "tpi_m", "tri_m")

#: Raster of mean wind speed (m/s) the run derives from the wind layer or the estimate.
WIND_SPEED_LAYER = "wind_speed_ms"


# --------------------------------------------------------------------------------------------
# Area and grid


class AOI(Model):
    """Area of interest: a lon/lat box or a polygon file (one of the two)."""

    bbox_lonlat: tuple[float, float, float, float] | None = Field(
        default=None, description="west, south, east, north in degrees (WGS84)"
    )
    polygon: str | None = Field(default=None, description="path to a polygon file (any CRS)")
    layer: str | None = Field(
        default=None, description="layer of a polygon file holding several (e.g. a GeoPackage)"
    )

    @model_validator(mode="after")
    def _one_of(self) -> AOI:
        if (self.bbox_lonlat is None) == (self.polygon is None):
            raise ValueError("give exactly one of bbox_lonlat or polygon")
        if self.bbox_lonlat is not None:
            west, south, east, north = self.bbox_lonlat
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                raise ValueError(
                    "bbox_lonlat must be [west, south, east, north] with west < east "
                    "in -180..180 and south < north in -90..90"
                )
        return self


class GridSpec(Section):
    """The analysis grid: projected CRS, cell size and dask chunking."""

    yaml_path = "grid"

    crs: str = Field(description="'auto' picks the local UTM zone, or e.g. 'EPSG:32647'")
    cell_size_m: float = Field(gt=0, description="cell edge in metres")
    chunk_cells: int = Field(ge=16, description="dask chunk edge in cells")
    streaming: Literal["auto", "on", "off"] = Field(
        description=(
            "keep intermediate rasters on disk (scratch GeoTIFFs) instead of in memory: 'on', "
            "'off', or 'auto' (on above 16 million cells, or when the in-memory estimate "
            "would use more than half the memory available)"
        ),
    )


class TerrainSpec(Section):
    """Parameters of the terrain derivatives computed from the elevation layer."""

    yaml_path = "terrain"

    tpi_radius_m: float = Field(
        gt=0,
        description="neighbourhood radius of the topographic position index (ridge vs valley), m",
    )


# --------------------------------------------------------------------------------------------
# Layers


class RasterLayer(Model):
    """A raster on disk, aligned onto the grid when loaded."""

    path: str
    kind: Literal["continuous", "categorical"] = "continuous"
    units: str = ""
    band: int = Field(default=1, ge=1)
    classes: dict[int, str] | None = Field(
        default=None, description="class value -> name, for categorical layers"
    )
    source: str = ""
    attribution: str = Field(default="", description="credit line shown on the map (licence)")

    @model_validator(mode="after")
    def _classes_only_categorical(self) -> RasterLayer:
        if self.classes is not None and self.kind != "categorical":
            raise ValueError("classes are only allowed on categorical layers")
        return self


class PointFeature(Model):
    """A point given in the scenario itself (e.g. an approximated grid connection)."""

    name: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class VectorLayer(Model):
    """A vector layer: a file on disk, or points written in the scenario."""

    path: str | None = None
    points: list[PointFeature] | None = None
    where: str | None = Field(default=None, description="OGR SQL filter, e.g. \"kind = 'x'\"")
    layer: str | None = Field(
        default=None, description="layer of a file holding several (e.g. a GeoPackage)"
    )
    source: str = ""
    attribution: str = Field(default="", description="credit line shown on the map (licence)")
    note: str = Field(default="", description="caveat shown with results (e.g. approximated)")

    @model_validator(mode="after")
    def _one_of(self) -> VectorLayer:
        if (self.path is None) == (self.points is None):
            raise ValueError("give exactly one of path or points")
        if self.points is not None and not self.points:
            raise ValueError("points must not be empty")
        return self


class ClassDistance(Model):
    """Distance to the cells of some classes of a categorical raster (e.g. existing forest)."""

    layer: str
    classes: list[int | str] = Field(min_length=1)
    source: str = ""


class Layers(Model):
    """All input layers by name."""

    rasters: dict[str, RasterLayer]
    vectors: dict[str, VectorLayer] = {}
    class_distances: dict[str, ClassDistance] = Field(
        default={}, description="derived rasters dist_<name>_m: distance to cells of classes"
    )
    elevation: str = Field(default="elevation", description="raster layer holding elevation (m)")
    vector_margin_m: float = Field(
        default=50_000.0,
        ge=0,
        description="vector features this far outside the AOI still count (distances, buffers)",
    )

    @model_validator(mode="after")
    def _elevation_exists(self) -> Layers:
        if self.elevation not in self.rasters:
            raise ValueError(
                f"elevation layer {self.elevation!r} is not among the rasters "
                f"({', '.join(sorted(self.rasters))})"
            )
        return self


# --------------------------------------------------------------------------------------------
# Wind resource


class WindEstimate(Section):
    """Terrain-based estimate of the mean wind speed, used when no wind layer is given.

    speed = ``mean_speed_ms`` x exposure factor, the factor linear in the topographic position
    index from ``valley_factor`` at TPI <= -``tpi_scale_m`` through 1 at TPI = 0 to
    ``ridge_factor`` at TPI >= ``tpi_scale_m``.
    """

    yaml_path = "wind_resource.estimate"

    mean_speed_ms: float = Field(gt=0, description="mean speed at height_m on flat ground, m/s")
    height_m: float = Field(gt=0, description="height of the estimated speed, m")
    weibull_k: float = Field(gt=0, description="Weibull shape of the speed distribution")
    valley_factor: float = Field(gt=0, le=1)
    ridge_factor: float = Field(ge=1)
    tpi_scale_m: float = Field(gt=0, description="TPI at which either factor is reached, m")
    source: str


class WindResource(Section):
    """Mean wind speed for screening: a raster layer (e.g. Global Wind Atlas) or the estimate."""

    yaml_path = "wind_resource"

    layer: str | None = Field(description="raster layer of mean wind speed (m/s) at height_m")
    height_m: float = Field(gt=0, description="height of the wind layer, m")
    estimate: WindEstimate


class OutputSpec(Section):
    """Where results go (relative to the working directory)."""

    yaml_path = "output"

    dir: str


class Scenario(Model):
    """A complete, validated scenario.

    ``aoi``, ``layers`` and the two land uses are required; the other sections, omitted, are
    the embedded Mörön scenario's.
    """

    name: str
    title: str = Field(default="", description="display name on the map and report")
    description: str = ""
    data_dir: str | None = None
    aoi: AOI
    grid: GridSpec = Field(default_factory=GridSpec)
    terrain: TerrainSpec = Field(default_factory=TerrainSpec)
    layers: Layers
    wind_resource: WindResource = Field(default_factory=WindResource)
    reforestation: UseSpec
    wind: UseSpec
    wind_yield: WindYieldSpec = Field(default_factory=WindYieldSpec)
    forest: ForestSpec = Field(default_factory=ForestSpec)
    credits: CreditsSpec = Field(default_factory=CreditsSpec)
    output: OutputSpec = Field(default_factory=OutputSpec)
    seed: int = 0

    #: Folder of the scenario file (relative paths in it are taken from there); not in YAML.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    #: The scenario file itself, when read from one (an input of the run); not in YAML.
    source_file: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _layers_referenced_exist(self) -> Scenario:
        rasters = set(self.layers.rasters) | set(TERRAIN_LAYERS) | {WIND_SPEED_LAYER}
        rasters |= {distance_layer_name(v) for v in self.layers.vectors}
        rasters |= {distance_layer_name(c) for c in self.layers.class_distances}
        vectors = set(self.layers.vectors)
        problems = []
        for name, spec in self.layers.class_distances.items():
            problems += self._check_classes(
                spec.layer, spec.classes, f"layers.class_distances.{name}.classes"
            )
        wind_layer = self.wind_resource.layer
        if wind_layer is not None and wind_layer not in self.layers.rasters:
            problems.append(
                f"wind_resource.layer: {wind_layer!r} is not a raster layer "
                f"(choose from {', '.join(sorted(self.layers.rasters))})"
            )
        for use_name in LAND_USES:
            use: UseSpec = getattr(self, use_name)
            for i, rule in enumerate(use.exclusions):
                pool = vectors if rule.kind in ("buffer", "polygon") else rasters
                if rule.layer not in pool:
                    what = "vector" if pool is vectors else "raster"
                    problems.append(
                        f"{use_name}.exclusions.{i}.layer: {rule.layer!r} is not a {what} layer "
                        f"(choose from {', '.join(sorted(pool))})"
                    )
                if rule.kind == "classes":
                    problems += self._check_classes(
                        rule.layer, rule.exclude, f"{use_name}.exclusions.{i}.exclude"
                    )
            for name, criterion in use.criteria.items():
                if criterion.layer not in rasters:
                    problems.append(
                        f"{use_name}.criteria.{name}.layer: {criterion.layer!r} is not a raster "
                        f"layer (choose from {', '.join(sorted(rasters))})"
                    )
                elif criterion.membership.kind == "categorical":
                    problems += self._check_classes(
                        criterion.layer,
                        list(criterion.membership.scores),
                        f"{use_name}.criteria.{name}.membership.scores",
                    )
        if problems:
            raise ValueError("\n".join(problems))  # one problem a line, each naming its field
        return self

    def _check_classes(self, layer: str, classes: list[int | str], where: str) -> list[str]:
        spec = self.layers.rasters.get(layer)
        if spec is None or spec.kind != "categorical":
            return [f"{where}: layer {layer!r} is not a categorical raster"]
        names = set((spec.classes or {}).values())
        unknown = [c for c in classes if isinstance(c, str) and c not in names]
        if unknown:
            return [f"{where}: unknown class names {unknown} (known: {sorted(names)})"]
        return []

    # ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The scenario as plain data (as in YAML), to change and validate again.

        Examples
        --------
        >>> import siting
        >>> data = siting.load_scenario().to_dict()
        >>> data["grid"]["cell_size_m"] = 500
        >>> siting.scenario_from_dict(data).grid.cell_size_m
        500.0
        """
        return self.model_dump(mode="json")

    @property
    def display_title(self) -> str:
        """The title shown to readers: ``title``, else ``name``."""
        return self.title.strip() or self.name

    def replace(self, changes: Mapping[str, Any] | None = None, /, **fields: Any) -> Scenario:
        """A copy with some fields changed, validated again like a scenario file.

        Parameters
        ----------
        changes : mapping, optional
            Fields by dotted path (``{"grid.cell_size_m": 500}``) or by top-level name.
        **fields
            Top-level fields (``seed=3``, ``grid={"cell_size_m": 500}``).

        A mapping merges into the current section (the other fields of ``grid`` stay as they
        are); any other value (a number, a list) replaces the current one.

        Returns
        -------
        Scenario

        Raises
        ------
        ConfigError
            If the changed scenario is invalid (the message names the field).

        Examples
        --------
        >>> import siting
        >>> scenario = siting.load_scenario()
        >>> scenario.replace({"grid.cell_size_m": 500}, seed=3).grid.cell_size_m
        500.0
        """
        data = self.to_dict()
        for path, value in {**(changes or {}), **fields}.items():
            *parents, leaf = path.split(".")
            section = data
            for key in parents:
                if not isinstance(section.get(key), dict):
                    raise ConfigError(
                        describe(
                            "scenario.replace",
                            f"{path!r}: {key!r} is not a section of the scenario",
                            "name a field as in the scenario file, e.g. 'grid.cell_size_m'",
                        )
                    )
                section = section[key]
            if isinstance(value, Mapping) and isinstance(section.get(leaf), dict):
                section[leaf] = deep_merge(section[leaf], value)
            else:
                section[leaf] = value
        return self._validated(data, "scenario.replace")

    def with_weights(
        self,
        use: str,
        weights: Mapping[str, float] | None = None,
        /,
        *,
        normalise: bool = False,
        **named: float,
    ) -> Scenario:
        """A copy whose land use ``use`` has these criterion weights (replacing AHP, if any).

        Parameters
        ----------
        use : {"reforestation", "wind"}
            The land use.
        weights : mapping of str to float, optional
            A weight for every criterion of the use; or give them as keywords.
        normalise : bool
            Scale the weights to sum to 1 (otherwise they must).
        **named : float
            Weights by criterion name.

        Raises
        ------
        ConfigError
            If a criterion is missing or unknown, or the weights do not sum to 1.

        Examples
        --------
        >>> import siting
        >>> s = siting.load_scenario()
        >>> w = {name: 1.0 for name in s.wind.criteria}
        >>> round(sum(s.with_weights("wind", w, normalise=True).wind.weights.values()), 9)
        1.0
        """
        if use not in LAND_USES:
            raise ConfigError(
                describe("with_weights", f"{use!r} is not a land use", f"use one of {LAND_USES}")
            )
        given = {**(weights or {}), **named}
        if normalise:
            total = sum(given.values())
            if not total > 0:
                raise ConfigError(
                    describe("with_weights", "the weights sum to 0", "give positive weights")
                )
            given = {name: value / total for name, value in given.items()}
        data = self.to_dict()
        data[use]["weights"] = given
        data[use]["ahp"] = None
        return self._validated(data, f"with_weights({use!r})")

    def _validated(self, data: dict, label: str) -> Scenario:
        """``data`` validated as a scenario read from this one's folder."""
        try:
            return Scenario.model_validate({**data, "base_dir": self.base_dir})
        except ValidationError as err:
            raise ConfigError(format_validation_error(label, err)) from None

    def resolve(self, path: str) -> Path:
        """Absolute path of a layer file named in the scenario.

        Parameters
        ----------
        path : str
            Path as written in the scenario file.

        Returns
        -------
        pathlib.Path
            ``path`` itself when absolute, else ``path`` inside :attr:`data_root`.
        """
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.data_root / candidate

    @property
    def data_root(self) -> Path:
        """Folder that relative layer paths are read from."""
        if self.data_dir is None:
            return embedded_data_root()
        data_dir = Path(self.data_dir).expanduser()
        return data_dir if data_dir.is_absolute() else self.base_dir / data_dir


def distance_layer_name(vector_layer: str) -> str:
    """Name of the distance raster derived from a vector layer (``dist_<layer>_m``)."""
    return f"dist_{vector_layer}_m"
