#!/usr/bin/python3
"""Compare a gridcv halving search's output folder with oracle.py's output.

    /usr/bin/python3 tests/integration/halving/compare.py OUT_DIR ORACLE.json

Checks params, iter, n_resources, mean_test_score (within 1e-9, NaN equal
to NaN) and rank_test_score in every row of cv_results. Then checks
best_params, best_index and the halving attributes in best.json. Prints
one line saying what matched, or the first differences, and exits 1 on
any difference.
"""

import json
import math
import os
import sys

TOLERANCE = 1e-9


def same_number(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE)


def main(argv):
    folder, oracle_path = argv
    with open(os.path.join(folder, "cv_results.json"), encoding="utf-8") as handle:
        mine = json.load(handle)
    with open(os.path.join(folder, "best.json"), encoding="utf-8") as handle:
        best = json.load(handle)
    with open(oracle_path, encoding="utf-8") as handle:
        oracle = json.load(handle)
    expected = oracle["cv_results"]
    problems = []

    n_rows = len(expected["params"])
    if len(mine.get("params", [])) != n_rows:
        problems.append(f"{len(mine.get('params', []))} cv_results rows, "
                        f"scikit-learn has {n_rows}")
    else:
        for row in range(n_rows):
            for key in ("params", "iter", "n_resources", "rank_test_score"):
                if mine[key][row] != expected[key][row]:
                    problems.append(f"row {row} {key}: {mine[key][row]!r}, "
                                    f"scikit-learn {expected[key][row]!r}")
            if not same_number(mine["mean_test_score"][row],
                               expected["mean_test_score"][row]):
                problems.append(f"row {row} mean_test_score: "
                                f"{mine['mean_test_score'][row]!r}, scikit-learn "
                                f"{expected['mean_test_score'][row]!r}")

    if best["best_params"] != oracle["best_params"]:
        problems.append(f"best_params {best['best_params']}, scikit-learn "
                        f"{oracle['best_params']}")
    if best["best_index"] != oracle["best_index"]:
        problems.append(f"best_index {best['best_index']}, scikit-learn "
                        f"{oracle['best_index']}")
    halving = best.get("halving", {})
    for key in ("n_iterations", "n_candidates", "n_resources", "n_remaining_candidates",
                "n_required_iterations", "n_possible_iterations", "min_resources",
                "max_resources"):
        if halving.get(key) != oracle[key]:
            problems.append(f"best.json halving.{key} {halving.get(key)!r}, "
                            f"scikit-learn {oracle[key]!r}")

    if problems:
        print("; ".join(problems[:6]) + (f"; and {len(problems) - 6} more"
                                         if len(problems) > 6 else ""))
        return 1
    print(f"{n_rows} rows in {oracle['n_iterations']} rounds "
          f"(candidates {oracle['n_candidates']}, resources {oracle['n_resources']}), "
          f"best {oracle['best_params']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
