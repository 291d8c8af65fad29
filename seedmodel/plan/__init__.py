"""Planning next quarter's budget from a fitted SeedingMMM: response curves, the spend where
the next yuan stops paying, and the allocation across brands and channels."""

from seedmodel.plan.allocation import PLAN_COLUMNS, Allocation, allocate, frontier
from seedmodel.plan.curves import breakeven, response_curves
from seedmodel.plan.response import PlanResponse, plan_response

__all__ = [
    "PLAN_COLUMNS",
    "Allocation",
    "PlanResponse",
    "allocate",
    "breakeven",
    "frontier",
    "plan_response",
    "response_curves",
]
