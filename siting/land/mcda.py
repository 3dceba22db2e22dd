"""Multi-criteria decision analysis (MCDA) on rasters.

The steps of a GIS suitability analysis, each a plain function of data to data:

1. **Membership (standardisation).** Each criterion raster (slope in degrees, distance to a
   road in metres, a land-cover class, ...) is mapped to a dimensionless score in [0, 1],
   1 = most suitable: :func:`linear`, :func:`sigmoid`, :func:`trapezoid`, :func:`gaussian`,
   :func:`categorical`, or :func:`membership` to pick one by name (from a scenario file).
2. **Weights.** Criterion weights that sum to 1, set directly or derived from pairwise
   comparisons with the analytic hierarchy process (AHP; Saaty 1977, 1980):
   :func:`ahp_weights`, :func:`ahp_matrix_from_upper`.
3. **Weighted overlay.** Weighted linear combination of the scores into one suitability raster
   in [0, 1]: :func:`weighted_overlay`.
4. **Weight sensitivity.** Monte Carlo perturbation of the weights: per-cell spread of the
   suitability (:func:`score_spread`) and stability of the ranking of candidate sites
   (:func:`rank_stability`); the draws themselves are :func:`weight_draws`.

Rasters are :class:`xarray.DataArray` objects with dims ``("y", "x")``, their coordinates and
the CRS (rioxarray's ``spatial_ref`` coordinate) are carried to every output, and NaN marks
nodata. Every raster function is lazy on dask-backed arrays (it builds a graph and computes
nothing) except :func:`rank_stability`, whose result is a table and so must compute.

References
----------
Saaty, T.L. (1977). A scaling method for priorities in hierarchical structures. Journal of
Mathematical Psychology 15(3), 234-281. https://doi.org/10.1016/0022-2496(77)90033-5

Saaty, T.L. (1980). The Analytic Hierarchy Process. McGraw-Hill, New York.

Malczewski, J. (1999). GIS and Multicriteria Decision Analysis. Wiley, New York.

Chen, Y., Yu, J., Khan, S. (2010). Spatial sensitivity analysis of multi-criteria weights in
GIS-based land suitability evaluation. Environmental Modelling & Software 25(12), 1582-1591.
https://doi.org/10.1016/j.envsoft.2010.06.001
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dask
import dask.array as da
import numpy as np
import pandas as pd
import xarray as xr
from scipy import special, stats

from siting.errors import InconsistentAHPError, ParameterError, describe

__all__ = [
    "AHP_CONSISTENCY_RATIO_LIMIT",
    "MEMBERSHIP_KINDS",
    "SAATY_RANDOM_INDEX",
    "AHPResult",
    "ahp_matrix_from_upper",
    "ahp_weights",
    "categorical",
    "gaussian",
    "linear",
    "membership",
    "rank_stability",
    "score_spread",
    "sigmoid",
    "trapezoid",
    "weight_draws",
    "weighted_overlay",
]

#: Units attribute of every score raster: scores are dimensionless.
SCORE_UNITS = "1"

#: Tolerance on the sum of criterion weights (sum must be 1 within this).
WEIGHT_SUM_TOLERANCE = 1e-6

#: Tolerance on AHP reciprocity, |a_ij * a_ji - 1|, and on the unit diagonal.
AHP_RECIPROCAL_TOLERANCE = 1e-6

# Random consistency index RI(n): the mean consistency index of random reciprocal matrices
# of order n filled from Saaty's 1/9..9 scale. Saaty, T.L. (1980) The Analytic Hierarchy
# Process, McGraw-Hill, ch. 1 (table of random indices); the values listed in the project's
# REFERENCE.md ("AHP random index n = 1...10"). Other authors' simulations give slightly
# different values (e.g. Saaty 1990, Eur. J. Oper. Res. 48:9-26; Alonso & Lamata 2006,
# Int. J. Uncertain. Fuzziness Knowl.-Based Syst. 14(4):445-459); this table is the one
# quoted most in GIS-MCDA work (Malczewski 1999, ch. 6).
SAATY_RANDOM_INDEX: Mapping[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}

# Consistency ratio below which a pairwise comparison matrix is accepted (Saaty 1980, ch. 1:
# "a CR of 0.10 or less" is acceptable; REFERENCE.md "accept CR < 0.10").
AHP_CONSISTENCY_RATIO_LIMIT = 0.10

#: Number of cells whose Monte Carlo draws are held in memory at once by :func:`score_spread`
#: (16,384 cells x 200 draws x 4 bytes = 13 MB).
SPREAD_BLOCK_CELLS = 16_384

#: Largest site label accepted by :func:`rank_stability` (labels index per-site arrays).
MAX_SITE_LABEL = 10_000_000


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _number(value: Any, what: str) -> float:
    """Return ``value`` as a finite float or raise ParameterError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(
            describe(what, f"{value!r} is not a number", "give a finite real number")
        )
    out = float(value)
    if not math.isfinite(out):
        raise ParameterError(describe(what, f"{out} is not finite", "give a finite number"))
    return out


def _is_dask(data: Any) -> bool:
    """Whether an array (or a DataArray's data) is a dask array."""
    return isinstance(data, da.Array)


def _score_attrs(template: xr.DataArray, long_name: str, **extra: Any) -> dict[str, Any]:
    """Attributes of a score raster: units "1", a long name, the grid mapping if any."""
    attrs: dict[str, Any] = {"units": SCORE_UNITS, "long_name": long_name}
    if "grid_mapping" in template.attrs:
        attrs["grid_mapping"] = template.attrs["grid_mapping"]
    attrs.update(extra)
    return attrs


def _score_name(values: xr.DataArray) -> str:
    """``"<input name>_score"``, or ``"score"`` for an unnamed input."""
    return f"{values.name}_score" if values.name is not None else "score"


