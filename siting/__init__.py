"""siting: score land near Mörön for reforestation and wind, and project Article 6 credits.

>>> import siting
>>> scenario = siting.load_scenario()          # the embedded Mörön default
>>> layers = siting.load_layers(scenario)      # xarray.Dataset on the UTM grid, dask-backed
>>> sorted(layers.data_vars)
['climate', 'elevation', 'landcover']
>>> result = siting.run(scenario, "results/moron")  # doctest: +SKIP
"""

from siting.errors import ConfigError, InputDataError, ParameterError, SitingError
from siting.layers import load_layers, load_vectors, scenario_grid
from siting.scenario.load import load_scenario, scenario_from_dict
from siting.scenario.model import Scenario

__all__ = [
    "ConfigError",
    "InputDataError",
    "ParameterError",
    "Scenario",
    "SitingError",
    "analyse",
    "load_layers",
    "load_scenario",
    "load_vectors",
    "run",
    "scenario_from_dict",
    "scenario_grid",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    # The pipeline pulls in every science module; import it on first use only.
    if name in ("analyse", "run"):
        from siting import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'siting' has no attribute {name!r}")
