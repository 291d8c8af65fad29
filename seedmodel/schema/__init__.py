"""Tables of CONTRACT.md -> one validated container with named dimensions."""

from seedmodel.schema.dataset import Dataset, from_frames, load
from seedmodel.schema.errors import DataError
from seedmodel.schema.tables import TABLES

__all__ = ["TABLES", "DataError", "Dataset", "from_frames", "load"]