def _finish_kernel(score: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Put NaN back where the input was NaN and return float32."""
    if np.issubdtype(x.dtype, np.floating):
        score = np.where(np.isnan(x), np.nan, score)
    return score.astype(np.float32)


def _apply_membership(
    values: xr.DataArray | np.ndarray,
    kernel: Callable[..., np.ndarray],
    long_name: str,
    membership_text: str,
    **kwargs: Any,
) -> xr.DataArray | np.ndarray:
    """Apply a numpy membership kernel cell by cell (lazily, block-wise on dask)."""
    if not isinstance(values, xr.DataArray):
        return kernel(np.asarray(values), **kwargs)
    out = xr.apply_ufunc(
        kernel,
        values,
        kwargs=kwargs,
        dask="parallelized",
        output_dtypes=[np.float32],
        # "drop_conflicts" keeps the attributes of the coordinates (the CRS lives in those
        # of ``spatial_ref``); the data variable's own attributes are replaced below.
        keep_attrs="drop_conflicts",
    )
    out.name = _score_name(values)
    what = values.name if values.name is not None else "the input"
    out.attrs = _score_attrs(values, f"{long_name} score of {what}", membership=membership_text)
    return out


# --------------------------------------------------------------------------------------------
# Membership functions (criterion value -> score in [0, 1])
# --------------------------------------------------------------------------------------------


def _linear_kernel(x: np.ndarray, low: float, high: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        score = np.clip((x - low) / (high - low), 0.0, 1.0)
    return _finish_kernel(score, x)


def linear(values: xr.DataArray | np.ndarray, low: float, high: float) -> xr.DataArray | np.ndarray:
    r"""Linear membership: score 0 at ``low``, 1 at ``high``, a straight line between.

    .. math:: \mu(x) = \min\left(1, \max\left(0, \frac{x - \mathrm{low}}
              {\mathrm{high} - \mathrm{low}}\right)\right)

    With ``low < high`` the score increases with the criterion ("more is better": 0 at and
    below ``low``, 1 at and above ``high``). With ``low > high`` it decreases ("less is
    better"): 1 at and below ``high``, 0 at and above ``low``. ``low`` is always the value
    that scores 0 and ``high`` the value that scores 1 (Malczewski 1999, ch. 4, linear scale
    transformation between a worst and a best value).

    Parameters
    ----------
    values : xarray.DataArray or numpy.ndarray
        Criterion raster, in the criterion's own units; NaN = nodata.
    low : float
        Criterion value scoring 0 (same units as ``values``).
    high : float
        Criterion value scoring 1 (same units as ``values``); must differ from ``low``.

    Returns
    -------
    xarray.DataArray or numpy.ndarray
        Score, float32 in [0, 1], NaN where ``values`` is NaN. A DataArray keeps the
        coordinates and CRS of ``values``, is named ``"<name>_score"`` and has units ``"1"``.

    Raises
    ------
    ParameterError
        If ``low == high`` or either is not a finite number.

    Examples
    --------
    >>> import numpy as np
    >>> linear(np.array([0.0, 5.0, 10.0, 20.0, np.nan]), low=5, high=15)
    array([0. , 0. , 0.5, 1. , nan], dtype=float32)
    >>> linear(np.array([0.0, 10.0, 30.0]), low=20, high=10)  # slope: less is better
    array([1., 1., 0.], dtype=float32)
    """
    low = _number(low, "linear membership parameter 'low'")
    high = _number(high, "linear membership parameter 'high'")
    if low == high:
        raise ParameterError(
            describe(
                "linear membership parameters 'low' and 'high'",
                f"both are {low}, so the score would jump from 0 to 1 with no ramp",
                "give two different values: 'low' scores 0 and 'high' scores 1 "
                "(low > high makes a decreasing, less-is-better score)",
            )
        )
    return _apply_membership(
        values,
        _linear_kernel,
        "linear membership",
        f"linear(low={low:g}, high={high:g})",
        low=low,
        high=high,
    )


def _sigmoid_kernel(x: np.ndarray, midpoint: float, width: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        score = special.expit((x - midpoint) / width)
    return _finish_kernel(score, x)


def sigmoid(
    values: xr.DataArray | np.ndarray, midpoint: float, width: float
) -> xr.DataArray | np.ndarray:
    r"""Logistic (sigmoid) membership: score 0.5 at ``midpoint``, smooth in between.

    .. math:: \mu(x) = \frac{1}{1 + \exp\left(-\frac{x - \mathrm{midpoint}}
              {\mathrm{width}}\right)}

    A positive ``width`` gives an increasing score, a negative one a decreasing score. The
    score is 0.731 at ``midpoint + width`` and 0.881 at ``midpoint + 2 width`` (0.269 and
    0.119 on the other side); it reaches 0 and 1 only in the limit.

    Parameters
    ----------
    values : xarray.DataArray or numpy.ndarray
        Criterion raster, in the criterion's own units; NaN = nodata.
    midpoint : float
        Criterion value scoring 0.5 (same units as ``values``).
    width : float
        Scale of the transition (same units as ``values``); non-zero, negative = decreasing.

    Returns
    -------
    xarray.DataArray or numpy.ndarray
        Score, float32 in [0, 1], NaN where ``values`` is NaN; see :func:`linear`.

    Raises
    ------
    ParameterError
        If ``width == 0`` or a parameter is not a finite number.

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([0.0, 10.0, 20.0]), midpoint=10, width=10).round(4)
    array([0.2689, 0.5   , 0.7311], dtype=float32)
    """
    midpoint = _number(midpoint, "sigmoid membership parameter 'midpoint'")
    width = _number(width, "sigmoid membership parameter 'width'")
    if width == 0:
        raise ParameterError(
            describe(
                "sigmoid membership parameter 'width'",
                "it is 0, which makes a step, not a sigmoid",
                "give a non-zero width in the criterion's units (negative for a decreasing score)",
            )
        )
    return _apply_membership(
        values,
        _sigmoid_kernel,
        "sigmoid membership",
        f"sigmoid(midpoint={midpoint:g}, width={width:g})",
        midpoint=midpoint,
        width=width,
    )


def _trapezoid_kernel(x: np.ndarray, a: float, b: float, c: float, d: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        rise = (x - a) / (b - a) if b > a else np.where(x >= a, 1.0, 0.0)
        fall = (d - x) / (d - c) if d > c else np.where(x <= d, 1.0, 0.0)
        score = np.clip(np.minimum(rise, fall), 0.0, 1.0)
    return _finish_kernel(score, x)


def trapezoid(
    values: xr.DataArray | np.ndarray, a: float, b: float, c: float, d: float
) -> xr.DataArray | np.ndarray:
    r"""Trapezoidal membership: 0 outside [a, d], rising to 1 at b, 1 on [b, c], falling to 0 at d.

    .. math:: \mu(x) = \max\left(0, \min\left(\frac{x - a}{b - a}, 1,
              \frac{d - x}{d - c}\right)\right)

    ``a == b`` makes a vertical rise (score 1 from ``x = a``), ``c == d`` a vertical fall
    (score 1 up to and including ``x = d``), ``b == c`` a triangle.

    Parameters
    ----------
    values : xarray.DataArray or numpy.ndarray
        Criterion raster, in the criterion's own units; NaN = nodata.
    a, b, c, d : float
        Break points in the criterion's units, ``a <= b <= c <= d`` and ``a < d``.

    Returns
    -------
    xarray.DataArray or numpy.ndarray
        Score, float32 in [0, 1], NaN where ``values`` is NaN; see :func:`linear`.

    Raises
    ------
    ParameterError
        If the break points are out of order (the message names the pair) or not finite.

    Examples
    --------
    >>> import numpy as np
    >>> trapezoid(np.array([0.0, 15.0, 25.0, 40.0, 55.0, 70.0]), 10, 20, 40, 60)
    array([0.  , 0.5 , 1.  , 1.  , 0.25, 0.  ], dtype=float32)
    """
    points = {
        name: _number(value, f"trapezoid membership parameter {name!r}")
        for name, value in (("a", a), ("b", b), ("c", c), ("d", d))
    }
    order = list(points.items())
    for (n1, v1), (n2, v2) in zip(order, order[1:], strict=False):
        if v1 > v2:
            raise ParameterError(
                describe(
                    "trapezoid membership parameters",
                    f"{n1} = {v1:g} is greater than {n2} = {v2:g}",
                    "give break points in order a <= b <= c <= d (0 below a, rising to 1 "
                    "at b, 1 until c, 0 again at d)",
                )
            )
    if points["a"] == points["d"]:
        raise ParameterError(
            describe(
                "trapezoid membership parameters",
                f"a = d = {points['a']:g}, so the trapezoid has no width",
                "give a < d",
            )
        )
    text = "trapezoid(a={a:g}, b={b:g}, c={c:g}, d={d:g})".format(**points)
    return _apply_membership(values, _trapezoid_kernel, "trapezoid membership", text, **points)


def _gaussian_kernel(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        score = np.exp(-0.5 * ((x - mean) / sd) ** 2)
    return _finish_kernel(score, x)


def gaussian(
    values: xr.DataArray | np.ndarray, mean: float, sd: float
) -> xr.DataArray | np.ndarray:
    r"""Gaussian (bell) membership: score 1 at ``mean``, falling off on both sides.

    .. math:: \mu(x) = \exp\left(-\frac{1}{2}\left(\frac{x - \mathrm{mean}}{\mathrm{sd}}
              \right)^2\right)

    The score is 0.607 at ``mean ± sd`` and 0.135 at ``mean ± 2 sd``.

    Parameters
    ----------
    values : xarray.DataArray or numpy.ndarray
        Criterion raster, in the criterion's own units; NaN = nodata.
    mean : float
        Ideal criterion value, scoring 1 (same units as ``values``).
    sd : float
        Spread (same units as ``values``), > 0.

    Returns
    -------
    xarray.DataArray or numpy.ndarray
        Score, float32 in [0, 1], NaN where ``values`` is NaN; see :func:`linear`.

    Raises
    ------
    ParameterError
        If ``sd <= 0`` or a parameter is not a finite number.

    Examples
    --------
    >>> import numpy as np
    >>> gaussian(np.array([1300.0, 1400.0, 1500.0]), mean=1300, sd=100).round(4)
    array([1.    , 0.6065, 0.1353], dtype=float32)
    """
    mean = _number(mean, "gaussian membership parameter 'mean'")
    sd = _number(sd, "gaussian membership parameter 'sd'")
    if sd <= 0:
        raise ParameterError(
            describe(
                "gaussian membership parameter 'sd'",
                f"it is {sd:g}, but a standard deviation must be > 0",
                "give a positive spread in the criterion's units",
            )
        )
    return _apply_membership(
        values,
        _gaussian_kernel,
        "gaussian membership",
        f"gaussian(mean={mean:g}, sd={sd:g})",
        mean=mean,
        sd=sd,
    )


def _categorical_kernel(
    x: np.ndarray, classes: np.ndarray, class_scores: np.ndarray, default: float
) -> np.ndarray:
    x = np.asarray(x)
    idx = np.clip(np.searchsorted(classes, x), 0, classes.size - 1)
    hit = classes[idx] == x
    score = np.where(hit, class_scores[idx], default)
    return _finish_kernel(score, x)


def categorical(
    values: xr.DataArray | np.ndarray,
    scores: Mapping[int, float],
    default: float | None = 0.0,
) -> xr.DataArray | np.ndarray:
    """Categorical membership: look up a score for each class code (e.g. land cover).

    ``score(x) = scores[x]`` if ``x`` is one of the listed classes, else ``default``. The
    lookup is a vectorised binary search over the sorted class codes, done block by block.
    A cell whose value is not exactly one of the codes (e.g. a fractional value left by
    bilinear resampling of a class raster) gets ``default``.

    Parameters
    ----------
    values : xarray.DataArray or numpy.ndarray
        Class raster (integer codes, or floats holding integer codes with NaN = nodata).
    scores : Mapping[int, float]
        Score of each class code, each in [0, 1].
    default : float or None, default 0.0
        Score, in [0, 1], of classes not listed; ``None`` marks them as nodata (NaN).

    Returns
    -------
    xarray.DataArray or numpy.ndarray
        Score, float32 in [0, 1], NaN where ``values`` is NaN; see :func:`linear`.

    Raises
    ------
    ParameterError
        If ``scores`` is empty, a code is not an integer, or a score is outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> categorical(np.array([10, 20, 30, 95]), {10: 1.0, 20: 0.6, 30: 0.2})
    array([1. , 0.6, 0.2, 0. ], dtype=float32)
    """
    what = "categorical membership 'scores'"
    if not isinstance(scores, Mapping) or not scores:
        raise ParameterError(
            describe(
                what,
                "no class scores were given",
                "give a mapping of class code to score, e.g. {10: 1.0, 20: 0.5}",
            )
        )
    codes: list[int] = []
    class_scores: list[float] = []
    for code, score in scores.items():
        is_int = isinstance(code, numbers.Integral) and not isinstance(code, bool)
        if not is_int and isinstance(code, numbers.Real) and float(code).is_integer():
            is_int = True
        if not is_int:
            raise ParameterError(
                describe(what, f"class code {code!r} is not an integer", "use integer codes")
            )
        value = _number(score, f"{what}[{code!r}]")
        if not 0.0 <= value <= 1.0:
            raise ParameterError(
                describe(
                    f"{what}[{code!r}]",
                    f"score {value:g} is outside [0, 1]",
                    "give scores between 0 (unsuitable) and 1 (most suitable)",
                )
            )
        codes.append(int(code))
        class_scores.append(value)
    if len(set(codes)) != len(codes):
        raise ParameterError(describe(what, "a class code is listed twice", "list each once"))
    if default is None:
        fill = math.nan
    else:
        fill = _number(default, "categorical membership 'default'")
        if not 0.0 <= fill <= 1.0:
            raise ParameterError(
                describe(
                    "categorical membership 'default'",
                    f"score {fill:g} is outside [0, 1]",
                    "give a score in [0, 1], or None to mark unlisted classes as nodata",
                )
            )
    order = np.argsort(codes)
    classes = np.asarray(codes, dtype=np.int64)[order]
    lut = np.asarray(class_scores, dtype=np.float64)[order]
    text = (
        "categorical({" + ", ".join(f"{c}: {s:g}" for c, s in zip(classes, lut, strict=True)) + "}"
    )
    text += f", default={default if default is None else format(fill, 'g')})"
    return _apply_membership(
        values,
        _categorical_kernel,
        "categorical membership",
        text,
        classes=classes,
        class_scores=lut,
        default=fill,
    )


_MEMBERSHIP_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "linear": linear,
    "sigmoid": sigmoid,
    "trapezoid": trapezoid,
    "gaussian": gaussian,
    "categorical": categorical,
}

#: Names accepted by :func:`membership`.
MEMBERSHIP_KINDS: tuple[str, ...] = tuple(_MEMBERSHIP_FUNCTIONS)


def membership(
    values: xr.DataArray | np.ndarray, kind: str, **params: Any
) -> xr.DataArray | np.ndarray:
    """Apply the membership function named ``kind`` (for scenario files).

    Parameters
    ----------
    values : xarray.DataArray or numpy.ndarray
        Criterion raster; NaN = nodata.
    kind : str
        One of :data:`MEMBERSHIP_KINDS`: ``"linear"``, ``"sigmoid"``, ``"trapezoid"``,
        ``"gaussian"``, ``"categorical"``.
    **params
        The parameters of that function, e.g. ``low=5, high=15`` for ``"linear"``.

    Returns
    -------
    xarray.DataArray or numpy.ndarray
        Score in [0, 1], as returned by the named function.

    Raises
    ------
    ParameterError
        If ``kind`` is unknown (the message lists the kinds), a parameter is missing or
        unexpected (the message names it), or a parameter value is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> membership(np.array([0.0, 10.0]), "linear", low=0, high=20)
    array([0. , 0.5], dtype=float32)
    """
    key = kind.strip().lower() if isinstance(kind, str) else kind
    func = _MEMBERSHIP_FUNCTIONS.get(key)
    if func is None:
        raise ParameterError(
            describe(
                "membership kind",
                f"{kind!r} is not a known membership function",
                f"use one of: {', '.join(MEMBERSHIP_KINDS)}",
            )
        )
    signature = inspect.signature(func)
    accepted = [p for p in signature.parameters.values() if p.name != "values"]
    required = {p.name for p in accepted if p.default is inspect.Parameter.empty}
    missing = sorted(required - set(params))
    unexpected = sorted(set(params) - {p.name for p in accepted})
    if missing or unexpected:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unexpected:
            problems.append(f"unexpected {', '.join(unexpected)}")
        raise ParameterError(
            describe(
                f"{key} membership parameters",
                "; ".join(problems),
                f"give exactly: {', '.join(p.name for p in accepted)}",
            )
        )
    return func(values, **params)


# --------------------------------------------------------------------------------------------
# Weights and the weighted overlay
# --------------------------------------------------------------------------------------------


def _check_weights(
    weights: Mapping[str, float], names: Sequence[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """Validate weights (and their keys against ``names``); return sorted names and weights.

    The returned weights are divided by their sum, which removes rounding (the sum is
    already 1 within :data:`WEIGHT_SUM_TOLERANCE`).
    """
    if not isinstance(weights, Mapping) or not weights:
        raise ParameterError(
            describe(
                "weights",
                "no weights were given",
                "give a mapping of criterion name to weight, e.g. {'slope': 0.6, 'road': 0.4}",
            )
        )
    if names is not None:
        missing = [n for n in names if n not in weights]
        extra = [n for n in weights if n not in set(names)]
        if missing or extra:
            problems = []
            if missing:
                problems.append(f"no weight for criteria {missing}")
            if extra:
                problems.append(f"weights for criteria that have no score raster {extra}")
            raise ParameterError(
                describe(
                    "weights",
                    "; ".join(problems),
                    "give exactly one weight per score raster, with the same names",
                )
            )
    ordered = sorted(weights, key=str)
    values = np.array([_number(weights[n], f"weights[{n!r}]") for n in ordered])
    negative = [n for n, v in zip(ordered, values, strict=True) if v < 0]
    if negative:
        raise ParameterError(
            describe("weights", f"negative weights for {negative}", "use weights >= 0")
        )
    total = float(values.sum())
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise ParameterError(
            describe(
                "weights",
                f"they sum to {total:.6g}, not 1",
                "normalise them (divide each by their sum) or derive them with "
                "ahp_weights(), whose weights sum to 1",
            )
        )
    return ordered, values / total


def _check_scores(scores: Mapping[str, xr.DataArray], names: Sequence[str]) -> list[xr.DataArray]:
    """Check that the score rasters are DataArrays on one grid; return them in ``names`` order."""
    arrays = []
    for name in names:
        array = scores[name]
        if not isinstance(array, xr.DataArray):
            raise ParameterError(
                describe(
                    f"scores[{name!r}]",
                    f"it is a {type(array).__name__}, not an xarray.DataArray",
                    "pass score rasters made by the membership functions",
                )
            )
        arrays.append(array)
    first = arrays[0]
    for name, array in zip(names, arrays, strict=True):
        if array.dims != first.dims or array.shape != first.shape:
            raise ParameterError(
                describe(
                    f"scores[{name!r}]",
                    f"dims {array.dims} shape {array.shape} differ from "
                    f"scores[{names[0]!r}] dims {first.dims} shape {first.shape}",
                    "align all criteria onto the analysis grid first",
                )
            )
    try:
        xr.align(*arrays, join="exact", copy=False)
    except ValueError as err:
        raise ParameterError(
            describe(
                "scores",
                f"the score rasters are not on the same grid ({err})",
                "align all criteria onto the analysis grid first",
            )
        ) from err
    return arrays


def _check_scores_and_weights(
    scores: Mapping[str, xr.DataArray], weights: Mapping[str, float]
) -> tuple[list[str], np.ndarray, list[str], list[xr.DataArray], np.ndarray]:
    """Validate both; return (all names, all weights, active names, active arrays, active w)."""
    if not isinstance(scores, Mapping) or not scores:
        raise ParameterError(
            describe("scores", "no score rasters were given", "give a mapping name -> raster")
        )
    names, w = _check_weights(weights, list(scores))
    active = [n for n, wi in zip(names, w, strict=True) if wi > 0]
    arrays = _check_scores(scores, active)
    return names, w, active, arrays, w[w > 0]


def weighted_overlay(
    scores: Mapping[str, xr.DataArray], weights: Mapping[str, float]
) -> xr.DataArray:
    r"""Weighted linear combination of criterion scores into one suitability raster.

    .. math:: S = \sum_i w_i \, s_i, \qquad w_i \ge 0, \quad \sum_i w_i = 1

    (Malczewski 1999, ch. 6, weighted linear combination.) With every score in [0, 1] the
    suitability is in [0, 1] too.

    **Nodata:** a cell is NaN when any criterion with a non-zero weight is NaN there (a cell
    that cannot be judged on every criterion is not scored). Criteria with weight 0 are left
    out, so their nodata does not spread.

    Parameters
    ----------
    scores : Mapping[str, xarray.DataArray]
        Score rasters in [0, 1] on one grid, by criterion name.
    weights : Mapping[str, float]
        Weight of each criterion, >= 0, summing to 1 within 1e-6, with exactly the keys of
        ``scores`` (e.g. ``ahp_weights(...).weights``).

    Returns
    -------
    xarray.DataArray
        ``"suitability"``, float32 in [0, 1], units ``"1"``, on the grid (coordinates, CRS)
        of the scores.

    Raises
    ------
    ParameterError
        If weights are missing for some criteria or given for unknown ones (both named),
        negative, or do not sum to 1; or if the rasters are not on one grid.
    """
    names, w, active, arrays, w_active = _check_scores_and_weights(scores, weights)
    total: xr.DataArray | None = None
    for array, wi in zip(arrays, w_active, strict=True):
        term = array.astype(np.float64) * float(wi)
        total = term if total is None else total + term
    assert total is not None  # at least one weight is > 0 because they sum to 1
    result = total.astype(np.float32)
    result.name = "suitability"
    weights_text = ", ".join(f"{n}: {wi:.4g}" for n, wi in zip(names, w, strict=True))
    result.attrs = _score_attrs(arrays[0], "weighted-overlay suitability", weights=weights_text)
    return result


# --------------------------------------------------------------------------------------------
# Analytic hierarchy process
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AHPResult:
    """Weights and consistency of an AHP pairwise comparison matrix.

    Attributes
    ----------
    weights : dict[str, float]
        Criterion weights (principal right eigenvector, normalised to sum 1), by name.
    lambda_max : float
        Principal eigenvalue of the matrix (= n for a perfectly consistent matrix).
    consistency_index : float
        CI = (lambda_max - n) / (n - 1); 0 for n <= 2.
    random_index : float
        RI(n) from :data:`SAATY_RANDOM_INDEX`.
    consistency_ratio : float
        CR = CI / RI; 0 for n <= 2 (a 2 x 2 reciprocal matrix is always consistent).
    """

    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float


def _check_names(names: Sequence[str], what: str) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise ParameterError(
            describe(what, f"{names!r} is not a list of names", "give a list of criterion names")
        )
    out = list(names)
    bad = [n for n in out if not isinstance(n, str) or not n]
    if bad:
        raise ParameterError(
            describe(what, f"{bad} are not non-empty strings", "name each criterion")
        )
    duplicates = sorted({n for n in out if out.count(n) > 1})
    if duplicates:
        raise ParameterError(describe(what, f"{duplicates} appear twice", "list each once"))
    return out


def ahp_weights(
    matrix: Sequence[Sequence[float]] | np.ndarray,
    names: Sequence[str],
    *,
    max_consistency_ratio: float = AHP_CONSISTENCY_RATIO_LIMIT,
) -> AHPResult:
    r"""Criterion weights from an AHP pairwise comparison matrix (Saaty 1977, 1980).

    Entry :math:`a_{ij}` says how many times more important criterion *i* is than *j* on
    Saaty's 1-9 scale, with :math:`a_{ji} = 1 / a_{ij}` and :math:`a_{ii} = 1`. The weights
    are the principal right eigenvector, :math:`A w = \lambda_{max} w`, normalised to
    :math:`\sum w_i = 1`. Consistency:

    .. math:: CI = \frac{\lambda_{max} - n}{n - 1}, \qquad CR = \frac{CI}{RI(n)}

    with the random index RI(n) of :data:`SAATY_RANDOM_INDEX`. For n <= 2 the matrix is
    always consistent and CR = 0. Matrices larger than 10 x 10 are refused: RI is tabulated
    only up to n = 10 here, and Saaty advises comparing no more than about 7 ± 2 elements at
    once, so group the criteria into a hierarchy instead.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Positive reciprocal pairwise comparison matrix; rows and columns in ``names`` order.
        :func:`ahp_matrix_from_upper` builds one from upper-triangle judgements.
    names : Sequence[str]
        Criterion names, n of them.
    max_consistency_ratio : float, default 0.10
        Refuse matrices with CR >= this (Saaty's 0.10 rule). Pass ``math.inf`` to accept any.

    Returns
    -------
    AHPResult
        Weights by name, lambda_max, CI, RI and CR.

    Raises
    ------
    ParameterError
        If the matrix is not square or its size differs from ``len(names)``; has an entry
        that is not positive and finite; a diagonal entry other than 1; a pair that is not
        reciprocal (:math:`|a_{ij} a_{ji} - 1| > 10^{-6}`, the pair is named); n > 10; or
        CR >= ``max_consistency_ratio`` (the message shows CR and the judgement that
        deviates most from the derived weights, :math:`\max(a_{ij} w_j / w_i,
        w_i / (a_{ij} w_j))`).

    Examples
    --------
    >>> r = ahp_weights([[1, 3, 6], [1 / 3, 1, 2], [1 / 6, 1 / 2, 1]], ["slope", "road", "soil"])
    >>> {k: round(v, 3) for k, v in r.weights.items()}
    {'slope': 0.667, 'road': 0.222, 'soil': 0.111}
    >>> round(r.consistency_ratio, 6)
    0.0
    """
    what = "AHP pairwise comparison matrix"
    labels = _check_names(names, "AHP criterion names")
    limit = float(max_consistency_ratio)
    if not limit > 0:
        raise ParameterError(
            describe(
                "max_consistency_ratio",
                f"{max_consistency_ratio!r} is not > 0",
                "give a positive limit (Saaty's rule is 0.10; math.inf accepts any matrix)",
            )
        )
    try:
        a = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            describe(what, f"it is not a numeric matrix ({err})", "give an n x n list of numbers")
        ) from err
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ParameterError(
            describe(what, f"its shape is {a.shape}, not square", "give an n x n matrix")
        )
    n = a.shape[0]
    if n != len(labels):
        raise ParameterError(
            describe(
                what,
                f"it is {n} x {n} but {len(labels)} names were given",
                "give one row and one column per criterion name",
            )
        )
    if n == 0:
        raise ParameterError(describe(what, "it is empty", "compare at least one criterion"))
    if n > max(SAATY_RANDOM_INDEX):
        raise ParameterError(
            describe(
                what,
                f"it compares {n} criteria; the random index is tabulated up to "
                f"n = {max(SAATY_RANDOM_INDEX)} and so many pairwise judgements are hard "
                "to keep consistent",
                "group the criteria into a hierarchy of at most 10 per comparison "
                "(Saaty advises 7 ± 2) and multiply the weights down the levels",
            )
        )
    bad = np.argwhere(~(np.isfinite(a) & (a > 0)))
    if bad.size:
        i, j = bad[0]
        raise ParameterError(
            describe(
                what,
                f"entry [{labels[i]!r}, {labels[j]!r}] = {a[i, j]:g}; every entry must be "
                "positive and finite",
                "use Saaty's scale 1/9 ... 9 (1 = equal importance)",
            )
        )
    diag = np.flatnonzero(np.abs(np.diag(a) - 1.0) > AHP_RECIPROCAL_TOLERANCE)
    if diag.size:
        i = diag[0]
        raise ParameterError(
            describe(
                what,
                f"diagonal entry [{labels[i]!r}, {labels[i]!r}] = {a[i, i]:g}, not 1",
                "set every diagonal entry to 1 (a criterion is as important as itself)",
            )
        )
    product = a * a.T
    off = np.argwhere(np.triu(np.abs(product - 1.0) > AHP_RECIPROCAL_TOLERANCE, k=1))
    if off.size:
        i, j = off[0]
        raise ParameterError(
            describe(
                what,
                f"the pair ({i}, {j}) = ({labels[i]!r}, {labels[j]!r}) is not reciprocal: "
                f"a[{i},{j}] = {a[i, j]:g} but a[{j},{i}] = {a[j, i]:g} "
                f"(their product is {product[i, j]:.6g}, not 1)",
                f"set a[{j},{i}] = 1 / a[{i},{j}] exactly, or build the matrix with "
                "ahp_matrix_from_upper()",
            )
        )

    eigenvalues, eigenvectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[k].real)
    vector = np.abs(eigenvectors[:, k].real)
    w = vector / vector.sum()

    random_index = float(SAATY_RANDOM_INDEX[n])
    if n <= 2:
        ci = 0.0
        cr = 0.0
    else:
        # lambda_max >= n for a positive reciprocal matrix; clip rounding below n.
        ci = max(0.0, (lambda_max - n) / (n - 1))
        cr = ci / random_index
    if cr >= limit:
        ratio = a * w[np.newaxis, :] / w[:, np.newaxis]  # a_ij w_j / w_i, 1 if consistent
        deviation = np.triu(np.maximum(ratio, 1.0 / ratio), k=1)
        i, j = np.unravel_index(int(np.argmax(deviation)), deviation.shape)
        raise InconsistentAHPError(
            what=what,
            problem=f"the judgements are too inconsistent: CR = {cr:.2f} ≥ {limit:.2f} "
            f"(lambda_max = {lambda_max:.4f}, CI = {ci:.4f}, RI = {random_index:.2f} "
            f"for n = {n})",
            fix=f"revisit the judgements, starting with {labels[i]!r} vs {labels[j]!r}: "
            f"it is {a[i, j]:.3g} but the other judgements imply about "
            f"{w[i] / w[j]:.2g}; or raise max_consistency_ratio to accept this",
            consistency_ratio=cr,
            limit=limit,
        )
    return AHPResult(
        weights={name: float(wi) for name, wi in zip(labels, w, strict=True)},
        lambda_max=lambda_max,
        consistency_index=ci,
        random_index=random_index,
        consistency_ratio=cr,
    )


def ahp_matrix_from_upper(
    names: Sequence[str], judgements: Mapping[tuple[str, str], float]
) -> np.ndarray:
    """Build the full reciprocal AHP matrix from one judgement per pair of criteria.

    ``judgements[(p, q)] = v`` means "p is v times as important as q" and sets
    ``a[p, q] = v`` and ``a[q, p] = 1 / v``. Each unordered pair must be judged exactly once,
    in either order; the diagonal is 1. Convenient for scenario files (YAML), where writing
    the upper triangle is enough.

    Parameters
    ----------
    names : Sequence[str]
        Criterion names, in the row/column order of the matrix.
    judgements : Mapping[tuple[str, str], float]
        One positive, finite judgement per pair of distinct names.

    Returns
    -------
    numpy.ndarray
        The n x n positive reciprocal matrix (float64), ready for :func:`ahp_weights`.

    Raises
    ------
    ParameterError
        If a key is not a pair of known, distinct names; a pair is judged twice; a
        judgement is not positive and finite; or pairs are missing (they are listed).

    Examples
    --------
    >>> ahp_matrix_from_upper(["a", "b"], {("a", "b"): 4})
    array([[1.  , 4.  ],
           [0.25, 1.  ]])
    """
    labels = _check_names(names, "AHP criterion names")
    index = {name: i for i, name in enumerate(labels)}
    n = len(labels)
    a = np.eye(n)
    seen: dict[frozenset[str], tuple[str, str]] = {}
    what = "AHP judgements"
    for key, value in judgements.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ParameterError(
                describe(what, f"key {key!r} is not a pair of names", "key by (name, name)")
            )
        p, q = key
        unknown = [x for x in (p, q) if x not in index]
        if unknown:
            raise ParameterError(
                describe(what, f"{key!r} names unknown criteria {unknown}", f"use {labels}")
            )
        if p == q:
            raise ParameterError(
                describe(what, f"{key!r} compares a criterion with itself", "drop it")
            )
        pair = frozenset((p, q))
        if pair in seen:
            raise ParameterError(
                describe(
                    what,
                    f"{key!r} and {seen[pair]!r} judge the same pair",
                    "give one judgement per pair",
                )
            )
        seen[pair] = key
        v = _number(value, f"{what}[{key!r}]")
        if v <= 0:
            raise ParameterError(
                describe(
                    f"{what}[{key!r}]",
                    f"{v:g} is not positive",
                    "use Saaty's scale 1/9 ... 9 (1 = equal importance)",
                )
            )
        i, j = index[p], index[q]
        a[i, j] = v
        a[j, i] = 1.0 / v
    missing = [
        (labels[i], labels[j])
        for i in range(n)
        for j in range(i + 1, n)
        if frozenset((labels[i], labels[j])) not in seen
    ]
    if missing:
        raise ParameterError(
            describe(what, f"no judgement for pairs {missing}", "judge every pair once")
        )
    return a


# --------------------------------------------------------------------------------------------
# Weight sensitivity (Monte Carlo)
# --------------------------------------------------------------------------------------------


def _check_draw_parameters(n_draws: int, spread: float, seed: int) -> tuple[int, float, int]:
    if isinstance(n_draws, bool) or not isinstance(n_draws, numbers.Integral) or n_draws < 2:
        raise ParameterError(
            describe("n_draws", f"{n_draws!r} is not an integer >= 2", "use e.g. 200 draws")
        )
    s = _number(spread, "spread")
    if not 0.0 <= s < 1.0:
        raise ParameterError(
            describe(
                "spread",
                f"{s:g} is outside [0, 1)",
                "give the relative half-width of the weight perturbation, e.g. 0.2 for ±20 %",
            )
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ParameterError(
            describe("seed", f"{seed!r} is not a non-negative integer", "give e.g. seed=0")
        )
    return int(n_draws), s, int(seed)


def _draw_matrix(w: np.ndarray, n_draws: int, spread: float, seed: int) -> np.ndarray:
    """Perturbed weights, shape (n_draws, len(w)), each row summing to 1."""
    rng = np.random.default_rng(seed)
    factors = 1.0 + spread * rng.uniform(-1.0, 1.0, size=(n_draws, w.size))
    draws = w[np.newaxis, :] * factors
    return draws / draws.sum(axis=1, keepdims=True)


def weight_draws(
    weights: Mapping[str, float], n_draws: int = 200, spread: float = 0.2, seed: int = 0
) -> pd.DataFrame:
    r"""Monte Carlo draws of perturbed criterion weights.

    Every weight is multiplied by its own independent uniform factor, then the draw is
    renormalised to sum 1:

    .. math:: w'_i = \frac{w_i (1 + \mathrm{spread}\, u_i)}{\sum_k w_k (1 + \mathrm{spread}\,
              u_k)}, \qquad u_i \sim U(-1, 1)

    This is a simultaneous, random version of the one-at-a-time perturbation of Chen, Yu &
    Khan (2010), who vary each AHP weight by up to ±20 % and rescale the others so the
    weights still sum to 1; ``spread = 0.2`` matches their range. Weights of 0 stay 0.
    The draw order is fixed (criteria sorted by name), so the same weights and seed give the
    same draws whatever the order of the mapping.

    Parameters
    ----------
    weights : Mapping[str, float]
        Base weights, >= 0, summing to 1.
    n_draws : int, default 200
        Number of draws, >= 2.
    spread : float, default 0.2
        Relative half-width of the perturbation of each weight, in [0, 1) (0.2 = ±20 %).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    pandas.DataFrame
        One row per draw (index ``draw``), one column per criterion (sorted by name).
    """
    n_draws, spread, seed = _check_draw_parameters(n_draws, spread, seed)
    names, w = _check_weights(weights)
    draws = _draw_matrix(w, n_draws, spread, seed)
    return pd.DataFrame(draws, columns=names, index=pd.RangeIndex(n_draws, name="draw"))


def _stack(arrays: Sequence[xr.DataArray]) -> Any:
    """Stack criterion rasters into one (k, ...) array: numpy, or dask with k in one chunk."""
    if any(_is_dask(a.data) for a in arrays):
        stacked = da.stack([da.asarray(a.data) for a in arrays])
        return stacked.rechunk({0: -1})
    return np.stack([np.asarray(a.data) for a in arrays])


def _spread_kernel(stack: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Per-cell mean, std (ddof=1), 5th and 95th percentile of the Monte Carlo scores.

    ``stack`` is (k, ...) criterion scores, ``draws`` (n_draws, k) weights. The suitability
    of a cell is linear in the weights, so its mean and variance over the draws are exactly
    ``s . mean(w)`` and ``s' C s`` with ``C`` the sample covariance of the draws; only the
    percentiles need the individual draws. Those are formed (in float32) and sorted
    :data:`SPREAD_BLOCK_CELLS` cells at a time, so memory stays bounded.
    """
    k = stack.shape[0]
    shape = stack.shape[1:]
    flat = stack.reshape(k, -1)
    out = np.full((4, flat.shape[1]), np.nan, dtype=np.float32)
    valid = np.flatnonzero(np.all(np.isfinite(flat), axis=0))
    n_draws = draws.shape[0]
    mean_w = draws.mean(axis=0)
    cov_w = np.atleast_2d(np.cov(draws, rowvar=False, ddof=1))
    weights_t = np.ascontiguousarray(draws.T, dtype=np.float32)  # (k, n_draws)
    # Percentiles as numpy.quantile's default ("linear", Hyndman & Fan 1996 type 7).
    positions = (n_draws - 1) * np.array([0.05, 0.95])
    lower = np.floor(positions).astype(np.int64)
    upper = np.minimum(lower + 1, n_draws - 1)
    fraction = positions - lower
    for start in range(0, valid.size, SPREAD_BLOCK_CELLS):
        cells = valid[start : start + SPREAD_BLOCK_CELLS]
        block = flat[:, cells].T.astype(np.float64)  # (m, k)
        out[0, cells] = block @ mean_w
        variance = ((block @ cov_w) * block).sum(axis=1)
        out[1, cells] = np.sqrt(np.maximum(variance, 0.0))
        sample = block.astype(np.float32) @ weights_t  # (m, n_draws) suitability per draw
        sample.sort(axis=1)
        low = sample[:, lower].astype(np.float64)
        high = sample[:, upper].astype(np.float64)
        out[2:, cells] = (low + fraction * (high - low)).T
    return out.reshape((4, *shape))


