"""Values derived from a fit, computed once per fit object.

A :class:`~seedmodel.fit.Fit` is immutable, so what is computed from it (the pointwise
log-likelihood that ``roi()``'s widening reads, the no-refit checks, the report's fitted
GMV) is the same every time it is asked for. A notebook or a report that asks several
times pays once. The values live on the fit object and go with it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

__all__ = ["once"]

_MEMO = "_computed_once"


def once[T](fit: object, key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, computed the first time ``fit`` is asked for ``key`` and kept on it.

    Parameters
    ----------
    fit : Fit
        The fit the value derives from (any object with a ``__dict__``).
    key : hashable
        What the value is, with every setting it depends on (``("period_loglik", 200)``).
    make : callable
        Computes the value from ``fit`` alone.

    Returns
    -------
    The value; the same object on every later call with the same key. Callers that hand
    it to users give them a copy.

    Examples
    --------
    >>> import types
    >>> fit, calls = types.SimpleNamespace(), []
    >>> once(fit, ("answer",), lambda: calls.append(1) or 42)
    42
    >>> once(fit, ("answer",), lambda: calls.append(1) or 42), len(calls)
    (42, 1)
    """
    memo = fit.__dict__.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = make()
    return memo[key]
