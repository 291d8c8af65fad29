"""Tables of docs/contract.md -> one validated container with named dimensions."""

from seedmodel.schema.dataset import Dataset, combine_brands, from_frames, load
from seedmodel.schema.errors import ArgumentError, DataError
from seedmodel.schema.tables import TABLES

__all__ = [
    "TABLES",
    "ArgumentError",
    "DataError",
    "Dataset",
    "combine_brands",
    "from_frames",
    "load",
]
