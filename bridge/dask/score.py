"""placeholder"""
from __future__ import annotations
DaskScore = None
def score_file(*a, **k):
    raise NotImplementedError
