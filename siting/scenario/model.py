"""Scenario models: what a run reads, how it scores land, and where it looks for data.

A scenario is a YAML file validated by the pydantic models below. Units are in the field names
(``cell_size_m``, ``buffer_m``). The Mörön default ships with the package
(``siting/scenario/moron.yaml``); :func:`load_scenario` reads it, or a user's own file, and turns
every validation problem into one :class:`~siting.errors.ConfigError` naming the field and what
is allowed.

Paths
-----
Relative layer paths are read from ``data_dir``. A relative ``data_dir`` is taken from the folder
of the scenario file; when ``data_dir`` is omitted, layers are read from the Mörön data embedded
with siting (``rasters/`` and ``vectors/`` of the source tree).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from siting.errors import ConfigError, ParameterError, describe
from siting.land.ahp import ahp_matrix_from_upper, ahp_weights
from siting.scenario.base import Model
from siting.scenario.credits import CreditsSpec
from siting.scenario.forest import ForestSpec
from siting.scenario.wind import WindYieldSpec

DEFAULT_SCENARIO = "moron.yaml"

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


class GridSpec(Model):
    """The analysis grid: projected CRS, cell size and dask chunking."""

    crs: str = Field(
        default="auto", description="'auto' picks the local UTM zone, or e.g. 'EPSG:32647'"
    )
    cell_size_m: float = Field(default=250.0, gt=0, description="cell edge in metres")
    chunk_cells: int = Field(default=1024, ge=16, description="dask chunk edge in cells")


class TerrainSpec(Model):
    """Parameters of the terrain derivatives computed from the elevation layer."""

    tpi_radius_m: float = Field(
        default=5000.0,
        gt=0,
        description="neighbourhood radius of the topographic position index (ridge vs valley)",
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
    source: str = ""
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


class WindEstimate(Model):
    """Terrain-based estimate of the mean wind speed, used when no wind layer is given.

    speed = ``mean_speed_ms`` x exposure factor, the factor linear in the topographic position
    index from ``valley_factor`` at TPI <= -``tpi_scale_m`` through 1 at TPI = 0 to
    ``ridge_factor`` at TPI >= ``tpi_scale_m``.
    """

    mean_speed_ms: float = Field(default=6.0, gt=0)
    height_m: float = Field(default=100.0, gt=0)
    weibull_k: float = Field(default=2.0, gt=0)
    valley_factor: float = Field(default=0.75, gt=0, le=1)
    ridge_factor: float = Field(default=1.15, ge=1)
    tpi_scale_m: float = Field(default=100.0, gt=0)
    source: str = ""


class WindResource(Model):
    """Mean wind speed for screening: a raster layer (e.g. Global Wind Atlas) or the estimate."""

    layer: str | None = Field(
        default=None, description="raster layer of mean wind speed (m/s) at height_m"
    )
    height_m: float = Field(default=100.0, gt=0)
    estimate: WindEstimate = WindEstimate()


# --------------------------------------------------------------------------------------------
# Exclusion rules


class _Rule(Model):
    reason: str = ""
    source: str = Field(default="", description="citation for the rule's threshold")


class BufferRule(_Rule):
    """Exclude cells whose centre lies within ``buffer_m`` of a vector layer's features."""

    kind: Literal["buffer"]
    layer: str
    buffer_m: float = Field(ge=0)


class RangeRule(_Rule):
    """Exclude cells of a raster outside ``[min, max]`` (either bound optional)."""

    kind: Literal["range"]
    layer: str
    min: float | None = None
    max: float | None = None
    nodata: Literal["exclude", "keep"] = "exclude"

    @model_validator(mode="after")
    def _bounds(self) -> RangeRule:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class ClassRule(_Rule):
    """Exclude cells of a categorical raster whose class is listed (by value or name)."""

    kind: Literal["classes"]
    layer: str
    exclude: list[int | str] = Field(min_length=1)


class PolygonRule(_Rule):
    """Keep only cells inside (``include``) or outside (``exclude``) a polygon layer."""

    kind: Literal["polygon"]
    layer: str
    mode: Literal["include", "exclude"] = "exclude"


ExclusionRule = Annotated[
    BufferRule | RangeRule | ClassRule | PolygonRule, Field(discriminator="kind")
]


# --------------------------------------------------------------------------------------------
# Criteria


class LinearMembership(Model):
    """0 at ``low``, 1 at ``high`` (decreasing when ``low > high``)."""

    kind: Literal["linear"]
    low: float
    high: float

    @model_validator(mode="after")
    def _distinct(self) -> LinearMembership:
        if self.low == self.high:
            raise ValueError("low and high must differ")
        return self


class SigmoidMembership(Model):
    """Logistic curve 1 / (1 + exp(-(x - midpoint) / width)); negative width decreases."""

    kind: Literal["sigmoid"]
    midpoint: float
    width: float

    @field_validator("width")
    @classmethod
    def _nonzero(cls, width: float) -> float:
        if width == 0:
            raise ValueError("width must not be 0")
        return width


