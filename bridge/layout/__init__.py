"""Record layouts: the immutable model every stage reads (`bridge.copybook` builds it, never the reverse)."""
from bridge.layout.model import Condition, Dialect, Dim, Field, Kind, Layout, Occurs, Record, SourceLocation

__all__ = ["Condition", "Dialect", "Dim", "Field", "Kind", "Layout", "Occurs", "Record", "SourceLocation"]
