"""siting: score land near Mörön for reforestation and wind, and project Article 6 credits.

>>> import siting
>>> scenario = siting.load_scenario()          # the embedded Mörön default
>>> layers = siting.load_layers(scenario)      # xarray.Dataset on the UTM grid, dask-backed
>>> sorted(layers.data_vars)
['climate', 'elevation', 'landcover']
>>> result = siting.run(scenario, "results/moron")  # doctest: +SKIP

The names below are the public entry points, imported on first use so that ``import siting``
stays fast; the domain folders (``siting.land``, ``siting.wind``, ``siting.forest``,
``siting.credits``, ``siting.outputs``, ``siting.scenario``) hold the rest.
"""

from importlib import import_module

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS = {
    "Scenario": "siting.scenario.model",
    "load_scenario": "siting.scenario.load",
    "scenario_from_dict": "siting.scenario.load",
    "load_layers": "siting.layers",
    "load_vectors": "siting.layers",
    "scenario_grid": "siting.layers",
    "analyse": "siting.pipeline",
    "run": "siting.pipeline",
    "RunResult": "siting.result",
    "open_results": "siting.outputs.results",
    "export_sites": "siting.outputs.export",
    "SitingError": "siting.errors",
    "ConfigError": "siting.errors",
    "InputDataError": "siting.errors",
    "InputNotFoundError": "siting.errors",
    "MissingCRSError": "siting.errors",
    "ParameterError": "siting.errors",
    "InconsistentAHPError": "siting.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'siting' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