def score_spread(
    scores: Mapping[str, xr.DataArray],
    weights: Mapping[str, float],
    n_draws: int = 200,
    spread: float = 0.2,
    seed: int = 0,
) -> xr.Dataset:
    """Per-cell spread of the weighted-overlay suitability under perturbed weights.

    For each draw of :func:`weight_draws` the suitability of a cell is
    ``sum_i w'_i s_i``; this returns, per cell, the mean, standard deviation and 5th / 95th
    percentiles over the draws. Since the suitability is linear in the weights, the mean and
    standard deviation follow exactly from the mean vector and covariance matrix of the
    draws; the percentiles need the draws, which are formed and sorted block by block (dask
    chunks, and within a chunk :data:`SPREAD_BLOCK_CELLS` cells at a time), so memory stays
    bounded for rasters of millions of cells. Lazy on dask-backed scores. Nodata as in
    :func:`weighted_overlay`.

    Parameters
    ----------
    scores : Mapping[str, xarray.DataArray]
        Score rasters in [0, 1] on one grid, by criterion name.
    weights : Mapping[str, float]
        Base weights, as for :func:`weighted_overlay`.
    n_draws : int, default 200
        Number of Monte Carlo draws, >= 2.
    spread : float, default 0.2
        Relative half-width of the weight perturbation (see :func:`weight_draws`).
    seed : int, default 0
        Seed of the draws; the same seed gives identical results.

    Returns
    -------
    xarray.Dataset
        ``score_mean``, ``score_std`` (ddof = 1), ``score_p05``, ``score_p95``: float32,
        units ``"1"``, on the grid of the scores. The percentiles interpolate linearly
        between order statistics (the :func:`numpy.quantile` default; Hyndman & Fan 1996,
        Am. Stat. 50(4):361-365, definition 7), computed from float32 draws.
    """
    n_draws, spread, seed = _check_draw_parameters(n_draws, spread, seed)
    names, w, active, arrays, _ = _check_scores_and_weights(scores, weights)
    draws = _draw_matrix(w, n_draws, spread, seed)[:, w > 0]
    stacked = _stack(arrays)
    if _is_dask(stacked):
        result = da.map_blocks(
            _spread_kernel,
            stacked,
            draws=draws,
            chunks=((4,), *stacked.chunks[1:]),
            dtype=np.float32,
        )
    else:
        result = _spread_kernel(stacked, draws)
    template = arrays[0]
    described = {
        "score_mean": "mean",
        "score_std": "standard deviation",
        "score_p05": "5th percentile",
        "score_p95": "95th percentile",
    }
    data_vars = {}
    for i, (var, text) in enumerate(described.items()):
        array = template.copy(data=result[i])
        array.name = var
        array.attrs = _score_attrs(
            template, f"{text} of the suitability over {n_draws} weight draws"
        )
        data_vars[var] = array
    out = xr.Dataset(data_vars)
    out.attrs = {
        "n_draws": n_draws,
        "spread": spread,
        "seed": seed,
        "weights": ", ".join(f"{n}: {wi:.4g}" for n, wi in zip(names, w, strict=True)),
        "perturbation": "w_i (1 + spread u_i), u_i ~ U(-1, 1), renormalised to sum 1 "
        "(after Chen, Yu & Khan 2010, Environ. Model. Softw. 25:1582-1591)",
    }
    return out


