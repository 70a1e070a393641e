"""Benchmark of the cohort matching engine: `.venv/bin/python bench/bench_matching.py`.

For pools of 40, 200, 2,000 and 10,000 generated applicants it prints the run time, placed
against the proven upper bound, and the worst and mean cohort scores; for the pool of 40 also
the optimum from the exact model (one CP-SAT model of the whole pool, no decomposition). Each
size is run as generated ("mixed pool"), with everyone free at one time only ("one slot")
and with 20% of same-sector pairs in conflict ("dense conflicts"), each with the mixed basis
and with the sector as a hard rule. With the sector as a hard rule, sectors never share a
cohort, so each sector is solved exactly on its own (the exact model, up to 20
deterministic seconds a sector, up to 400 people) and their sum is printed as the proven
optimum where every sector was proven.
Then it runs 40 small pools through both and prints how often the engine's answer equals the
proven optimum: the same number placed, and a worst-cohort score within TOLERANCE points.

TOLERANCE is 1 point (of 100): the exact model scores each goal in whole points, rounded
down, so two answers less than a point apart cannot be told apart by it. The comparison is
made twice: with the engine as it runs (it re-solves components of up to 40 people with the
exact model) and with that polish turned off, to show what the decomposition and local search
reach on their own.

Options: --quick (sizes up to 2,000 and 10 small pools), --small N (number of small pools),
--sizes 40,200 (the sizes to run), --kinds mixed,one-slot,dense (the pools to run).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.matching_pools import Pool, dense_conflicts, make_pool, one_slot, rules
from portal.matching import engine
from portal.matching.exact import solve_exact
from portal.matching.model import Basis, Locks, Weights
from portal.matching.problem import Problem
from portal.matching.scoring import quality

TOLERANCE = 1.0
SEED = 1
SMALL_SIZE = 40
EXACT_WORK = 60.0
SECTOR_EXACT_PEOPLE = 400  # sectors up to this size are solved exactly for the optimum
SECTOR_EXACT_WORK = 20.0  # deterministic seconds for each sector
KINDS = {"mixed pool": lambda p: p, "one slot": one_slot, "dense conflicts": dense_conflicts}


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def exact_answer(pool, basis: Basis, rule_set) -> tuple[int, float | None, bool]:  # type: ignore[no-untyped-def]
    """(placed, worst score, proven) from the exact model on the whole pool."""
    problem = Problem(pool.applicants, pool.conflicts, rule_set, basis, Locks())
    result = solve_exact(problem, Weights(), seed=0, work_limit=EXACT_WORK)
    by_id = problem.by_id
    scores = [
        quality([by_id[i] for i in members], basis, Weights()) for _, members in result.cohorts
    ]
    proven = result.placement_optimal and result.worst_optimal
    return result.placed, (min(scores) if scores else None), proven


def sector_optimum(pool: Pool, rule_set) -> int | None:  # type: ignore[no-untyped-def]
    """The proven optimum with the sector as a hard rule: each sector solved exactly on its
    own (sectors never share a cohort), or None when a sector is too big or not proven."""
    total = 0
    sectors = sorted({a.sector for a in pool.applicants})
    for sector in sectors:
        ids = {a.id for a in pool.applicants if a.sector == sector}
        if len(ids) > SECTOR_EXACT_PEOPLE:
            return None
        if len(ids) < rule_set.min_size:
            continue
        part = Pool(
            tuple(a for a in pool.applicants if a.id in ids),
            tuple(c for c in pool.conflicts if c.a in ids and c.b in ids),
        )
        problem = Problem(part.applicants, part.conflicts, rule_set, Basis.SECTOR, Locks())
        result = solve_exact(problem, Weights(), seed=0, work_limit=SECTOR_EXACT_WORK)
        if not result.placement_optimal:
            return None
        total += result.placed
    return total


def run_sizes(sizes: list[int], kinds: list[str]) -> None:
    print(
        f"{'pool':>6} {'kind':<16} {'basis':<14} {'seconds':>8} {'cpu s':>7} {'placed':>7} "
        f"{'bound':>7} {'gap':>6} {'worst':>6} {'mean':>6}  exact optimum"
    )
    for size, kind in ((size, kind) for size in sizes for kind in kinds):
        pool = KINDS[kind](make_pool(size, SEED))
        for basis, required in ((Basis.MIXED, False), (Basis.SECTOR, True)):
            rule_set = rules(basis_required=required)
            started, cpu = time.perf_counter(), time.process_time()
            result = engine.propose_cohorts(
                pool.applicants, pool.conflicts, rule_set, Weights(), basis, seed=0
            )
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            label = f"{basis.value}{' (hard)' if required else ''}"
            exact = ""
            if size <= SMALL_SIZE:
                placed, worst, proven = exact_answer(pool, basis, rule_set)
                worst_text = "-" if worst is None else f"{worst:.1f}"
                exact = (
                    f"placed {placed}, worst {worst_text}"
                    f"{' (proven)' if proven else ' (not proven)'}; "
                    f"placement gap {placed - result.placed}"
                )
            elif required:
                optimum = sector_optimum(pool, rule_set)
                exact = (
                    "not proven"
                    if optimum is None
                    else f"placed {optimum} (proven, by sector); gap {optimum - result.placed}"
                )
            worst = result.stats["worst_score"]
            mean = result.stats["mean_score"]
            print(
                f"{size:>6} {kind:<16} {label:<14} {seconds:>8.2f} {cpu:>7.2f} {result.placed:>7} "
                f"{result.upper_bound:>7} {100 * (result.gap or 0):>5.1f}% "
                f"{'-' if worst is None else worst:>6} {'-' if mean is None else mean:>6}  {exact}",
                flush=True,
            )


def run_small(count: int) -> None:
    rule_set = rules()
    basis = Basis.MIXED
    rows = {"engine": 0, "engine without exact polish": 0}
    proven = 0
    seconds = {"engine": 0.0, "engine without exact polish": 0.0, "exact": 0.0}
    for seed in range(1, count + 1):
        pool = make_pool(SMALL_SIZE, 100 + seed)
        started = time.perf_counter()
        placed, worst, is_proven = exact_answer(pool, basis, rule_set)
        seconds["exact"] += time.perf_counter() - started
        if not is_proven:
            continue
        proven += 1
        for name, limit in (("engine", engine.EXACT_PEOPLE), ("engine without exact polish", 0)):
            saved = engine.EXACT_PEOPLE
            engine.EXACT_PEOPLE = limit
            try:
                started = time.perf_counter()
                result = engine.propose_cohorts(
                    pool.applicants, pool.conflicts, rule_set, Weights(), basis, seed=0
                )
                seconds[name] += time.perf_counter() - started
            finally:
                engine.EXACT_PEOPLE = saved
            by_id = {a.id: a for a in pool.applicants}
            scores = [
                quality([by_id[i] for i in c.members], basis, Weights()) for c in result.cohorts
            ]
            mine = min(scores) if scores else None
            same_worst = (mine is None and worst is None) or (
                mine is not None and worst is not None and mine >= worst - TOLERANCE
            )
            if result.placed == placed and same_worst:
                rows[name] += 1
    print(
        f"\n{count} small pools of {SMALL_SIZE} (mixed basis); the exact model proved "
        f"{proven} optimal (placement and worst cohort):"
    )
    for name, hits in rows.items():
        share = 100 * hits / proven if proven else 0
        print(
            f"  {name}: equals the optimum in {hits}/{proven} ({share:.0f}%), "
            f"{seconds[name]:.1f} s in all"
        )
    print(f"  exact model: {seconds['exact']:.1f} s in all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--small", type=int, default=None)
    parser.add_argument("--sizes", default=None)
    parser.add_argument("--kinds", default="mixed,one-slot,dense")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: {machine()}; load average at start {load:.1f}\n")
    sizes = [40, 200, 2_000] if args.quick else [40, 200, 2_000, 10_000]
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
    short = {"mixed": "mixed pool", "one-slot": "one slot", "dense": "dense conflicts"}
    kinds = [short.get(kind, kind) for kind in args.kinds.split(",")]
    run_sizes(sizes, kinds)
    run_small(args.small if args.small is not None else (10 if args.quick else 40))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nLoad average at the end {load:.1f}")


if __name__ == "__main__":
    main()
