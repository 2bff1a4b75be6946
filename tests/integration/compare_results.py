#!/usr/bin/python3
"""Compare a gridcv output folder with the scikit-learn oracle's results.

    /usr/bin/python3 tests/integration/compare_results.py ORACLE.json GRIDCV_DIR [--tol 1e-9]

ORACLE.json is written by sklearn_oracle.py; GRIDCV_DIR contains gridcv's
cv_results.json, cv_results.csv and best.json. The check covers:
- the cv_results keys, names and order, and the CSV header against them;
- every param_<name> column and params, value and JSON type (1 and 1.0
  differ, as they do in scikit-learn's output);
- every split, mean and std test score (and train score when present),
  within tol, with NaN (null) equal only to NaN;
- every rank_test_* column exactly;
- best_params and best_index exactly, best_score and holdout_score within
  tol, and n_fits, n_candidates, n_splits, scoring and scorers in
  best.json.
Timing columns are checked for length and type only.

Each mismatch is printed on its own line with the candidate, the key and
both values. The exit status is 0 when everything matches, 1 on any
mismatch, 2 when a file is missing or unreadable.
"""

import argparse
import csv
import json
import math
import os
import sys

TIMING_KEYS = ("mean_fit_time", "std_fit_time", "mean_score_time",
               "std_score_time")
MAX_REPORTED = 200


class Report:
    def __init__(self):
        self.mismatches = []

    def add(self, message):
        self.mismatches.append(message)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def is_nan(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def scores_match(expected, actual, tol):
    if is_nan(expected) or is_nan(actual):
        return is_nan(expected) and is_nan(actual)
    if not is_number(actual):
        return False
    return abs(expected - actual) <= tol


def values_equal(expected, actual):
    """Equal in value and JSON type, so that True, 1 and 1.0 all differ."""
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, dict):
        return (list(expected) == list(actual)
                and all(values_equal(expected[k], actual[k]) for k in expected))
    if isinstance(expected, float) and math.isnan(expected):
        return math.isnan(actual)
    return expected == actual


def compare_cv_results(expected, actual, tol, report):
    expected_keys = list(expected)
    actual_keys = list(actual)
    if expected_keys != actual_keys:
        report.add(f"cv_results keys differ:\n  oracle: {expected_keys}\n"
                   f"  gridcv: {actual_keys}")

    n_candidates = len(expected["params"])
    for key in expected_keys:
        if key not in actual:
            report.add(f"cv_results: key {key!r} missing in gridcv")
            continue
        column = actual[key]
        if not isinstance(column, list) or len(column) != n_candidates:
            length = len(column) if isinstance(column, list) else "not a list"
            report.add(f"cv_results: {key}: expected a list of {n_candidates} "
                       f"entries, got {length}")
            continue

        for index, (want, got) in enumerate(zip(expected[key], column)):
            if key in TIMING_KEYS:
                ok = is_number(got) and got >= 0
            elif key.startswith("rank_test_"):
                ok = values_equal(want, got)
            elif key == "params" or key.startswith("param_"):
                ok = values_equal(want, got)
            else:
                ok = scores_match(want, got, tol)
            if not ok:
                report.add(f"candidate {index}: {key}: oracle {want!r}, "
                           f"gridcv {got!r}")


def compare_csv_header(cv_results_keys, csv_path, n_candidates, report):
    try:
        with open(csv_path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as error:
        report.add(f"cv_results.csv: cannot read: {error}")
        return
    if not rows:
        report.add("cv_results.csv: empty file")
        return
    if rows[0] != cv_results_keys:
        report.add(f"cv_results.csv: header differs from cv_results.json "
                   f"keys:\n  csv:  {rows[0]}\n  json: {cv_results_keys}")
    if len(rows) - 1 != n_candidates:
        report.add(f"cv_results.csv: expected {n_candidates} data rows, "
                   f"got {len(rows) - 1}")


def compare_best(oracle, best, tol, report):
    n_candidates = oracle["n_candidates"]
    n_splits = oracle["n_splits"]
    required = ("best_params", "best_score", "best_index", "refit_time",
                "holdout_score", "n_fits", "n_candidates", "n_splits",
                "scoring")
    for key in required:
        if key not in best:
            report.add(f"best.json: key {key!r} missing")

    if oracle["best_index"] is not None:
        if not values_equal(oracle["best_params"], best.get("best_params")):
            report.add(f"best.json: best_params: oracle "
                       f"{oracle['best_params']!r}, gridcv "
                       f"{best.get('best_params')!r}")
        if not values_equal(oracle["best_index"], best.get("best_index")):
            report.add(f"best.json: best_index: oracle {oracle['best_index']!r}"
                       f", gridcv {best.get('best_index')!r}")
        if not scores_match(oracle["best_score"], best.get("best_score"), tol):
            report.add(f"best.json: best_score: oracle {oracle['best_score']!r}"
                       f", gridcv {best.get('best_score')!r}")

    want_holdout = oracle["holdout_score"]
    got_holdout = best.get("holdout_score")
    if want_holdout is None:
        if got_holdout is not None:
            report.add(f"best.json: holdout_score: oracle null, gridcv "
                       f"{got_holdout!r}")
    elif not scores_match(want_holdout, got_holdout, tol):
        report.add(f"best.json: holdout_score: oracle {want_holdout!r}, "
                   f"gridcv {got_holdout!r}")

    expected_counts = {"n_candidates": n_candidates, "n_splits": n_splits,
                       "n_fits": n_candidates * n_splits,
                       "scoring": oracle["scoring"]}
    if "scorers" in oracle:
        expected_counts["scorers"] = oracle["scorers"]
    for key, want in expected_counts.items():
        if key in best and not values_equal(want, best[key]):
            report.add(f"best.json: {key}: expected {want!r}, got "
                       f"{best[key]!r}")


def main(argv):
    parser = argparse.ArgumentParser(
        description="Compare gridcv's output folder with the oracle's JSON.")
    parser.add_argument("oracle", help="JSON written by sklearn_oracle.py")
    parser.add_argument("gridcv_dir", help="gridcv's output folder")
    parser.add_argument("--tol", type=float, default=1e-9,
                        help="absolute tolerance on scores (default 1e-9)")
    args = parser.parse_args(argv)

    try:
        oracle = load_json(args.oracle)
        cv_results = load_json(os.path.join(args.gridcv_dir,
                                            "cv_results.json"))
        best = load_json(os.path.join(args.gridcv_dir, "best.json"))
    except (OSError, ValueError) as error:
        print(f"compare_results: {error}", file=sys.stderr)
        return 2

    report = Report()
    if not isinstance(cv_results, dict) or "params" not in cv_results:
        report.add("cv_results.json: not an object with a 'params' key")
    else:
        compare_cv_results(oracle["cv_results"], cv_results, args.tol, report)
        compare_csv_header(list(cv_results),
                           os.path.join(args.gridcv_dir, "cv_results.csv"),
                           oracle["n_candidates"], report)
    if not isinstance(best, dict):
        report.add("best.json: not a JSON object")
    else:
        compare_best(oracle, best, args.tol, report)

    for message in report.mismatches[:MAX_REPORTED]:
        print(message)
    if len(report.mismatches) > MAX_REPORTED:
        print(f"... and {len(report.mismatches) - MAX_REPORTED} more "
              f"mismatches")
    if report.mismatches:
        print(f"{len(report.mismatches)} mismatches")
        return 1
    print(f"match: {oracle['n_candidates']} candidates x "
          f"{oracle['n_splits']} splits within {args.tol:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
