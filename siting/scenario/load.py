"""Reading a scenario: the embedded Mörön default or a user's YAML file, validated.

:func:`load_scenario` reads a file (or the embedded ``moron.yaml``), :func:`scenario_from_dict`
validates a scenario given as plain data; both turn every validation problem into one
:class:`~siting.errors.ConfigError` naming the source, each offending field and what it allows.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from siting.errors import ConfigError, describe
from siting.scenario.base import format_validation_error
from siting.scenario.defaults import DEFAULT_SCENARIO, default_scenario_text
from siting.scenario.model import Scenario


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
        text, label, base_dir = default_scenario_text(), f"embedded {DEFAULT_SCENARIO}", Path.cwd()
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
