"""CPU-per-request ratios of two scenarios measured in alternating windows (A B B A, repeated).

The interleaved rounds of `make bench` measure one scenario tens of seconds after another; on a
shared machine whose speed drifts meanwhile (other tenants), a ratio of two close figures then
moves by ±10 % from run to run. Here the two sides alternate in short windows, in an order that
cancels a steady drift, and each A B B A group gives one ratio; the median of the groups is
reported, with their range.
"""
from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from typing import Callable

GROUPS = int(os.environ.get("BENCH_PAIRED_GROUPS", "6"))
WINDOW_SECONDS = 2


@dataclass
class Paired:
    a_us: float
    b_us: float
    ratio: float
    low: float
    high: float


def ratio(measure: Callable, a, b, settle_seconds: float) -> Paired:
    """`measure(scenario, seconds)` returns the scenario's figures, `cpu_us` among them."""
    a_us, b_us, ratios = [], [], []
    for _ in range(GROUPS):
        group = {id(a): [], id(b): []}
        for scenario in (a, b, b, a):
            time.sleep(settle_seconds)
            group[id(scenario)].append(measure(scenario, WINDOW_SECONDS)["cpu_us"])
        a_us += group[id(a)]
        b_us += group[id(b)]
        ratios.append(sum(group[id(a)]) / sum(group[id(b)]))
    return Paired(statistics.mean(a_us), statistics.mean(b_us), statistics.median(ratios), min(ratios),
                  max(ratios))