def _site_sums(stack: np.ndarray, labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Per-label sums of each criterion over valid cells, valid-cell count, all-cell count.

    Returns an array of shape (k + 2, n_labels + 1) indexed by label.
    """
    k = stack.shape[0]
    flat = stack.reshape(k, -1)
    lab = np.asarray(labels).reshape(-1)
    if np.issubdtype(lab.dtype, np.floating):
        in_site = np.isfinite(lab) & (lab > 0)
        if np.any(lab[in_site] != np.round(lab[in_site])):
            raise ParameterError(
                describe(
                    "site_labels",
                    "some labels are not whole numbers",
                    "label sites with integers (0 = no site); rasterise with nearest "
                    "neighbour, not bilinear resampling",
                )
            )
    else:
        in_site = lab > 0
    if np.any(lab < 0):  # NaN < 0 is False
        raise ParameterError(
            describe("site_labels", "some labels are negative", "use 0 for no site, 1.. for sites")
        )
    site_lab = lab[in_site].astype(np.int64)
    valid = np.all(np.isfinite(flat[:, in_site]), axis=0)
    good_lab = site_lab[valid]
    out = np.empty((k + 2, n_labels + 1), dtype=np.float64)
    for i in range(k):
        out[i] = np.bincount(good_lab, weights=flat[i, in_site][valid], minlength=n_labels + 1)
    out[k] = np.bincount(good_lab, minlength=n_labels + 1)
    out[k + 1] = np.bincount(site_lab, minlength=n_labels + 1)
    return out


def _all_site_sums(stacked: Any, labels: Any) -> np.ndarray:
    """:func:`_site_sums` over the whole raster, block by block on dask."""
    lazy = _is_dask(stacked) or _is_dask(labels)
    if lazy:
        stacked = da.asarray(stacked).rechunk({0: -1})
        labels = da.asarray(labels).rechunk(stacked.chunks[1:])
        top = float(da.nanmax(labels).compute()) if labels.size else 0.0
    else:
        with np.errstate(invalid="ignore"):
            top = float(np.nanmax(labels, initial=0)) if np.size(labels) else 0.0
    n_labels = int(top) if math.isfinite(top) and top > 0 else 0
    if n_labels > MAX_SITE_LABEL:
        raise ParameterError(
            describe(
                "site_labels",
                f"the largest label is {n_labels}; labels index per-site tables, so they "
                f"must be at most {MAX_SITE_LABEL:,}",
                "number the sites 1, 2, ... (e.g. the row number of the site table)",
            )
        )
    if not lazy:
        return _site_sums(stacked, labels, n_labels)
    stack_blocks = stacked.to_delayed()
    label_blocks = labels.to_delayed()
    parts = [
        dask.delayed(_site_sums)(stack_blocks[(0, *ij)], label_blocks[ij], n_labels)
        for ij in np.ndindex(label_blocks.shape)
    ]
    (total,) = dask.compute(dask.delayed(sum)(parts))
    return np.asarray(total)


def rank_stability(
    scores: Mapping[str, xr.DataArray],
    weights: Mapping[str, float],
    site_labels: xr.DataArray,
    n_draws: int = 200,
    spread: float = 0.2,
    seed: int = 0,
) -> pd.DataFrame:
    """How stable the ranking of candidate sites is under perturbed weights.

    Sites are ranked by their mean suitability (mean of :func:`weighted_overlay` over the
    site's cells; cells with nodata in a weighted criterion are left out). Because the
    overlay is linear, a site's mean suitability for weights ``w`` is ``sum_i w_i m_i``,
    where ``m_i`` is the site's mean of criterion ``i``: the per-site means are computed
    once (one pass over the rasters, ``numpy.bincount``), and each draw of
    :func:`weight_draws` is then a small matrix product. This function computes (it returns
    a table); on dask it makes one pass for the largest label and one for the sums.

    Parameters
    ----------
    scores : Mapping[str, xarray.DataArray]
        Score rasters in [0, 1] on one grid, by criterion name.
    weights : Mapping[str, float]
        Base weights, as for :func:`weighted_overlay`.
    site_labels : xarray.DataArray
        Site id of each cell on the same grid, integers 1 ... (at most
        :data:`MAX_SITE_LABEL`; number the sites consecutively); 0 (or NaN) = no site.
    n_draws : int, default 200
        Number of Monte Carlo draws, >= 2.
    spread : float, default 0.2
        Relative half-width of the weight perturbation (see :func:`weight_draws`).
    seed : int, default 0
        Seed of the draws; the same seed gives an identical table.

    Returns
    -------
    pandas.DataFrame
        One row per site label present in ``site_labels``, sorted by ``base_rank``:

        - ``site_label`` (int): the label.
        - ``n_cells`` (int): cells of the site with data in every weighted criterion.
        - ``base_score`` (float, [0, 1]): mean suitability with the base weights.
        - ``base_rank`` (Int64): rank with the base weights, 1 = best; ties share the
          lowest rank.
        - ``mean_rank`` (float): mean rank over the draws.
        - ``rank_p05``, ``rank_p95`` (Int64): 5th and 95th percentile of the rank over the
          draws (observed ranks, inverted-CDF percentiles).
        - ``p_same_rank`` (float): fraction of draws in which the site keeps its base rank.
        - ``p_top_quartile`` (float): fraction of draws in which the rank is within the top
          quarter of the sites, rank <= ceil(n_sites / 4).
        - ``score_p05``, ``score_p95`` (float): 5th and 95th percentile of the site's mean
          suitability over the draws.

        Sites with no valid cell get NaN / missing values and come last.
    """
    n_draws, spread, seed = _check_draw_parameters(n_draws, spread, seed)
    names, w, active, arrays, w_active = _check_scores_and_weights(scores, weights)
    if not isinstance(site_labels, xr.DataArray):
        raise ParameterError(
            describe(
                "site_labels",
                f"it is a {type(site_labels).__name__}, not an xarray.DataArray",
                "pass a label raster on the analysis grid (0 = no site)",
            )
        )
    template = arrays[0]
    if site_labels.dims != template.dims or site_labels.shape != template.shape:
        raise ParameterError(
            describe(
                "site_labels",
                f"dims {site_labels.dims} shape {site_labels.shape} differ from the scores' "
                f"{template.dims} {template.shape}",
                "rasterise the sites onto the analysis grid",
            )
        )
    try:
        xr.align(template, site_labels, join="exact", copy=False)
    except ValueError as err:
        raise ParameterError(
            describe(
                "site_labels",
                f"the label raster is not on the grid of the scores ({err})",
                "rasterise the sites onto the analysis grid",
            )
        ) from err
    draws = _draw_matrix(w, n_draws, spread, seed)[:, w > 0]
    k = len(active)
    sums = _all_site_sums(_stack(arrays), site_labels.data)
    present = np.flatnonzero(sums[k + 1] > 0)
    present = present[present > 0]
    n_valid = sums[k, present]
    with np.errstate(invalid="ignore", divide="ignore"):
        site_means = (sums[:k, present] / n_valid).T  # (n_sites, k)
    base = site_means @ w_active
    sampled = site_means @ draws.T  # (n_sites, n_draws)

    n_sites = present.size
    ok = np.isfinite(base)
    base_rank = np.full(n_sites, np.nan)
    mean_rank = np.full(n_sites, np.nan)
    rank_q = np.full((2, n_sites), np.nan)
    p_same = np.full(n_sites, np.nan)
    p_top = np.full(n_sites, np.nan)
    score_q = np.full((2, n_sites), np.nan)
    if ok.any():
        base_rank[ok] = stats.rankdata(-base[ok], method="min")
        ranks = stats.rankdata(-sampled[ok], method="min", axis=0)  # (n_ok, n_draws)
        mean_rank[ok] = ranks.mean(axis=1)
        rank_q[:, ok] = np.quantile(ranks, [0.05, 0.95], axis=1, method="inverted_cdf")
        p_same[ok] = (ranks == base_rank[ok][:, np.newaxis]).mean(axis=1)
        top = math.ceil(int(ok.sum()) / 4)
        p_top[ok] = (ranks <= top).mean(axis=1)
        score_q[:, ok] = np.quantile(sampled[ok], [0.05, 0.95], axis=1)

    table = pd.DataFrame(
        {
            "site_label": present.astype(np.int64),
            "n_cells": n_valid.astype(np.int64),
            "base_score": base,
            "base_rank": pd.array(np.where(ok, base_rank, 0).astype(np.int64), dtype="Int64"),
            "mean_rank": mean_rank,
            "rank_p05": pd.array(np.where(ok, rank_q[0], 0).astype(np.int64), dtype="Int64"),
            "rank_p95": pd.array(np.where(ok, rank_q[1], 0).astype(np.int64), dtype="Int64"),
            "p_same_rank": p_same,
            "p_top_quartile": p_top,
            "score_p05": score_q[0],
            "score_p95": score_q[1],
        }
    )
    for column in ("base_rank", "rank_p05", "rank_p95"):
        table.loc[~ok, column] = pd.NA
    table = table.sort_values(
        ["base_rank", "site_label"], na_position="last", kind="stable"
    ).reset_index(drop=True)
    table.attrs = {"n_draws": n_draws, "spread": spread, "seed": seed}
    return table
