"""Classes of a categorical raster, named or by value."""

from __future__ import annotations

import xarray as xr

from siting.errors import ParameterError, describe


def class_value(layer: xr.DataArray, cls: int | str) -> int:
    """Value of a class of a categorical layer, given by value or by name.

    Parameters
    ----------
    layer : xarray.DataArray
        Categorical raster whose ``attrs["classes"]`` maps values to names.
    cls : int or str
        A class value, or a class name such as ``"grassland"``.

    Raises
    ------
    ParameterError
        When the name is not among the layer's classes.
    """
    if isinstance(cls, int):
        return cls
    classes = layer.attrs.get("classes", {})
    for value, name in classes.items():
        if name == cls:
            return int(value)
    raise ParameterError(
        describe(
            f"class {cls!r} of layer {layer.name!r}",
            "unknown class name",
            f"use one of {sorted(classes.values())} or a class value",
        )
    )
