"""seedmodel: causal measurement of Xiaohongshu (RED) seeding and its Tmall / JD GMV.

>>> import seedmodel as sm
>>> data = sm.load("data/sample")
>>> data.brand_names
('LumaBeauty', 'PureCare', 'VitaWell')
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the lazy names below, for type checkers and IDEs
    from seedmodel.analysis.checks import FitChecks, check_fit
    from seedmodel.analysis.decomposition import contributions
    from seedmodel.analysis.incremental import roi
    from seedmodel.calendar import ecommerce_calendar
    from seedmodel.fit import Fit, fit_mmm, load_fit
    from seedmodel.linkage import LinkResult, link
    from seedmodel.models.mmm.spec import MediaSpec, SeedingMMM
    from seedmodel.plan import (
        Allocation,
        PlanResponse,
        allocate,
        breakeven,
        frontier,
        plan_response,
        response_curves,
    )
    from seedmodel.schema import ArgumentError, DataError, Dataset, from_frames, load
    from seedmodel.sim import ChannelSpec, Simulation, WorldConfig, simulate

__version__ = "0.1.0"

#: Public name -> the module that defines it, imported on first use: ``import seedmodel``
#: does not pull in PyMC, ArviZ or JAX until a fit needs them.
_LAZY = {
    "FitChecks": "seedmodel.analysis.checks",
    "check_fit": "seedmodel.analysis.checks",
    "contributions": "seedmodel.analysis.decomposition",
    "roi": "seedmodel.analysis.incremental",
    "ecommerce_calendar": "seedmodel.calendar",
    "LinkResult": "seedmodel.linkage",
    "link": "seedmodel.linkage",
    "Fit": "seedmodel.fit",
    "fit_mmm": "seedmodel.fit",
    "load_fit": "seedmodel.fit",
    "MediaSpec": "seedmodel.models.mmm.spec",
    "SeedingMMM": "seedmodel.models.mmm.spec",
    "fit_portfolio": "seedmodel.portfolio",
    "load_portfolio": "seedmodel.portfolio",
    "portfolio_plan_response": "seedmodel.portfolio",
    "portfolio_report": "seedmodel.report.compose",
    "Allocation": "seedmodel.plan",
    "PlanResponse": "seedmodel.plan",
    "allocate": "seedmodel.plan",
    "breakeven": "seedmodel.plan",
    "frontier": "seedmodel.plan",
    "plan_response": "seedmodel.plan",
    "response_curves": "seedmodel.plan",
    "ArgumentError": "seedmodel.schema",
    "DataError": "seedmodel.schema",
    "Dataset": "seedmodel.schema",
    "from_frames": "seedmodel.schema",
    "load": "seedmodel.schema",
    "ChannelSpec": "seedmodel.sim",
    "Simulation": "seedmodel.sim",
    "WorldConfig": "seedmodel.sim",
    "simulate": "seedmodel.sim",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'seedmodel' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Allocation",
    "ArgumentError",
    "ChannelSpec",
    "DataError",
    "Dataset",
    "Fit",
    "FitChecks",
    "LinkResult",
    "MediaSpec",
    "PlanResponse",
    "SeedingMMM",
    "Simulation",
    "WorldConfig",
    "__version__",
    "allocate",
    "breakeven",
    "check_fit",
    "contributions",
    "ecommerce_calendar",
    "fit_mmm",
    "fit_portfolio",
    "from_frames",
    "frontier",
    "link",
    "load",
    "load_fit",
    "load_portfolio",
    "plan_response",
    "portfolio_plan_response",
    "portfolio_report",
    "response_curves",
    "roi",
    "simulate",
]
