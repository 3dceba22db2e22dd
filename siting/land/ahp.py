"""Analytic hierarchy process (AHP): criterion weights from pairwise comparisons.

Each pair of criteria is judged on Saaty's 1-9 scale ("slope is 3 times as important as the
distance to a road"); the weights are the principal eigenvector of the reciprocal matrix of
judgements, and the consistency ratio says whether the judgements agree with one another
well enough to be used (Saaty 1977, 1980): :func:`ahp_weights`, which refuses an inconsistent
matrix with :class:`~siting.errors.InconsistentAHPError`, and :func:`ahp_matrix_from_upper`,
which builds the matrix from one judgement per pair (as a scenario file gives them). The weights
feed :func:`siting.land.overlay.weighted_overlay`.

References
----------
Saaty, T.L. (1977). A scaling method for priorities in hierarchical structures. Journal of
Mathematical Psychology 15(3), 234-281. https://doi.org/10.1016/0022-2496(77)90033-5

Saaty, T.L. (1980). The Analytic Hierarchy Process. McGraw-Hill, New York.

Malczewski, J. (1999). GIS and Multicriteria Decision Analysis. Wiley, New York.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from siting.errors import InconsistentAHPError, ParameterError, describe
from siting.land._checks import finite_float

__all__ = [
    "AHP_CONSISTENCY_RATIO_LIMIT",
    "SAATY_RANDOM_INDEX",
    "AHPResult",
    "ahp_matrix_from_upper",
    "ahp_weights",
]

#: Tolerance on AHP reciprocity, |a_ij * a_ji - 1|, and on the unit diagonal.
AHP_RECIPROCAL_TOLERANCE = 1e-6

# Random consistency index RI(n): the mean consistency index of random reciprocal matrices
# of order n filled from Saaty's 1/9..9 scale. Saaty, T.L. (1980) The Analytic Hierarchy
# Process, McGraw-Hill, ch. 1 (table of random indices, n = 1...10). Other authors'
# simulations give slightly different values (e.g. Saaty 1990, Eur. J. Oper. Res. 48:9-26;
# Alonso & Lamata 2006, Int. J. Uncertain. Fuzziness Knowl.-Based Syst. 14(4):445-459); this
# table is the one quoted most in GIS-MCDA work (Malczewski 1999, ch. 6).
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
# "a CR of 0.10 or less" is acceptable).
AHP_CONSISTENCY_RATIO_LIMIT = 0.10

#: What the error messages about the matrix call it.
_MATRIX = "AHP pairwise comparison matrix"


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
    """The criterion names as a list, refused unless non-empty strings, each listed once."""
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
        reciprocal (:math:`|a_{ij} a_{ji} - 1| > 10^{-6}`, the pair is named); or n > 10.
    InconsistentAHPError
        A :class:`~siting.errors.ParameterError`, if CR >= ``max_consistency_ratio`` (the
        message shows CR and the judgement that deviates most from the derived weights,
        :math:`\max(a_{ij} w_j / w_i, w_i / (a_{ij} w_j))`; the error carries
        ``consistency_ratio`` and ``limit``).

    Examples
    --------
    >>> r = ahp_weights([[1, 3, 6], [1 / 3, 1, 2], [1 / 6, 1 / 2, 1]], ["slope", "road", "soil"])
    >>> {k: round(v, 3) for k, v in r.weights.items()}
    {'slope': 0.667, 'road': 0.222, 'soil': 0.111}
    >>> round(r.consistency_ratio, 6)
    0.0
    """
    labels = _check_names(names, "AHP criterion names")
    limit = _check_limit(max_consistency_ratio)
    a = _square_matrix(matrix, labels)
    _check_reciprocal(a, labels)
    w, lambda_max = _principal_eigenvector(a)
    consistency_index, random_index, consistency_ratio = _consistency(lambda_max, len(labels))
    result = AHPResult(
        weights={name: float(wi) for name, wi in zip(labels, w, strict=True)},
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        random_index=random_index,
        consistency_ratio=consistency_ratio,
    )
    if result.consistency_ratio >= limit:
        raise _inconsistency_error(a, w, labels, result, limit)
    return result


def _check_limit(max_consistency_ratio: float) -> float:
    """The accepted consistency ratio as a float, refused unless > 0."""
    limit = float(max_consistency_ratio)
    if not limit > 0:
        raise ParameterError(
            describe(
                "max_consistency_ratio",
                f"{max_consistency_ratio!r} is not > 0",
                "give a positive limit (Saaty's rule is 0.10; math.inf accepts any matrix)",
            )
        )
    return limit


