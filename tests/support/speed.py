"""What keeps the suite fast (a pytest plugin, loaded by tests/conftest.py; `-p
no:support.speed` runs without it, e.g. to measure what it saves).

Compiled bytecode is cached for the run even where PYTHONDONTWRITEBYTECODE is set (as on the
project's machines). Without it every xdist worker compiles the whole suite and the product
again (collection: ~11 s of CPU instead of ~4 s), and so does every `python -m tui_app` a
test starts (~0.3 s of CPU for a command, more for the TUI). The cache is
pytest's own folder (`.pytest_cache/d/pycache`, PYTHONPYCACHEPREFIX), never the source tree;
a changed source is recompiled as usual (Python compares its time stamp and size). Workers
and every program a test starts inherit it through the environment.
"""
from __future__ import annotations

import os
import sys

import pytest


@pytest.hookimpl(trylast=True)  # after the cacheprovider made config.cache
def pytest_configure(config) -> None:
    if not sys.dont_write_bytecode or os.environ.get("PYTHONPYCACHEPREFIX"):
        return  # bytecode is written as usual, or somebody chose where
    cache = getattr(config, "cache", None)
    if cache is None:  # -p no:cacheprovider: nowhere of pytest's own to put it
        return
    prefix = str(cache.mkdir("pycache"))
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.dont_write_bytecode = False  # this process too (pytest's rewritten test modules)
    sys.pycache_prefix = prefix


# -- the order of the parallel run -------------------------------------------------------
# pytest-xdist's `worksteal` (pyproject.toml) gives each worker one contiguous block of the
# collection, equal in number of tests, and an idle worker then takes the back half of the
# longest queue. In file order the heavy files (the fault matrix, the store's kill loops)
# sit together at the end, so one worker's block holds most of the work, and a worker can
# end the run alone on two long tests. So the workers' collection is put in an order where
# each block has about the same expected seconds, its heaviest tests first and its quick
# ones last (what is stolen, and what ends the run). The tests of one file stay together
# within a block (its module fixtures are made once per block). The expected seconds are
# the last run's (pytest's cache, `shtab/durations`); a test never timed counts as slow
# when it is marked slow. The order decides only who runs what when: every test still runs,
# in a fresh tmp_path, as under any other order.

DURATIONS = "shtab/durations"
GUESS_SLOW, GUESS = 10.0, 0.5  # seconds, for a test without a timing yet


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent under -p no:xdist
def pytest_configure_node(node) -> None:
    """(xdist, in the controller) Every worker gets the same expected seconds, read once."""
    cache = getattr(node.config, "cache", None)
    node.workerinput["shtab_durations"] = cache.get(DURATIONS, {}) if cache is not None else {}
    node.workerinput["shtab_dist"] = node.config.getoption("dist")  # a worker's own says "no"


# -- how many workers -------------------------------------------------------------------
# `-n auto` (pyproject.toml) is twice the CPUs, not one a CPU: a third of the suite's time
# is waiting, not computing (audio at real time, the programs and tmux sessions tests start,
# fsync). Measured on the project's 2-CPU machine, quiet, the same tests (2026-12-02): 2
# workers 5 min 55 s, with 1.3 CPUs busy on average; 4 workers 4 min 37 s; 3 workers 5 min
# 23 s. PYTEST_XDIST_AUTO_NUM_WORKERS or an explicit -n N still decide as usual.
WORKERS_PER_CPU = 2


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent under -p no:xdist
def pytest_xdist_auto_num_workers(config):
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses != "auto":
        return None  # xdist's own answer
    return WORKERS_PER_CPU * (os.cpu_count() or 1)


def _blocks(n: int, count: int) -> list[int]:
    """The block sizes worksteal hands out first (len(pending) // nodes remaining)."""
    sizes, left = [], count
    for i in range(n):
        sizes.append(left // (n - i))
        left -= sizes[-1]
    return sizes


def balanced_order(items: list, cost, n: int) -> list:
    """The items in n contiguous blocks of worksteal's sizes, with about equal total cost,
    each block its files by their heaviest test first (a file's tests in their order)."""
    sizes = _blocks(n, len(items))
    blocks: list[list] = [[] for _ in range(n)]
    totals = [0.0] * n
    for item in sorted(items, key=cost, reverse=True):  # the longest first, to the lightest
        i = min((b for b in range(n) if len(blocks[b]) < sizes[b]), key=lambda b: totals[b])
        blocks[i].append(item)
        totals[i] += cost(item)
    index = {id(item): k for k, item in enumerate(items)}
    out = []
    for block in blocks:
        files: dict[str, list] = {}
        for item in sorted(block, key=lambda it: index[id(it)]):
            files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
        for tests in sorted(files.values(), key=lambda ts: -max(cost(t) for t in ts)):
            out += tests
    return out


@pytest.hookimpl(trylast=True)  # after tests/conftest.py's own (the Windows skips)
def pytest_collection_modifyitems(config, items) -> None:
    if not _is_worker(config) or config.workerinput.get("shtab_dist") != "worksteal":
        return
    n = int(config.workerinput.get("workercount", 0))
    if n < 2 or len(items) < 2 * n:
        return
    known = config.workerinput.get("shtab_durations", {})

    def cost(item) -> float:
        if item.nodeid in known:
            return known[item.nodeid]
        return GUESS_SLOW if item.get_closest_marker("slow") else GUESS

    items[:] = balanced_order(items, cost, n)


class _Timings:
    """(in the controller, or a serial run) The seconds of each test of this run, merged into
    pytest's cache at the end for the next run's order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self, session) -> None:
        cache = getattr(session.config, "cache", None)
        if cache is None or not self.seconds:
            return
        known = cache.get(DURATIONS, {})
        known.update({k: round(v, 2) for k, v in self.seconds.items()})
        cache.set(DURATIONS, known)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session) -> None:
    if not _is_worker(session.config):
        session.config.pluginmanager.register(_Timings(), "shtab-timings")
