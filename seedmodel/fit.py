"""Fitting a SeedingMMM, and the fitted result: immutable, saved and loaded as one file."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import xarray as xr

from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.models.mmm.inputs import MMMInputs, build_inputs
from seedmodel.models.mmm.spec import SPEC_FORMAT, SeedingMMM
from seedmodel.schema import DataError, Dataset, from_frames
from seedmodel.schema.tables import TABLES

__all__ = ["Fit", "NotConvergedWarning", "fit_mmm", "load_fit"]

#: The fit file's format, the same number as its spec's (:data:`SPEC_FORMAT`). 4: the
#: ``terms_scale`` option; 3: the ``shocks`` option; 2: every spec option written, the
#: library version recorded; 1: fits saved before 2026-12-02. Older formats are read with
#: their options' values of that time.
FORMAT_VERSION = SPEC_FORMAT


class NotConvergedWarning(UserWarning):
    """A fit whose diagnostics fall short; its numbers are not to be trusted as they stand."""


@dataclass(frozen=True, eq=False)
class Fit:
    """A fitted SeedingMMM. Build with :func:`fit_mmm` (or ``SeedingMMM.fit``) or
    :func:`load_fit`; nothing mutates it.

    Attributes
    ----------
    spec : SeedingMMM
        The model, with a MediaSpec named for every channel.
    data : Dataset
        The data it was fitted to.
    posterior : xarray.DataTree
        Draws (``posterior``; ``sample_stats`` for NUTS).
    diagnostics : Diagnostics
        R-hat, ESS, divergences, the verdict and timings.
    random_seed : int
        Seed of the sampler.
    method : str
        ``nuts``, ``pathfinder`` or ``advi``.
    """

    spec: SeedingMMM
    data: Dataset
    posterior: xr.DataTree
    diagnostics: Diagnostics
    random_seed: int
    method: str = "nuts"

    def __repr__(self) -> str:
        d = self.diagnostics
        state = "converged" if d.converged else f"NOT CONVERGED ({d.reason})"
        return (
            f"Fit({self.method}/{d.sampler}, {d.chains}x{d.draws} draws, {state}, "
            f"data={self.data!r})"
        )

    @cached_property
    def inputs(self) -> MMMInputs:
        """The model's arrays, rebuilt from the data (deterministic)."""
        return build_inputs(self.data, self.spec)

    def draws(self, name: str) -> np.ndarray:
        """A posterior variable with chains and draws flattened into the first axis."""
        v = self.posterior["posterior"][name].values
        return v.reshape((-1, *v.shape[2:]))

    def save(self, path: str | Path) -> Path:
        """Write the fit, its data and settings to one netCDF file (no pickle)."""
        path = Path(path)
        groups: dict[str, xr.Dataset] = {
            "posterior": self.posterior["posterior"].to_dataset(),
        }
        if "sample_stats" in self.posterior.children:
            stats = self.posterior["sample_stats"].to_dataset()
            keep = [v for v in stats.data_vars if stats[v].dtype.kind in "biuf"]
            groups["sample_stats"] = stats[keep]
        for name in TABLES:
            frame = getattr(self.data, name)
            if not frame.empty:
                groups[f"data_{name}"] = xr.Dataset.from_dataframe(
                    frame.reset_index(drop=True).rename_axis("row")
                )
        tree = xr.DataTree.from_dict(groups)
        tree.attrs.update(
            {
                "seedmodel_format": FORMAT_VERSION,
                "seedmodel_version": _library_version(),
                "spec": json.dumps(self.spec.to_dict()),
                "diagnostics": json.dumps(self.diagnostics.to_dict()),
                "random_seed": self.random_seed,
                "method": self.method,
            }
        )
        from seedmodel.outputs import write_file

        return write_file(path, lambda tmp: tree.to_netcdf(tmp, engine="h5netcdf"))


#: Fewest periods a SeedingMMM is fitted on (a season's worth of flights and festivals).
MIN_PERIODS = {"D": 90, "W": 26}


def check_fit_data(data) -> None:
    """Refuse what a fit cannot use, before any work.

    Raises
    ------
    TypeError
        ``data`` is not a checked :class:`~seedmodel.schema.Dataset`.
    DataError
        Fewer periods than :data:`MIN_PERIODS`.
    """
    if not isinstance(data, Dataset):
        raise TypeError(
            f"a fit needs a checked seedmodel Dataset, got {type(data).__name__}: load a "
            "contract folder with sm.load(folder), or DataFrames with "
            "sm.from_frames(media=..., sales=..., brands=...)"
        )
    data.require_periods(MIN_PERIODS, "the MMM")


