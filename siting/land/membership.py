"""Membership functions: criterion rasters mapped to dimensionless scores in [0, 1].

The first step of a GIS suitability analysis (standardisation): each criterion raster (slope in
degrees, distance to a road in metres, a land-cover class, ...) is mapped to a score in [0, 1],
1 = most suitable, by :func:`linear`, :func:`sigmoid`, :func:`trapezoid`, :func:`gaussian` or
:func:`categorical`; :func:`membership` picks one by name (from a scenario file), one of
:data:`MEMBERSHIP_KINDS`.

Rasters are :class:`xarray.DataArray` objects with dims ``("y", "x")``; their coordinates and
the CRS (rioxarray's ``spatial_ref`` coordinate) are carried to every score, and NaN marks
nodata. On dask-backed arrays every function is lazy (it builds a graph and computes nothing).
Plain numpy arrays are accepted too and give numpy arrays.

References
----------
Malczewski, J. (1999). GIS and Multicriteria Decision Analysis. Wiley, New York.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import xarray as xr
from scipy import special

from siting.errors import ParameterError, describe
from siting.land._checks import finite_float, score_attrs

__all__ = [
    "MEMBERSHIP_KINDS",
    "categorical",
    "gaussian",
    "linear",
    "membership",
    "sigmoid",
    "trapezoid",
]


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
    out.attrs = score_attrs(values, f"{long_name} score of {what}", membership=membership_text)
    return out


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
    low = finite_float(low, "linear membership parameter 'low'")
    high = finite_float(high, "linear membership parameter 'high'")
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
    midpoint = finite_float(midpoint, "sigmoid membership parameter 'midpoint'")
    width = finite_float(width, "sigmoid membership parameter 'width'")
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
        name: finite_float(value, f"trapezoid membership parameter {name!r}")
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
    mean = finite_float(mean, "gaussian membership parameter 'mean'")
    sd = finite_float(sd, "gaussian membership parameter 'sd'")
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
        value = finite_float(score, f"{what}[{code!r}]")
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
        fill = finite_float(default, "categorical membership 'default'")
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
