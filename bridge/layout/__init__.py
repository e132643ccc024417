"""Record layouts: the immutable model every stage reads, and the computation that builds it."""
from bridge.layout.model import Condition, Dialect, Dim, Field, Kind, Layout, Occurs, Record, SourceLocation

__all__ = ["Condition", "Dialect", "Dim", "Field", "Kind", "Layout", "Occurs", "Record", "SourceLocation"]
