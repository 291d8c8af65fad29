"""Fitting a SeedingMMM, and the fitted result: immutable, saved and loaded as one file."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from seedmodel.inference.diagnostics import Diagnostics
from seedmodel.inference.options import SamplerConfig
from seedmodel.models.mmm.inputs import MMMInputs, build_inputs
from seedmodel.models.mmm.spec import SPEC_FORMAT, SeedingMMM
from seedmodel.schema import DataError, Dataset, from_frames
from seedmodel.schema.tables import TABLES

if TYPE_CHECKING:
    import pymc as pm

__all__ = ["Fit", "NotConvergedWarning", "fit_mmm", "load_fit"]

#: The fit file's format, the same number as its spec's (:data:`SPEC_FORMAT`). 4: the
#: ``terms_scale`` option; 3: the ``shocks`` option; 2: every spec option written, the
#: library version recorded; 1: fits saved before 2026-12-02. Older formats are read with
#: their options' values of that time. Since 2026-12-03 a fit file also records its sampler
#: settings (``sampler_config``; ``Fit.config`` is ``None`` for a file without them), the
#: priors in effect and a fingerprint of the model inputs (``load_fit`` refuses a file whose
#: priors or inputs this version would not reproduce).
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
    config : SamplerConfig or None
        How it was sampled; ``None`` for a fit file written before the settings were
        recorded (2026-12-03).
    """

    spec: SeedingMMM
    data: Dataset
    posterior: xr.DataTree
    diagnostics: Diagnostics
    random_seed: int
    method: str = "nuts"
    config: SamplerConfig | None = None

    def __repr__(self) -> str:
        d = self.diagnostics
        state = "converged" if d.converged else f"NOT CONVERGED ({d.reason})"
        return (
            f"Fit({self.method}/{d.sampler}, {d.chains}x{d.draws} draws, {state}, "
            f"data={self.data!r})"
        )

    @property
    def brand_spreads(self) -> str:
        """How the brands' spreads around each channel's mean were taken in this fit:
        ``learnt``, ``effect`` or ``fixed`` (``SeedingMMM.brand_spreads`` with ``auto``
        resolved by the number of brands), or ``""`` with one brand, which has none."""
        n = len(self.data.brand_names)
        return self.spec.brand_spreads_for(n) if n > 1 else ""

    def diagnostics_record(self) -> dict:
        """What ``diagnostics.json`` holds for this fit: :attr:`diagnostics` as a dict
        (NaN as None) and :attr:`brand_spreads`."""
        return {**self.diagnostics.to_dict(), "brand_spreads": self.brand_spreads}

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
                **(
                    {"sampler_config": json.dumps(self.config.to_dict())}
                    if self.config is not None
                    else {}
                ),
                "priors": json.dumps(effective_priors(self.spec, self.data.period_days)),
                "inputs_fingerprint": json.dumps(inputs_fingerprint(self.inputs)),
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
        Fewer periods than :data:`MIN_PERIODS`, or no channel with any spend.
    """
    if not isinstance(data, Dataset):
        raise TypeError(
            f"a fit needs a checked seedmodel Dataset, got {type(data).__name__}: load a "
            "contract folder with sm.load(folder), or DataFrames with "
            "sm.from_frames(media=..., sales=..., brands=...)"
        )
    data.require_periods(MIN_PERIODS, "the MMM")
    if not data.paid_channels:
        raise DataError(
            "media",
            f"no channel of {', '.join(data.brand_names)} has any spend: the MMM has nothing "
            "to measure",
            column="spend",
        )


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
        The file is not a seedmodel fit, was written in a format newer than this version
        reads (:data:`FORMAT_VERSION`), or cannot be reproduced exactly by this version:
        the priors it was fitted with are not the ones this version uses for its spec, or
        the model inputs rebuilt from its saved data differ from the ones it was fitted on
        (a changed calendar or feature code). The message names the version that wrote
        it. Files written before these were recorded are read as they are.
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
    fit = Fit(
        spec=SeedingMMM.from_dict(json.loads(attrs["spec"]), format=fmt),
        data=data,
        posterior=post,
        diagnostics=Diagnostics(**diag),
        random_seed=int(attrs["random_seed"]),
        method=str(attrs["method"]),
        config=_saved_config(attrs),
    )
    _check_reproducible(fit, attrs, path)
    return fit


def effective_priors(spec: SeedingMMM, period_days: int) -> dict[str, dict]:
    """Every prior a fit of ``spec`` uses, as plain data: the model's own (with the spec's
    overrides) and each channel's carryover and saturation parameters'."""
    from seedmodel.models.mmm.priors import PRIORS

    out = {name: spec.prior(name).to_dict() for name in PRIORS}
    for channel, media in sorted(spec.media.items()):
        for component in (media.adstock, media.saturation):
            for name, prior in component.priors(period_days).items():
                out[f"{channel}__{name}"] = prior.to_dict()
    return out


def inputs_fingerprint(inputs: MMMInputs) -> dict[str, list]:
    """A compact summary of the arrays a model is built from: per array its shape and sum of
    squares (unchanged by the sign flips a different linear-algebra library may give the
    orthonormalised controls). Two fingerprints that differ mean different inputs."""
    out: dict[str, list] = {}
    for f in fields(inputs):
        value = getattr(inputs, f.name)
        if isinstance(value, np.ndarray):
            a = value.astype(float)
            out[f.name] = [list(a.shape), float(np.nansum(a * a))]
    out["control_names"] = list(inputs.control_names)
    return out


def _same_fingerprint(saved: dict, now: dict) -> str | None:
    """The first array whose summary differs, else None. The tolerance (1e-6 relative)
    allows what another machine's linear algebra or optimiser changes in the last digits
    (the QR of the controls, an engagement model's first stage); a changed calendar or
    feature moves a sum of squares by far more."""
    for name in sorted(set(saved) | set(now)):
        a, b = saved.get(name), now.get(name)
        if name == "control_names" or a is None or b is None:
            if a != b:
                return name
            continue
        if a[0] != b[0] or not np.isclose(a[1], b[1], rtol=1e-6, atol=1e-9):
            return name
    return None


def _check_reproducible(fit: Fit, attrs, path: Path) -> None:
    """Refuse a fit this version would not reproduce: other priors, or other model inputs
    rebuilt from the same saved data (a changed calendar or feature code)."""
    wrote = f"seedmodel {attrs.get('seedmodel_version', '?')}"
    if "priors" in attrs:
        saved = json.loads(attrs["priors"])
        now = effective_priors(fit.spec, fit.data.period_days)
        differ = sorted(k for k in set(saved) | set(now) if saved.get(k) != now.get(k))
        if differ:
            raise DataError(
                None,
                f"{path} was fitted by {wrote} with priors this seedmodel "
                f"({_library_version()}) does not use ({differ[0]}: {saved.get(differ[0])} "
                f"now {now.get(differ[0])}); refit it, or read it with {wrote}",
            )
    if "inputs_fingerprint" in attrs:
        name = _same_fingerprint(
            json.loads(attrs["inputs_fingerprint"]), inputs_fingerprint(fit.inputs)
        )
        if name is not None:
            raise DataError(
                None,
                f"{path} was fitted by {wrote} on model inputs this seedmodel "
                f"({_library_version()}) builds differently from the same data ({name}); "
                f"refit it, or read it with {wrote}",
            )


def _saved_config(attrs) -> SamplerConfig | None:
    """The sampler settings a fit file recorded (None for files written before they were).

    Files written before 2026-12-04's sixteenth session saved ``tune=None`` for the default
    warm-up, which was then 1,000 draws for a fit sampled until converged; later files save
    the number used.
    """
    if "sampler_config" not in attrs:
        return None
    saved = json.loads(attrs["sampler_config"])
    if saved.get("tune") is None and saved.get("draws") is None:
        saved["tune"] = 1000
    return SamplerConfig.from_dict(saved)


def starting_point(model: pm.Model, inputs: MMMInputs) -> dict[str, np.ndarray]:
    """Where the chains start, as variable name -> value: the prior's centre, with the
    variables moved off it whose log-density gradient would be exactly zero there (nutpie
    refuses such a start).

    At zero, the demand state and the non-centred offsets give their scale parameters
    exactly zero gradients; a control that is zero for a brand (a channel it never spent on
    while another brand did) leaves its coefficient only its prior, whose gradient at 0 is
    exactly 0; and centred brand effects all at their mean give the mean one, so with them
    every variable starts 0.1 off the centre (:func:`seedmodel.inference.sample.off_centre`).
    """
    centre = model.initial_point()  # one compiled call, not one per variable
    initial = {
        rv.name: np.full(centre[rv.name].shape, 0.1)
        for rv in model.free_RVs
        if rv.name == "demand_coef" or rv.name.endswith("_z")
    }
    empty = ~inputs.controls.any(axis=1)  # (B, K)
    if empty.any():
        gamma = np.zeros(centre["gamma"].shape)  # (B, P, K)
        gamma[np.broadcast_to(empty[:, None, :], gamma.shape)] = 0.1
        initial["gamma"] = gamma
    if "log_gross_mu" in centre and "log_gross" in centre:
        # centred brand effects: every variable 0.1 off the centre, where these fits started
        # until 2026-12-04 after nutpie refused the centre (the per-fit checks' refit of
        # data/sample mixed badly, R-hat 1.10, from the centre with only the effects moved)
        from seedmodel.inference.sample import off_centre

        return off_centre(model, initial)
    return initial


def sample_inputs(
    inputs: MMMInputs,
    config: SamplerConfig,
    *,
    random_seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> tuple[xr.DataTree, Diagnostics]:
    """Build the model of ``inputs``, draw from its posterior and diagnose the draws: the
    sampling step of :func:`fit_mmm`, apart from the data it was built from.

    Parameters
    ----------
    inputs : MMMInputs
        The model's arrays (:func:`~seedmodel.models.mmm.inputs.build_inputs`).
    config : SamplerConfig
        How to sample.
    random_seed : int
        Seed of the sampler.
    progress : callable, optional
        Called with a line of text per stage and checkpoint.

    Returns
    -------
    (DataTree, Diagnostics)
        The draws and their diagnostics.
    """
    from seedmodel.inference import diagnose, run_inference
    from seedmodel.inference.diagnostics import rule_holds
    from seedmodel.inference.sample import START_FAILED, mass_matrix, nutpie_backend, off_centre
    from seedmodel.models.mmm.graph import build_model

    compiler = nutpie_backend(config.backend)
    model = build_model(inputs)
    mass = mass_matrix(config.adaptation, model)
    if config.method != "nuts" or config.sampler != "nutpie":
        compiler = mass = ""  # nutpie's alone
    free = [v.name for v in model.free_RVs]
    initial = starting_point(model, inputs)

    def sample(start: dict):
        return run_inference(
            model,
            config,
            random_seed=random_seed,
            initial=start,
            until=lambda tree: rule_holds(tree, free),
            progress=progress,
            targets=config.step_targets(inputs.n_periods - inputs.holdout),
        )

    try:
        tree, seconds = sample(initial)
    except RuntimeError as exc:
        # a parameter the fitted periods do not inform (a channel that spends only in a
        # held-out quarter) has a zero gradient at the prior's centre: start off it
        if START_FAILED not in str(exc):
            raise
        tree, seconds = sample(off_centre(model, initial))
    diagnostics = diagnose(
        tree,
        sampler=config.sampler if config.method == "nuts" else config.method,
        seconds=float(seconds["compile"] + seconds["sample"]),
        compile_seconds=float(seconds.get("compile", 0.0)),
        exact=config.method == "nuts",
        var_names=free,
        backend=compiler,
        adaptation=mass,
        stopped=str(seconds.get("stopped", "")),
        gradients=int(seconds.get("gradients", 0)),
        parallel=str(seconds.get("parallel", "")),
        target_accept=float(seconds.get("target_accept", config.step_target)),
        restarts=int(seconds.get("restarts", 0)),
    )
    return tree, diagnostics


def fit_mmm(
    data: Dataset,
    spec: SeedingMMM | None = None,
    *,
    config: SamplerConfig | None = None,
    random_seed: int = 0,
    holdout: int = 0,
    progress: Callable[[str], None] | str | None = "auto",
    **settings: Any,
) -> Fit:
    """Fit a SeedingMMM to checked data.

    Parameters
    ----------
    data : Dataset
        From :func:`seedmodel.load`.
    spec : SeedingMMM, optional
        Default ``SeedingMMM()``.
    config : SamplerConfig, optional
        How to sample (:class:`~seedmodel.inference.options.SamplerConfig`: draws, tune,
        chains, sampler, method, target_accept, backend, adaptation, max_minutes). Default
        ``SamplerConfig()``: NUTS with nutpie until the convergence rule holds (R-hat <=
        1.01 and bulk ESS >= 400 on every parameter, no divergences), judged at fixed draw
        counts so that the same seed gives the same numbers, or until 15 minutes are spent;
        ``diagnostics.stopped`` says which. Saved with the fit (``fit.config``).
    random_seed : int
        Same seed, same draws, same numbers.
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
    **settings
        Any field of :class:`~seedmodel.inference.options.SamplerConfig`, replacing the
        one in ``config`` (``fit_mmm(data, draws=500)``); an unknown name raises
        ``TypeError``.

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
    config = replace(config or SamplerConfig(), **settings)  # validated once, there
    # the warm-up used is saved, so a later default cannot change what a fit file says
    config = replace(config, tune=config.warmup)
    check_fit_data(data)
    spec = spec or SeedingMMM()
    inputs = build_inputs(data, spec)
    if not 0 <= holdout <= inputs.n_periods // 2:
        raise ValueError(f"holdout must be between 0 and half the data's periods, got {holdout}")
    if holdout:
        inputs = replace(inputs, holdout=int(holdout))
    tree, diagnostics = sample_inputs(inputs, config, random_seed=random_seed, progress=progress)
    fit = Fit(
        spec=inputs.spec,
        data=data,
        posterior=tree,
        diagnostics=diagnostics,
        random_seed=random_seed,
        method=config.method,
        config=config,
    )
    if not diagnostics.converged:
        warnings.warn(
            f"the fit did not converge: {diagnostics.reason}", NotConvergedWarning, stacklevel=2
        )
    return fit