class TrapezoidMembership(Model):
    """0 below a, rising to 1 at b, 1 until c, falling to 0 at d."""

    kind: Literal["trapezoid"]
    a: float
    b: float
    c: float
    d: float

    @model_validator(mode="after")
    def _ordered(self) -> TrapezoidMembership:
        if not (self.a <= self.b <= self.c <= self.d and self.a < self.d):
            raise ValueError(
                f"need a <= b <= c <= d and a < d, got {self.a}, {self.b}, {self.c}, {self.d}"
            )
        return self


class GaussianMembership(Model):
    """exp(-0.5 ((x - mean) / sd)^2)."""

    kind: Literal["gaussian"]
    mean: float
    sd: float = Field(gt=0)


class CategoricalMembership(Model):
    """A score in 0..1 per class (by value or name); unlisted classes get ``default``."""

    kind: Literal["categorical"]
    scores: dict[int | str, Annotated[float, Field(ge=0, le=1)]] = Field(min_length=1)
    default: float = Field(default=0.0, ge=0, le=1)


Membership = Annotated[
    LinearMembership
    | SigmoidMembership
    | TrapezoidMembership
    | GaussianMembership
    | CategoricalMembership,
    Field(discriminator="kind"),
]


class Criterion(Model):
    """One criterion: a raster layer mapped to 0..1 by a membership function."""

    layer: str
    membership: Membership
    reason: str = ""
    source: str = ""


class AHPSpec(Model):
    """Pairwise comparisons on Saaty's 1-9 scale, as judgements or as a full matrix.

    ``judgements``: one ``[a, b, value]`` per pair of criteria, "a is ``value`` times as
    important as b" (the reciprocal is implied). ``matrix``: the full reciprocal matrix, rows
    and columns in the order of ``criteria``.
    """

    judgements: list[tuple[str, str, Annotated[float, Field(gt=0)]]] | None = None
    matrix: list[list[float]] | None = None
    max_consistency_ratio: float = Field(default=0.10, gt=0, lt=1)

    @model_validator(mode="after")
    def _one_of(self) -> AHPSpec:
        if (self.judgements is None) == (self.matrix is None):
            raise ValueError("give exactly one of judgements or matrix")
        return self


class Sensitivity(Model):
    """Monte Carlo perturbation of the weights (:func:`siting.land.sensitivity.weight_draws`)."""

    n_draws: int = Field(default=200, ge=2, le=100_000)
    spread: float = Field(default=0.2, gt=0, lt=1, description="relative weight perturbation")


class SiteRules(Model):
    """How candidate sites are cut from the suitability surface."""

    threshold: float = Field(default=0.6, ge=0, le=1, description="minimum suitability")
    min_area_ha: float = Field(default=100.0, ge=0)
    max_area_ha: float | None = Field(
        default=None, gt=0, description="larger regions are cut into square parcels of this area"
    )
    max_sites: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _areas(self) -> SiteRules:
        if self.max_area_ha is not None and self.max_area_ha < self.min_area_ha:
            raise ValueError(
                f"max_area_ha ({self.max_area_ha}) is smaller than min_area_ha ({self.min_area_ha})"
            )
        return self


