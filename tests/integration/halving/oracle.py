#!/usr/bin/python3
"""Run scikit-learn 1.2.1's HalvingGridSearchCV or HalvingRandomSearchCV on
a gridcv spec with "search": "halving" and write what the halving runner
compares:

    /usr/bin/python3 tests/integration/halving/oracle.py SPEC.json --out ORACLE.json

The data, estimator, cv and scorer are read as tests/integration/
sklearn_oracle.py reads them. param_grid makes HalvingGridSearchCV and
param_distributions HalvingRandomSearchCV; factor, resource, min_resources,
max_resources, aggressive_elimination, random_state and n_candidates (or
n_iter) go to it under the same names. The output JSON contains cv_results
(scikit-learn's cv_results_, NaN as null), best_params, best_index,
best_score and the fitted search's n_iterations_, n_candidates_,
n_resources_, n_remaining_candidates_, n_required_iterations_,
n_possible_iterations_, min_resources_ and max_resources_ without their
trailing underscore.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from threadpoolctl import threadpool_limits  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.model_selection import (HalvingGridSearchCV,  # noqa: E402
                                     HalvingRandomSearchCV)

import sklearn_oracle as base  # noqa: E402

# The forest of the estimator-parameter case (resource n_estimators).
base.ESTIMATORS.setdefault("RandomForestClassifier",
                           ("sklearn.ensemble", "RandomForestClassifier"))

HALVING_KEYS = ("factor", "resource", "min_resources", "max_resources",
                "aggressive_elimination", "random_state")


def run_search(spec, spec_dir):
    X, y, _, _, _, groups = base.load_data(spec, spec_dir)
    estimator = base.make_estimator(spec["estimator"], spec.get("params", {}))
    scoring, _, _ = base.make_scoring(spec, estimator)
    options = dict(
        scoring=scoring, n_jobs=1, refit=spec.get("refit", True),
        cv=base.make_cv(spec, estimator, None),
        return_train_score=spec.get("return_train_score", True),
        error_score=base.parse_error_score(spec.get("error_score", "nan")))
    options.update({key: spec[key] for key in HALVING_KEYS if key in spec})
    if "param_distributions" in spec:
        count = spec.get("n_candidates", spec.get("n_iter", "exhaust"))
        search = HalvingRandomSearchCV(
            estimator, base.make_distributions(spec["param_distributions"]),
            n_candidates=count, **options)
    else:
        search = HalvingGridSearchCV(estimator, spec["param_grid"], **options)
    with threadpool_limits(limits=1):
        search.fit(X, y, groups=groups)

    cv_results = {}
    for key, column in search.cv_results_.items():
        if key == "params":
            cv_results[key] = [{name: base.to_json_value(value)
                                for name, value in params.items()}
                               for params in column]
        else:
            cv_results[key] = base.column_to_json(column)
    result = {
        "cv_results": cv_results,
        "best_params": {name: base.to_json_value(value)
                        for name, value in search.best_params_.items()},
        "best_index": int(search.best_index_),
        "best_score": base.to_json_value(search.best_score_),
    }
    for name in ("n_iterations", "n_candidates", "n_resources",
                 "n_remaining_candidates", "n_required_iterations",
                 "n_possible_iterations", "min_resources", "max_resources"):
        value = getattr(search, name + "_")
        result[name] = [int(v) for v in value] if isinstance(value, list) \
            else base.to_json_value(value)
    return result


def main(argv):
    parser = argparse.ArgumentParser(
        description="Run scikit-learn's halving search on a gridcv spec.")
    parser.add_argument("spec", help="gridcv search spec (JSON)")
    parser.add_argument("--out", help="output JSON file (default: stdout)")
    args = parser.parse_args(argv)

    with open(args.spec, encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    result = run_search(spec, os.path.dirname(os.path.abspath(args.spec)))
    text = json.dumps(result, indent=1, allow_nan=False) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out_file:
            out_file.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
