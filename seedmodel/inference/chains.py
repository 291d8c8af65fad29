"""nutpie's chains in processes of their own: one chain per process, driven like one sampler.

With the JAX compiler nutpie calls the model's log density from Python, once per leapfrog
step. Two chains in threads of one process slow each other down: on ``data/sample`` a
gradient costs 1.21 ms per chain with two chains in one process against 1.05 ms with each
chain in a process of its own, on the same two cores (docs/benchmarks.md, *Chains in
processes*). :class:`ChainProcesses` starts one process per chain, each compiling the model
and sampling one chain, and answers as nutpie's running sampler does (``inspect``,
``is_finished``, ``wait``, ``abort``), its chains put together along ``chain``.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import Any

import cloudpickle
import numpy as np
import xarray as xr

__all__ = ["ChainProcesses", "chain_seeds"]

#: The groups of a nutpie trace a fit keeps or counts gradients in.
GROUPS = ("posterior", "sample_stats", "warmup_sample_stats")


def chain_seeds(random_seed: int, chains: int) -> list[int]:
    """One nutpie seed per chain, derived from the fit's seed (the same seed gives the same
    chains)."""
    states = np.random.SeedSequence(random_seed).spawn(chains)
    return [int(s.generate_state(1, dtype=np.uint32)[0]) for s in states]


def _groups(trace: xr.DataTree) -> dict[str, xr.Dataset]:
    """The trace's groups a fit uses, as plain datasets (to pickle back to the parent)."""
    return {name: trace[name].to_dataset() for name in GROUPS if name in trace.children}


def _reply(out, kind: str, value: Any) -> None:
    """One answer to the parent: ``(kind, value)``, ``kind`` one of compiled, ok, error."""
    pickle.dump((kind, value), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def _serve(inp, out) -> None:
    """A chain's process: read the model and options, compile, sample one chain, answer the
    parent's requests (pickles over the process's standard streams)."""
    import warnings

    import nutpie

    from seedmodel.inference.sample import compile_nutpie

    try:
        model_bytes, compile_options, sample_options = pickle.load(inp)
        model = cloudpickle.loads(model_bytes)
        compiled = compile_nutpie(model, compile_options)
        running = nutpie.sample(compiled, blocking=False, **sample_options)
        _reply(out, "compiled", None)
    except Exception as exc:  # the parent raises it: nothing here may hang the fit
        _reply(out, "error", f"{type(exc).__name__}: {exc}")
        return
    while True:
        try:
            request = pickle.load(inp)
        except EOFError:  # the parent is gone
            running.abort()
            return
        try:
            if request == "finished":
                try:
                    _reply(out, "ok", bool(running.is_finished))
                except TimeoutError:  # nutpie's answer while the chain is busy
                    _reply(out, "ok", False)
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                if request == "inspect":
                    _reply(out, "ok", _groups(running.inspect()))
                    continue
                final = running.wait() if request == "wait" else running.abort()
            _reply(out, "ok", _groups(final))
            return
        except Exception as exc:
            _reply(out, "error", f"{type(exc).__name__}: {exc}")
            return


class ChainProcesses:
    """Chains of nutpie, each sampled in a process of its own.

    Parameters
    ----------
    model : pymc.Model
        The model (pickled to each process, which compiles it).
    compile_options : dict
        Keyword arguments of ``nutpie.compile_pymc_model``.
    sample_options : dict
        Keyword arguments of ``nutpie.sample`` (``chains``, ``cores`` and ``seed`` are set
        per process).
    chains : int
        Chains, one process each.
    random_seed : int
        The fit's seed (:func:`chain_seeds`).

    Notes
    -----
    The processes are fresh interpreters (``python -m seedmodel.inference.chains``), not
    ``multiprocessing``'s: its ``spawn`` re-runs the caller's script in each child, so a
    user's script without a main guard would start fits without end. The protocol is
    pickles over the child's standard streams; what a library prints in the child goes to
    its standard error, which is discarded (errors come back as answers).
    """

    def __init__(
        self,
        model,
        compile_options: dict,
        sample_options: dict,
        *,
        chains: int,
        random_seed: int,
    ) -> None:
        payload = cloudpickle.dumps(model)
        self._procs = []
        for seed in chain_seeds(random_seed, chains):
            options = sample_options | dict(chains=1, cores=1, seed=seed)
            proc = subprocess.Popen(
                [sys.executable, "-m", "seedmodel.inference.chains"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            pickle.dump((payload, compile_options, options), proc.stdin)
            proc.stdin.flush()
            self._procs.append(proc)
        self._final: xr.DataTree | None = None
        try:
            for proc in self._procs:
                self._receive(proc)  # compiled and started (or the error that stopped it)
        except BaseException:  # an interrupt while they start: leave none running
            self.close()
            raise

    def _receive(self, proc) -> Any:
        try:
            kind, value = pickle.load(proc.stdout)
        except (EOFError, pickle.UnpicklingError):
            self.close()
            raise RuntimeError("a chain's process ended without an answer") from None
        if kind == "error":
            self.close()
            raise RuntimeError(value)
        return value

    def _ask(self, request: str) -> list[Any]:
        for proc in self._procs:
            pickle.dump(request, proc.stdin)
            proc.stdin.flush()
        return [self._receive(p) for p in self._procs]

    @staticmethod
    def _merge(parts: list[dict[str, xr.Dataset]]) -> xr.DataTree:
        """The chains' groups side by side along ``chain`` (0, 1, ...); a chain that is
        behind is padded with NaN, as nutpie pads its own."""
        groups = {}
        for name in GROUPS:
            sets = [p[name] for p in parts if name in p]
            if len(sets) == len(parts):
                sets = [s.assign_coords(chain=[k]) for k, s in enumerate(sets)]
                groups[name] = xr.concat(sets, dim="chain", join="outer")
        return xr.DataTree.from_dict(groups)

    @property
    def is_finished(self) -> bool:
        return self._final is not None or all(self._ask("finished"))

    def inspect(self) -> xr.DataTree:
        return self._final if self._final is not None else self._merge(self._ask("inspect"))

    def wait(self) -> xr.DataTree:
        return self._end("wait")

    def abort(self) -> xr.DataTree:
        return self._end("abort")

    def _end(self, request: str) -> xr.DataTree:
        if self._final is None:
            self._final = self._merge(self._ask(request))
            self.close()
        return self._final

    def close(self) -> None:
        """End the chains' processes (idempotent): asked to stop by closing their input,
        killed if they have not ended 10 s later."""
        for proc in self._procs:
            if proc.stdin and not proc.stdin.closed:
                proc.stdin.close()
        for proc in self._procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout and not proc.stdout.closed:
                proc.stdout.close()


def main() -> None:
    """A chain's process (``python -m seedmodel.inference.chains``): the protocol runs over
    the original standard output; anything a library prints goes to standard error."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
