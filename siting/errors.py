"""The one error family of siting.

Every error a user can cause (a bad scenario file, a missing or unreadable layer, parameters
that make no sense) is a :class:`SitingError`. Its message names the thing at fault (file or
scenario field), the problem and the fix; the command line prints it without a traceback and
exits with status 2.

Errors built with ``what``, ``problem`` and ``fix`` keep the three parts as attributes, so code
(and tests) can check them without matching the prose:

>>> err = InputNotFoundError(what="dem.tif", problem="file not found", fix="check the path")
>>> str(err)
'dem.tif: file not found. Fix: check the path'
>>> (err.what, err.problem, err.fix)
('dem.tif', 'file not found', 'check the path')
>>> isinstance(err, InputDataError)
True

The few specific classes users catch: :class:`InputNotFoundError` (a file named in the
scenario is not there), :class:`MissingCRSError` (a layer or table has no coordinate reference
system) and :class:`InconsistentAHPError` (pairwise judgements too inconsistent to weigh).
"""

from __future__ import annotations


class SitingError(Exception):
    """Base class of every error that siting reports to its user.

    Parameters
    ----------
    message : str, optional
        The whole message. Omit it to compose one from ``what``, ``problem`` and ``fix``.
    what, problem, fix : str, optional
        The thing at fault (file or scenario field), what is wrong with it, what the user can
        do about it; kept as attributes (None when the error was given a message only).
    """

    exit_code = 2

    def __init__(
        self,
        message: str | None = None,
        *,
        what: str | None = None,
        problem: str | None = None,
        fix: str | None = None,
    ) -> None:
        if message is None:
            if what is None or problem is None or fix is None:
                raise TypeError("give a message, or all of what, problem and fix")
            message = describe(what, problem, fix)
        super().__init__(message)
        self.what, self.problem, self.fix = what, problem, fix


class ConfigError(SitingError):
    """A scenario file, or a scenario field, is invalid."""


class InputDataError(SitingError):
    """A layer on disk is missing, unreadable, or unusable (no CRS, outside the AOI, ...)."""


class InputNotFoundError(InputDataError):
    """A file that the scenario or the command line names does not exist."""


class MissingCRSError(InputDataError):
    """A raster, vector layer or table has no coordinate reference system."""


class ParameterError(SitingError, ValueError):
    """A parameter passed to a science function is impossible (e.g. an inconsistent AHP matrix)."""


class InconsistentAHPError(ParameterError):
    """AHP pairwise judgements whose consistency ratio is at or above the accepted limit.

    Attributes
    ----------
    consistency_ratio : float or None
        Saaty's CR of the matrix.
    limit : float or None
        The largest CR accepted.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        consistency_ratio: float | None = None,
        limit: float | None = None,
        **parts: str,
    ) -> None:
        super().__init__(message, **parts)
        self.consistency_ratio, self.limit = consistency_ratio, limit


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
