"""The one error family of siting.

Every error a user can cause (a bad scenario file, a missing or unreadable layer, parameters
that make no sense) is a :class:`SitingError`. Its message names the thing at fault (file or
scenario field), the problem and the fix; the command line prints it without a traceback and
exits with status 2.
"""

from __future__ import annotations


class SitingError(Exception):
    """Base class of every error that siting reports to its user."""

    exit_code = 2


class ConfigError(SitingError):
    """A scenario file, or a scenario field, is invalid."""


class InputDataError(SitingError):
    """A layer on disk is missing, unreadable, or unusable (no CRS, outside the AOI, ...)."""


class ParameterError(SitingError, ValueError):
    """A parameter passed to a science function is impossible (e.g. an inconsistent AHP matrix)."""


def describe(what: str, problem: str, fix: str) -> str:
    """Compose the standard three-part message: what is at fault, the problem, the fix.

    Parameters
    ----------
    what : str
        The file or scenario field at fault.
    problem : str
        What is wrong with it.
    fix : str
        What the user can do about it.

    Returns
    -------
    str
        ``"<what>: <problem>. Fix: <fix>"``.
    """
    return f"{what}: {problem.rstrip('.')}. Fix: {fix}"
