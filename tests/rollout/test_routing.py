"""Routing: a documented hash of the key's raw bytes, sticky across runs and shares."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.rollout.routing import BUCKETS, buckets, fnv1a64, routed


def key_matrix(n: int, start: int = 1) -> np.ndarray:
    """Records of 12 bytes whose bytes 2..5 hold a big-endian binary customer number (as PIC 9(9) COMP)."""
    matrix = np.zeros((n, 12), dtype=np.uint8)
    matrix[:, 2:6] = np.arange(start, start + n, dtype=">u4").view(np.uint8).reshape(n, 4)
    return matrix


def test_fnv1a64_matches_the_published_test_vectors():
    # from the FNV reference (draft-eastlake-fnv): "" and "a" and "foobar"
    assert fnv1a64(b"") == 0xCBF29CE484222325
    assert fnv1a64(b"a") == 0xAF63DC4C8601EC8C
    assert fnv1a64(b"foobar") == 0x85944171F73967E8


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=5, max_size=5), min_size=1, max_size=40))
def test_the_kernel_gives_the_documented_bucket_of_every_key(keys):
    matrix = np.frombuffer(b"".join(b"\x40" + k + b"\x40" for k in keys), dtype=np.uint8).reshape(len(keys), 7)
    assert buckets(matrix, 1, 5).tolist() == [fnv1a64(k) % BUCKETS for k in keys]


def test_a_key_gets_the_same_arm_on_every_run():
    first = routed(buckets(key_matrix(5000), 2, 4), 10)
    again = routed(buckets(key_matrix(5000)[::-1].copy(), 2, 4), 10)[::-1]  # another night, another order
    assert np.array_equal(first, again)


def test_raising_the_share_from_10_to_25_only_moves_keys_into_the_challengers_arm():
    b = buckets(key_matrix(20000), 2, 4)
    at10, at25 = routed(b, 10), routed(b, 25)
    assert not np.any(at10 & ~at25)          # nobody leaves the challenger
    assert at25.sum() > at10.sum()           # and some join it


def test_the_observed_share_on_100k_records_is_within_4_sigma_of_the_setting():
    b = buckets(key_matrix(100_000, start=10_000_000), 2, 4)
    for share in (5, 10, 25, 50):
        p, n = share / 100, len(b)
        observed = int(routed(b, share).sum())
        sigma = math.sqrt(n * p * (1 - p))
        assert abs(observed - n * p) < 4 * sigma, (share, observed)


def test_share_0_routes_nothing_and_100_routes_everything():
    b = buckets(key_matrix(1000), 2, 4)
    assert not routed(b, 0).any() and routed(b, 100).all()


def test_only_the_key_bytes_decide_the_arm():
    matrix = key_matrix(1000)
    other = matrix.copy()
    other[:, 6:] = 0xFF  # everything but the key changed
    assert np.array_equal(buckets(matrix, 2, 4), buckets(other, 2, 4))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=12), min_size=1, max_size=50, unique=True),
       st.integers(0, 100), st.integers(0, 100))
def test_a_larger_share_always_holds_every_key_of_a_smaller_one(keys, a, b):
    low, high = sorted((a, b))
    width = max(len(k) for k in keys)
    matrix = np.frombuffer(b"".join(k.ljust(width, b"\x00") for k in keys), dtype=np.uint8).reshape(len(keys), width)
    bucket = buckets(matrix, 0, width)
    assert not np.any(routed(bucket, low) & ~routed(bucket, high))