def _square_matrix(matrix: Sequence[Sequence[float]] | np.ndarray, labels: list[str]) -> np.ndarray:
    """The matrix as float64, refused unless it is n x n for the n names, 1 <= n <= 10."""
    try:
        a = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            describe(
                _MATRIX, f"it is not a numeric matrix ({err})", "give an n x n list of numbers"
            )
        ) from err
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ParameterError(
            describe(_MATRIX, f"its shape is {a.shape}, not square", "give an n x n matrix")
        )
    n = a.shape[0]
    if n != len(labels):
        raise ParameterError(
            describe(
                _MATRIX,
                f"it is {n} x {n} but {len(labels)} names were given",
                "give one row and one column per criterion name",
            )
        )
    if n == 0:
        raise ParameterError(describe(_MATRIX, "it is empty", "compare at least one criterion"))
    if n > max(SAATY_RANDOM_INDEX):
        raise ParameterError(
            describe(
                _MATRIX,
                f"it compares {n} criteria; the random index is tabulated up to "
                f"n = {max(SAATY_RANDOM_INDEX)} and so many pairwise judgements are hard "
                "to keep consistent",
                "group the criteria into a hierarchy of at most 10 per comparison "
                "(Saaty advises 7 ± 2) and multiply the weights down the levels",
            )
        )
    return a


def _check_reciprocal(a: np.ndarray, labels: list[str]) -> None:
    """Refuse entries that are not positive and finite, a diagonal other than 1, a_ji != 1/a_ij.

    The first offending entry, diagonal entry or pair is named (within
    :data:`AHP_RECIPROCAL_TOLERANCE`).
    """
    bad = np.argwhere(~(np.isfinite(a) & (a > 0)))
    if bad.size:
        i, j = bad[0]
        raise ParameterError(
            describe(
                _MATRIX,
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
                _MATRIX,
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
                _MATRIX,
                f"the pair ({i}, {j}) = ({labels[i]!r}, {labels[j]!r}) is not reciprocal: "
                f"a[{i},{j}] = {a[i, j]:g} but a[{j},{i}] = {a[j, i]:g} "
                f"(their product is {product[i, j]:.6g}, not 1)",
                f"set a[{j},{i}] = 1 / a[{i},{j}] exactly, or build the matrix with "
                "ahp_matrix_from_upper()",
            )
        )


def _principal_eigenvector(a: np.ndarray) -> tuple[np.ndarray, float]:
    """The principal right eigenvector of ``a``, normalised to sum 1, and lambda_max."""
    eigenvalues, eigenvectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[k].real)
    vector = np.abs(eigenvectors[:, k].real)
    return vector / vector.sum(), lambda_max


def _consistency(lambda_max: float, n: int) -> tuple[float, float, float]:
    """Consistency index CI, random index RI(n) and consistency ratio CR = CI / RI."""
    random_index = float(SAATY_RANDOM_INDEX[n])
    if n <= 2:
        return 0.0, random_index, 0.0
    # lambda_max >= n for a positive reciprocal matrix; clip rounding below n.
    consistency_index = max(0.0, (lambda_max - n) / (n - 1))
    return consistency_index, random_index, consistency_index / random_index


def _most_deviant_judgement(a: np.ndarray, w: np.ndarray) -> tuple[int, int]:
    """The pair (i < j) whose judgement deviates most from the weights.

    The deviation of a_ij is max(a_ij w_j / w_i, w_i / (a_ij w_j)): 1 when the judgement
    agrees with the weights exactly.
    """
    ratio = a * w[np.newaxis, :] / w[:, np.newaxis]  # a_ij w_j / w_i, 1 if consistent
    deviation = np.triu(np.maximum(ratio, 1.0 / ratio), k=1)
    i, j = np.unravel_index(int(np.argmax(deviation)), deviation.shape)
    return int(i), int(j)


def _inconsistency_error(
    a: np.ndarray, w: np.ndarray, labels: list[str], result: AHPResult, limit: float
) -> InconsistentAHPError:
    """The refusal of a matrix with CR >= ``limit``, naming the judgement to revisit first."""
    i, j = _most_deviant_judgement(a, w)
    return InconsistentAHPError(
        what=_MATRIX,
        problem=f"the judgements are too inconsistent: CR = {result.consistency_ratio:.2f} "
        f"≥ {limit:.2f} (lambda_max = {result.lambda_max:.4f}, "
        f"CI = {result.consistency_index:.4f}, RI = {result.random_index:.2f} "
        f"for n = {len(labels)})",
        fix=f"revisit the judgements, starting with {labels[i]!r} vs {labels[j]!r}: "
        f"it is {a[i, j]:.3g} but the other judgements imply about "
        f"{w[i] / w[j]:.2g}; or raise max_consistency_ratio to accept this",
        consistency_ratio=result.consistency_ratio,
        limit=limit,
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
        v = finite_float(value, f"{what}[{key!r}]")
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
