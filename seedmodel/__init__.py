"""seedmodel: causal measurement of Xiaohongshu (RED) seeding and its Tmall / JD GMV.

>>> import seedmodel as sm
>>> data = sm.load("data/sample")        # doctest: +SKIP
"""

from seedmodel.calendar import ecommerce_calendar
from seedmodel.link import LinkResult, link
from seedmodel.schema import DataError, Dataset, from_frames, load
from seedmodel.sim import ChannelSpec, Simulation, WorldConfig, simulate

__version__ = "0.1.0"

__all__ = [
    "ChannelSpec",
    "DataError",
    "Dataset",
    "LinkResult",
    "Simulation",
    "WorldConfig",
    "__version__",
    "ecommerce_calendar",
    "from_frames",
    "link",
    "load",
    "simulate",
]