def _library_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("seedmodel")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _interactive_progress() -> Callable[[str], None] | None:
    """Print progress lines to stderr in a terminal or a notebook (an IPython shell with a
    kernel); nothing in a batch job, even one that has imported ipykernel."""
    import sys

    ipython = sys.modules.get("IPython")  # imported by the notebook, never by us
    shell = ipython.get_ipython() if ipython is not None else None
    if getattr(shell, "kernel", None) is not None or sys.stderr.isatty():
        return lambda line: print(f"seedmodel: {line}", file=sys.stderr, flush=True)
    return None


def load_fit(path: str | Path) -> Fit:
    """Read a fit written by :meth:`Fit.save`.

    Raises
    ------
    DataError
        The file is not a seedmodel fit, or was written in a format newer than this
        version reads (:data:`FORMAT_VERSION`).
    """
    path = Path(path)
    try:
        tree = xr.open_datatree(path, engine="h5netcdf").load()
    except (OSError, ValueError) as exc:
        raise DataError(None, f"{path} is not a readable seedmodel fit ({exc})") from None
    attrs = tree.attrs
    if "seedmodel_format" not in attrs or "spec" not in attrs:
        raise DataError(None, f"{path} is not a seedmodel fit (no seedmodel_format)")
    fmt = int(attrs["seedmodel_format"])
    if fmt > FORMAT_VERSION:
        raise DataError(
            None,
            f"{path} was written by seedmodel {attrs.get('seedmodel_version', '?')} in fit "
            f"format {fmt}; this version reads formats up to {FORMAT_VERSION}: upgrade seedmodel",
        )
    frames = {}
    for name in TABLES:
        key = f"data_{name}"
        if key in tree.children:
            frame = tree[key].to_dataset().to_dataframe().reset_index(drop=True)
            frames[name] = frame.astype({c: str for c in frame.columns if frame[c].dtype == object})
    data = from_frames(**frames)
    diag = json.loads(attrs["diagnostics"])
    diag = {k: (np.nan if v is None else v) for k, v in diag.items()}
    post = xr.DataTree.from_dict(
        {k: tree[k].to_dataset() for k in ("posterior", "sample_stats") if k in tree.children}
    )
    return Fit(
        spec=SeedingMMM.from_dict(json.loads(attrs["spec"]), format=fmt),
        data=data,
        posterior=post,
        diagnostics=Diagnostics(**diag),
        random_seed=int(attrs["random_seed"]),
        method=str(attrs["method"]),
    )


