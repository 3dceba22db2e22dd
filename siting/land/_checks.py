"""What the MCDA modules share: the number check of their parameters and score-raster metadata.

Private to :mod:`siting.land.membership`, :mod:`siting.land.overlay`, :mod:`siting.land.ahp`
and :mod:`siting.land.sensitivity`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import xarray as xr

from siting.errors import ParameterError, describe

#: Units attribute of every score raster: scores are dimensionless.
SCORE_UNITS = "1"


def finite_float(value: Any, what: str) -> float:
    """Return ``value`` as a finite float.

    Parameters
    ----------
    value : Any
        The parameter as given.
    what : str
        Name of the parameter, for the error message.

    Returns
    -------
    float
        ``float(value)``.

    Raises
    ------
    ParameterError
        If ``value`` is not a real number (booleans are not) or is not finite.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(
            describe(what, f"{value!r} is not a number", "give a finite real number")
        )
    out = float(value)
    if not math.isfinite(out):
        raise ParameterError(describe(what, f"{out} is not finite", "give a finite number"))
    return out


def score_attrs(template: xr.DataArray, long_name: str, **extra: Any) -> dict[str, Any]:
    """Attributes of a score raster: units "1", a long name, the grid mapping if any.

    Parameters
    ----------
    template : xarray.DataArray
        Raster whose ``grid_mapping`` attribute (if any) the score keeps.
    long_name : str
        The score's ``long_name``.
    **extra
        Further attributes.

    Returns
    -------
    dict
        The attributes.
    """
    attrs: dict[str, Any] = {"units": SCORE_UNITS, "long_name": long_name}
    if "grid_mapping" in template.attrs:
        attrs["grid_mapping"] = template.attrs["grid_mapping"]
    attrs.update(extra)
    return attrs
