"""Building blocks of the scenario models: strict base, uncertain parameters, readable errors.

:class:`Model` is the base of every scenario model (unknown fields are errors, values are
immutable). :class:`Uncertain` is a parameter with a central value and, optionally, a range that
the Monte Carlo draws from. :func:`format_validation_error` turns a pydantic error into one line
per offending field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Distribution = Literal["fixed", "triangular", "uniform", "lognormal"]


class Model(BaseModel):
    """Base of every scenario model: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Uncertain(Model):
    """A parameter with a central value and, optionally, a range for the Monte Carlo.

    ``distribution``:

    * ``fixed``: always ``value``;
    * ``triangular``: from ``low`` to ``high`` with its mode at ``value``;
    * ``uniform``: from ``low`` to ``high`` (``value`` is the deterministic choice);
    * ``lognormal``: median ``value``; ``low`` and ``high`` are its 2.5 and 97.5 percentiles
      (a two-piece lognormal when the range is not symmetric in log space).
    """

    value: float
    low: float | None = None
    high: float | None = None
    distribution: Distribution = "fixed"
    source: str = ""
    estimate: bool = Field(default=False, description="true when the value is assumed")

    @model_validator(mode="after")
    def _range_holds_value(self) -> Uncertain:
        if self.distribution == "fixed":
            if self.low is not None and self.high is not None and self.low > self.high:
                raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"a {self.distribution} distribution needs both low and high")
        if not self.low <= self.value <= self.high:
            raise ValueError(
                f"value {self.value} must lie within [low, high] = [{self.low}, {self.high}]"
            )
        if self.low == self.high:
            raise ValueError("low equals high: use distribution: fixed")
        if self.distribution == "lognormal" and self.low <= 0:
            raise ValueError("a lognormal distribution needs low > 0")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take (``value`` twice when fixed)."""
        if self.distribution == "fixed":
            return self.value, self.value
        if self.distribution == "lognormal":
            return 0.0, float("inf")
        return float(self.low), float(self.high)


def format_validation_error(label: str, err: ValidationError) -> str:
    """One readable line per problem: dotted field path, problem, what is allowed.

    Parameters
    ----------
    label : str
        Name of the source (e.g. the scenario file), put at the start of the message.
    err : pydantic.ValidationError
        The error raised when validating a scenario or one of its sections.

    Returns
    -------
    str
        A header naming ``label`` and the number of problems, then one ``  - field: problem``
        line per problem.
    """
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


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` applied: nested mappings merged, other values replaced."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