class UseSpec(Model):
    """A land use to score (reforestation or wind): exclusions, criteria, weights, sites."""

    exclusions: list[ExclusionRule] = []
    criteria: dict[str, Criterion] = Field(min_length=1)
    weights: dict[str, Annotated[float, Field(ge=0)]] | None = None
    ahp: AHPSpec | None = None
    sites: SiteRules = SiteRules()
    sensitivity: Sensitivity = Sensitivity()

    @model_validator(mode="after")
    def _weights(self) -> UseSpec:
        if (self.weights is None) == (self.ahp is None):
            raise ValueError("give exactly one of weights or ahp")
        names = set(self.criteria)
        if self.weights is not None:
            if set(self.weights) != names:
                raise ValueError(_key_mismatch("weights", set(self.weights), names))
            total = sum(self.weights.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(
                    f"weights sum to {total:.6g}, not 1: scale them so that they add up to 1 "
                    "(or give pairwise judgements under ahp)"
                )
        if self.ahp is not None and self.ahp.judgements is not None:
            judged = {name for pair in self.ahp.judgements for name in pair[:2]}
            if not judged <= names:
                raise ValueError(
                    f"ahp judges unknown criteria {sorted(judged - names)}; "
                    f"criteria are {sorted(names)}"
                )
        if self.ahp is not None:
            self.ahp_result()  # refuse an invalid or inconsistent matrix when the file is read
        return self

    def ahp_result(self):
        """AHP weights and consistency of the pairwise comparisons (None without ``ahp``).

        Returns
        -------
        siting.land.ahp.AHPResult or None
        """
        if self.ahp is None:
            return None
        names = list(self.criteria)
        try:
            if self.ahp.matrix is not None:
                matrix = self.ahp.matrix
            else:
                judgements = {(a, b): value for a, b, value in self.ahp.judgements}
                matrix = ahp_matrix_from_upper(names, judgements)
            return ahp_weights(matrix, names, max_consistency_ratio=self.ahp.max_consistency_ratio)
        except ParameterError as err:
            raise ValueError(f"ahp: {err}") from None


def _key_mismatch(field: str, given: set[str], expected: set[str]) -> str:
    parts = []
    if expected - given:
        parts.append(f"missing {sorted(expected - given)}")
    if given - expected:
        parts.append(f"unknown {sorted(given - expected)}")
    return f"{field} must name every criterion exactly once: " + ", ".join(parts)


class OutputSpec(Model):
    """Where results go (relative to the working directory)."""

    dir: str = "results/moron"


class Scenario(Model):
    """A complete, validated scenario."""

    name: str
    description: str = ""
    data_dir: str | None = None
    aoi: AOI
    grid: GridSpec = GridSpec()
    terrain: TerrainSpec = TerrainSpec()
    layers: Layers
    wind_resource: WindResource = WindResource()
    reforestation: UseSpec
    wind: UseSpec
    wind_yield: WindYieldSpec = WindYieldSpec()
    forest: ForestSpec = ForestSpec()
    credits: CreditsSpec = CreditsSpec()
    output: OutputSpec = OutputSpec()
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


def embedded_data_root() -> Path:
    """Folder holding the embedded ``rasters/`` and ``vectors/`` (source tree or wheel).

    Returns
    -------
    pathlib.Path
        The repository root for a source checkout, or the copy installed inside the package.

    Raises
    ------
    ConfigError
        When neither location holds the embedded data.
    """
    package_dir = Path(__file__).resolve().parents[1]
    for root in (package_dir.parent, package_dir / "_embedded"):
        if (root / "rasters" / "moron").is_dir() and (root / "vectors" / "moron").is_dir():
            return root
    raise ConfigError(
        describe(
            "data_dir",
            "the embedded Mörön data (rasters/moron, vectors/moron) is not installed",
            "install siting from a source checkout (pip install -e .) or set data_dir "
            "in the scenario to a folder holding your layers",
        )
    )


# --------------------------------------------------------------------------------------------
# Loading


def default_scenario_text() -> str:
    """The embedded Mörön scenario as YAML text (what ``siting init-config`` writes)."""
    return resources.files("siting.scenario").joinpath(DEFAULT_SCENARIO).read_text("utf-8")


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A YAML scenario file. Omitted: the embedded Mörön default.

    Returns
    -------
    Scenario
        The validated scenario; relative paths in it resolve against the file's folder.

    Raises
    ------
    ConfigError
        When the file is missing, is not YAML, or a field is invalid; the message names the
        file, every offending field and what it allows.
    """
    if path is None:
        text, label, base_dir = default_scenario_text(), "embedded moron.yaml", Path.cwd()
    else:
        file = Path(path).expanduser()
        label, base_dir = str(file), file.resolve().parent
        try:
            text = file.read_text("utf-8")
        except FileNotFoundError:
            raise ConfigError(
                describe(label, "file not found", "check the path, or run `siting init-config`")
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(
                describe(label, f"cannot be read ({err})", "give a UTF-8 YAML file")
            ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(
            describe(label, f"is not valid YAML ({err})", "fix the YAML syntax at that line")
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            describe(label, "does not hold a mapping of fields", "start from `siting init-config`")
        )
    scenario = scenario_from_dict(data, base_dir=base_dir, label=label)
    if path is None:
        return scenario
    return scenario.model_copy(update={"source_file": Path(path).expanduser().resolve()})


def scenario_from_dict(
    data: dict, *, base_dir: Path | None = None, label: str = "scenario"
) -> Scenario:
    """Validate a scenario given as a dictionary (e.g. a modified default in a notebook).

    Parameters
    ----------
    data : dict
        Scenario fields, as in the YAML file.
    base_dir : pathlib.Path, optional
        Folder that a relative ``data_dir`` is taken from (default: the working directory).
    label : str
        Name of the source used in error messages.

    Returns
    -------
    Scenario
    """
    try:
        return Scenario.model_validate({**data, "base_dir": base_dir or Path.cwd()})
    except ValidationError as err:
        raise ConfigError(format_validation_error(label, err)) from None


def format_validation_error(label: str, err: ValidationError) -> str:
    """One readable line per problem: dotted field path, problem, what is allowed."""
    lines = []
    for problem in err.errors():
        location = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown field (check its spelling; `siting init-config` lists every field)"
        elif problem["type"] == "missing":
            message = "required field is missing"
        for part in message.split("\n"):
            # cross-field checks name their own fields; others get the location in front
            lines.append(f"  - {location}: {part}" if location else f"  - {part}")
    header = f"{label}: {len(lines)} problem(s) in the scenario. Fix them and run again:"
    return "\n".join([header, *lines])
