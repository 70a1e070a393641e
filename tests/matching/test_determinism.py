"""The same input and seed give the same cohorts, in this process and in another."""

import os
import subprocess
import sys
from pathlib import Path

from bench.matching_pools import make_pool, rules
from portal.matching import Basis, Weights, propose_cohorts

SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from bench.matching_pools import make_pool, rules
from portal.matching import Basis, Weights, propose_cohorts
pool = make_pool(120, 7)
result = propose_cohorts(pool.applicants, pool.conflicts, rules(), Weights(), Basis.MIXED,
                         seed=3, work_limit=1)
print(repr((result.cohorts, result.waitlist, result.upper_bound)))
"""


def test_two_runs_give_the_same_answer() -> None:
    pool = make_pool(120, 7)

    first, second = (
        propose_cohorts(
            pool.applicants, pool.conflicts, rules(), Weights(), Basis.MIXED, seed=3, work_limit=1
        )
        for _ in range(2)
    )

    assert first == second
    assert first.placed > 0


def test_another_process_with_another_hash_seed_gives_the_same_answer() -> None:
    # String hashing (and so set order) changes between processes: the engine must not
    # depend on it.
    root = str(Path(__file__).resolve().parents[2])
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", SCRIPT.format(root=root)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.append(done.stdout)

    assert outputs[0] == outputs[1]
