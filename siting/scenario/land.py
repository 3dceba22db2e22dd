"""Scenario models of a land use: exclusions, criteria, weights, sensitivity and site rules.

A land use's criteria map raster layers to 0..1 by membership functions and are weighed
directly or by AHP pairwise comparisons; exclusion rules remove cells outright.

``reforestation`` and ``wind`` are each a :class:`UseSpec`. Its parts keep generic defaults
(no exclusion, 200 weight draws of +-20 %, ...): a user's own land-use section starts from
nothing of the Mörön scenario's.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from siting.errors import ParameterError
from siting.land.ahp import AHPResult, ahp_matrix_from_upper, ahp_weights
from siting.scenario.base import Model

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
        seen: dict[frozenset, tuple[str, str, float]] = {}
        for a, b, value in self.judgements or []:
            pair = frozenset((a, b))
            if a == b:
                raise ValueError(f"judgement [{a}, {b}, {value:g}] compares {a} with itself")
            if pair in seen:
                first = seen[pair]
                raise ValueError(
                    f"the pair {a}/{b} is judged twice ([{first[0]}, {first[1]}, {first[2]:g}] "
                    f"and [{a}, {b}, {value:g}]): keep one judgement per pair"
                )
            seen[pair] = (a, b, value)
        return self


class Sensitivity(Model):
    """Monte Carlo perturbation of the weights (:func:`siting.land.sensitivity.weight_draws`)."""

    # Each weight perturbed by up to +-20 % (then renormalised), 200 draws: how stable is the
    # ranking of sites? (Chen, Yu & Khan 2010, Environ. Model. Softw. 25:1582)
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

    def ahp_result(self) -> AHPResult | None:
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
