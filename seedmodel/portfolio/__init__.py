"""A portfolio of brands: grouped, each group one hierarchical fit, run on any executor
(this process, a local process pool, or Dask distributed for more than one machine)."""

from seedmodel.portfolio.groups import portfolio_groups
from seedmodel.portfolio.plan import join_responses, load_group_fits, portfolio_plan_response
from seedmodel.portfolio.run import GroupResult, GroupTask, Portfolio, fit_portfolio, run_group
from seedmodel.portfolio.saved import GroupFit, SavedPortfolio, load_portfolio

__all__ = [
    "GroupFit",
    "GroupResult",
    "GroupTask",
    "Portfolio",
    "SavedPortfolio",
    "fit_portfolio",
    "join_responses",
    "load_group_fits",
    "load_portfolio",
    "portfolio_groups",
    "portfolio_plan_response",
    "run_group",
]
