"""seedmodel: causal measurement of Xiaohongshu (RED) seeding and its Tmall / JD GMV.

>>> import seedmodel as sm
>>> data = sm.load("data/sample")
>>> data.brand_names
('LumaBeauty', 'PureCare', 'VitaWell')
"""

from seedmodel.analysis.checks import FitChecks, check_fit
from seedmodel.analysis.contributions import contributions
from seedmodel.analysis.roi import roi
from seedmodel.calendar import ecommerce_calendar
from seedmodel.fit import Fit, fit_mmm, load_fit
from seedmodel.link import LinkResult, link
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
from seedmodel.schema import DataError, Dataset, from_frames, load
from seedmodel.sim import ChannelSpec, Simulation, WorldConfig, simulate

__version__ = "0.1.0"

__all__ = [
    "Allocation",
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
    "from_frames",
    "frontier",
    "link",
    "load",
    "load_fit",
    "plan_response",
    "response_curves",
    "roi",
    "simulate",
]