def fit_mmm(
    data: Dataset,
    spec: SeedingMMM | None = None,
    *,
    draws: int | None = None,
    tune: int = 1000,
    chains: int = 2,
    random_seed: int = 0,
    sampler: str = "nutpie",
    method: str = "nuts",
    target_accept: float | None = None,
    backend: str = "auto",
    adaptation: str = "auto",
    holdout: int = 0,
    max_minutes: float = 15.0,
    progress: Callable[[str], None] | str | None = "auto",
) -> Fit:
    """Fit a SeedingMMM to checked data.

    Parameters
    ----------
    data : Dataset
        From :func:`seedmodel.load`.
    spec : SeedingMMM, optional
        Default ``SeedingMMM()``.
    draws : int, optional
        Kept draws per chain. Default: sample until the convergence rule holds (R-hat <=
        1.01 and bulk ESS >= 400 on every parameter), judged at fixed draw counts so that the
        same seed gives the same numbers, or until ``max_minutes`` are spent;
        ``diagnostics.stopped`` says which. A number keeps exactly that many draws.
    tune, chains : int
        Per-chain warm-up draws; chains.
    random_seed : int
        Same seed, same draws, same numbers.
    sampler : {"nutpie", "pymc", "numpyro"}
        NUTS implementation.
    method : {"nuts", "pathfinder", "advi"}
        ``nuts`` (exact) or a quick approximation, flagged as not converged.
    target_accept : float, optional
        NUTS step-size target. Default 0.97 for a fit that samples until converged (on a
        1-brand, 240-day world: 22 divergences at 0.9, 6 at 0.95, none at 0.97, which
        converged at 4,800 draws per chain in 131 s), 0.9 with a fixed number of draws (quick
        looks).
    backend : {"auto", "jax", "numba"}
        nutpie's compiler. ``auto`` (JAX) compiles in seconds; ``numba`` compiles for 1-2
        minutes but samples about twice as fast on a 3-brand daily model, so it is the
        faster choice for long production fits (docs/benchmarks.md, *Compilers*). A same-seed
        rerun is identical with JAX; with numba one unstable weekly fit was not, once, so
        keep JAX where ``roi.csv`` must repeat to the digit.
    adaptation : {"auto", "diag", "low_rank"}
        nutpie's mass matrix. ``low_rank`` also learns a few correlated directions of the
        posterior (an always-on channel trading off against the baseline level): on a
        2-channel weekly model it samples 6x more effective draws per second. On the
        multi-brand daily model, with hundreds of parameters, it mixes worse than ``diag``.
        ``auto`` takes ``low_rank`` up to 100 parameters and ``diag`` above
        (:func:`seedmodel.inference.sample.mass_matrix`; docs/benchmarks.md). The choice is
        recorded in ``diagnostics.adaptation``.
    holdout : int
        Periods at the end of the data left out of the likelihood (their expected GMV is
        kept as ``mu``): the out-of-sample forecast check of
        :func:`seedmodel.analysis.checks.check_fit`. 0 for a normal fit.
    max_minutes : float
        Time budget of a fit that samples until converged (``draws=None``).
    progress : callable, "auto" or None
        Called with a line of text per stage (compiling, warming up) and per checkpoint
        (draws, divergences so far, budget left). ``"auto"`` (the default) prints them to
        stderr in a terminal or a Jupyter notebook and stays silent in a scheduled job;
        ``None`` is silent.

    Returns
    -------
    Fit
        Warns with :class:`NotConvergedWarning` when diagnostics fall short.

    Examples
    --------
    A fit takes minutes, so this one is not run as a doctest::

        import seedmodel as sm
        fit = sm.SeedingMMM().fit(sm.load("data/sample"), random_seed=7)
        sm.roi(fit)
    """
    if progress == "auto":
        progress = _interactive_progress()
    from seedmodel.inference import diagnose, run_inference
    from seedmodel.inference.diagnostics import rule_holds
    from seedmodel.inference.options import ADAPTATIONS
    from seedmodel.inference.sample import mass_matrix, nutpie_backend
    from seedmodel.models.mmm.graph import build_model

    check_fit_data(data)
    compiler = nutpie_backend(backend)  # refuses an unknown one whatever the sampler
    if adaptation not in ADAPTATIONS:  # refused before any work, whatever the sampler
        raise ValueError(f"adaptation must be one of {ADAPTATIONS}, got {adaptation!r}")
    spec = spec or SeedingMMM()
    inputs = build_inputs(data, spec)
    if not 0 <= holdout <= inputs.n_periods // 2:
        raise ValueError(f"holdout must be between 0 and half the data's periods, got {holdout}")
    if holdout:
        inputs = replace(inputs, holdout=int(holdout))
    model = build_model(inputs)
    mass = mass_matrix(adaptation, model)
    if method != "nuts" or sampler != "nutpie":
        compiler = mass = ""  # nutpie's alone
    # at zero, the demand state and the non-centred offsets give their scale parameters
    # exactly-zero gradients, which nutpie rejects: start them slightly off zero
    free = [v.name for v in model.free_RVs]
    if draws is None and (method != "nuts" or sampler != "nutpie"):
        draws = 1000  # approximations and other samplers: a fixed number
    initial = {
        rv.name: np.full(model.initial_point()[rv.name].shape, 0.1)
        for rv in model.free_RVs
        if rv.name == "demand_coef" or rv.name.endswith("_z")
    }
    tree, seconds = run_inference(
        model,
        method=method,
        sampler=sampler,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        target_accept=target_accept or (0.97 if draws is None else 0.9),
        initial=initial,
        backend=backend,
        adaptation=mass or "diag",
        until=lambda tree: rule_holds(tree, free),
        max_seconds=60.0 * max_minutes,
        progress=progress,
    )
    diagnostics = diagnose(
        tree,
        sampler=sampler if method == "nuts" else method,
        seconds=float(seconds["compile"] + seconds["sample"]),
        compile_seconds=float(seconds.get("compile", 0.0)),
        exact=method == "nuts",
        var_names=free,
        backend=compiler,
        adaptation=mass,
        stopped=str(seconds.get("stopped", "")),
        gradients=int(seconds.get("gradients", 0)),
    )
    fit = Fit(
        spec=inputs.spec,
        data=data,
        posterior=tree,
        diagnostics=diagnostics,
        random_seed=random_seed,
        method=method,
    )
    if not diagnostics.converged:
        warnings.warn(
            f"the fit did not converge: {diagnostics.reason}", NotConvergedWarning, stacklevel=2
        )
    return fit
