"""The benchmarks' statistics: balanced variant orders and paired ratios (what targets are checked
on, so a slip here would report a target met or missed wrongly)."""

from __future__ import annotations

import itertools

import pytest

from benchmarks._harness import (
    Segment,
    interleaved,
    paired_difference,
    paired_ratio,
    summarise,
)


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_each_variant_takes_each_place_and_follows_each_other_equally_often(count: int) -> None:
    variants = [f"v{i}" for i in range(count)]
    cycle = 2 * count if count % 2 else count
    runs: dict[int, list[str]] = {}
    for run, variant in interleaved(cycle, variants):
        runs.setdefault(run, []).append(variant)
    orders = list(runs.values())
    assert orders[0] == variants  # the first run keeps the declared order
    assert all(sorted(order) == variants for order in orders)
    places = {(order.index(v), v) for order in orders for v in order}
    assert len(places) == count * count
    followers: dict[tuple[str, str], int] = {}
    for order in orders:
        for pair in itertools.pairwise(order):
            followers[pair] = followers.get(pair, 0) + 1
    assert set(followers) == set(itertools.permutations(variants, 2))
    assert len(set(followers.values())) == 1


def _runs(variant: str, reference: str, cpu_us: list[tuple[float, float]]) -> list[Segment]:
    """One run per ``(variant's, reference's)`` CPU µs per operation, in that order."""
    return [
        Segment(name, run, ops=1000, cpu_s=value * 1000 / 1e6, wall_s=1.0)
        for run, pair in enumerate(cpu_us, start=1)
        for name, value in zip((variant, reference), pair, strict=True)
    ]


def test_paired_ratio_compares_within_runs_and_the_table_starts_with_the_reference() -> None:
    # The machine is twice as slow in run 2; the SDK costs 1.1x the reference in every run.
    segments = _runs("sdk", "raw", [(110.0, 100.0), (220.0, 200.0), (330.0, 100.0)])
    summary = summarise(segments, "raw", ["cpu_us_per_op"])
    assert list(summary["variants"]) == ["raw", "sdk"]
    assert summary["paired"]["sdk"]["cpu_us_per_op"] == pytest.approx(1.1)
    assert summary["paired"]["raw"]["cpu_us_per_op"] == pytest.approx(1.0)
    assert summary["ratios"]["sdk"]["cpu_us_per_op"] == pytest.approx(220.0 / 100.0)


def test_paired_difference_is_the_median_of_each_runs_own_difference() -> None:
    # Per call the variant adds 80 µs in every run; run 2 is slow for both.
    segments = _runs("sync", "async", [(480.0, 400.0), (1080.0, 1000.0), (490.0, 410.0)])
    assert paired_difference(segments, "sync", "async", "cpu_us_per_op") == pytest.approx(80.0)
    assert paired_difference(segments, "missing", "async", "cpu_us_per_op") is None


def test_paired_ratio_of_two_variants_neither_of_them_the_reference() -> None:
    # sync_throughput's ceiling: the sync client's share of the async client, run by run.
    segments = _runs("sync", "async", [(450.0, 400.0), (1000.0, 800.0), (420.0, 400.0)])
    assert paired_ratio(segments, "sync", "async", "cpu_us_per_op") == pytest.approx(1.125)
    assert paired_ratio(segments, "missing", "async", "cpu_us_per_op") is None
