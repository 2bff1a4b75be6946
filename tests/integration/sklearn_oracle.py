#!/usr/bin/python3
"""Run scikit-learn's GridSearchCV (or RandomizedSearchCV) on a gridcv search
spec and write its results.

The output is the reference that compare_results.py checks gridcv against:

    /usr/bin/python3 tests/integration/sklearn_oracle.py SPEC.json --out ORACLE.json

It reads the same HDF5 file as gridcv and keeps the same rows: the search
rows are those whose holdout mask is 0, in file order. A holdout given as an
object is train_test_split's test rows, in its order, and the search rows
are its train rows in file order. An integer cv means
StratifiedKFold(n_splits) for a classifier and KFold(n_splits) otherwise, as
GridSearchCV itself chooses; a cv object names any scikit-learn splitter
with its parameters, and data.groups is passed to fit as groups. With
"search": "random" the search is RandomizedSearchCV over
param_distributions, whose {"uniform": [loc, scale]}, {"loguniform": [a, b]}
and {"randint": [low, high]} become scipy.stats distributions. The search runs
with n_jobs=1, then the refit best model is scored on the holdout rows with
the search's scorer.

The output JSON contains cv_results (scikit-learn's cv_results_ in its key
order, NaN written as null, a masked param entry as null), best_params,
best_index, best_score, holdout_score (null without holdout rows or refit),
n_splits, n_candidates, scoring (the refit scorer's name, or the first
scorer's when refit is false) and scorers (every scorer's name).

"scoring" may be a name or a list of names, and "refit" a scorer's name, as
GridSearchCV takes them. The spec's "pos_label" goes to the scorers whose
metric takes pos_label, as make_scorer(metric, pos_label=...).
"""

import argparse
import json
import math
import os
import subprocess
import sys


def portable_numpy_math():
    """Make numpy, once imported, take float64 exp and log from the C library.

    On CPUs with AVX-512, numpy 1.24 computes float64 exp, log and log1p
    with its own SIMD code, whose last bits can differ from the C
    library's. On other CPUs it calls the C library, as gridcv does.
    GradientBoostingClassifier takes its initial log-odds from np.log, so
    on an AVX-512 CPU its trees can split otherwise at near ties, and
    scikit-learn's own scores then depend on the CPU. The reference turns
    numpy's AVX-512 features off (NPY_DISABLE_CPU_FEATURES), so that it is
    the same on every CPU. A child interpreter lists the features present,
    because numpy reads the variable only when it is first imported."""
    if "NPY_DISABLE_CPU_FEATURES" in os.environ:
        return
    probe = subprocess.run(
        [sys.executable, "-c",
         "from numpy.core._multiarray_umath import __cpu_features__ as f; "
         "print(' '.join(k for k, v in f.items() if v and k.startswith('AVX512')))"],
        capture_output=True, text=True)
    if probe.returncode == 0 and probe.stdout.strip():
        os.environ["NPY_DISABLE_CPU_FEATURES"] = probe.stdout.strip()


portable_numpy_math()

import h5py  # noqa: E402 (numpy must see the variable above)
import numpy as np  # noqa: E402
from sklearn.base import is_classifier
from sklearn.metrics import (average_precision_score, brier_score_loss, f1_score,
                             jaccard_score, make_scorer, precision_score, recall_score)
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits
import scipy.stats
from sklearn import model_selection
from sklearn.model_selection import (GridSearchCV, KFold, PredefinedSplit,
                                     RandomizedSearchCV, StratifiedKFold,
                                     train_test_split)

# Spec estimator names and the scikit-learn classes they mean. gridcv's own
# registry decides which of these it implements; the oracle accepts any.
ESTIMATORS = {
    "SVC": ("sklearn.svm", "SVC"),
    "LinearSVC": ("sklearn.svm", "LinearSVC"),
    "SVR": ("sklearn.svm", "SVR"),
    "LogisticRegression": ("sklearn.linear_model", "LogisticRegression"),
    "Ridge": ("sklearn.linear_model", "Ridge"),
    "RidgeClassifier": ("sklearn.linear_model", "RidgeClassifier"),
    "KNeighborsClassifier": ("sklearn.neighbors", "KNeighborsClassifier"),
    "KNeighborsRegressor": ("sklearn.neighbors", "KNeighborsRegressor"),
    "Lasso": ("sklearn.linear_model", "Lasso"),
    "ElasticNet": ("sklearn.linear_model", "ElasticNet"),
    "GradientBoostingClassifier": ("sklearn.ensemble", "GradientBoostingClassifier"),
    "GradientBoostingRegressor": ("sklearn.ensemble", "GradientBoostingRegressor"),
    "StandardScaler": ("sklearn.preprocessing", "StandardScaler"),
    "MinMaxScaler": ("sklearn.preprocessing", "MinMaxScaler"),
    "RobustScaler": ("sklearn.preprocessing", "RobustScaler"),
    "Normalizer": ("sklearn.preprocessing", "Normalizer"),
}

SPLITTERS = {"KFold", "StratifiedKFold", "PredefinedSplit", "GroupKFold",
             "StratifiedGroupKFold", "ShuffleSplit", "StratifiedShuffleSplit",
             "GroupShuffleSplit", "RepeatedKFold", "RepeatedStratifiedKFold",
             "LeaveOneOut", "LeavePOut", "LeaveOneGroupOut", "LeavePGroupsOut",
             "TimeSeriesSplit"}


# The scorers whose metric takes pos_label, built as
# sklearn/metrics/_scorer.py builds them, plus pos_label.
POS_LABEL_SCORERS = {
    "precision": lambda p: make_scorer(precision_score, average="binary", pos_label=p),
    "recall": lambda p: make_scorer(recall_score, average="binary", pos_label=p),
    "f1": lambda p: make_scorer(f1_score, average="binary", pos_label=p),
    "jaccard": lambda p: make_scorer(jaccard_score, average="binary", pos_label=p),
    "average_precision": lambda p: make_scorer(average_precision_score, needs_threshold=True,
                                               pos_label=p),
    "neg_brier_score": lambda p: make_scorer(brier_score_loss, greater_is_better=False,
                                             needs_proba=True, pos_label=p),
}


class SpecError(Exception):
    """The spec requests something the oracle cannot reproduce."""


def make_estimator(name, params):
    """Return the estimator a spec names: a class name, or a list of class
    names that make_pipeline joins (grid keys then read "svc__C")."""
    if isinstance(name, list):
        pipeline = make_pipeline(*[make_estimator(step, {}) for step in name])
        return pipeline.set_params(**params)
    if name not in ESTIMATORS:
        raise SpecError(f"estimator {name!r} is not known to the oracle; "
                        f"known: {', '.join(sorted(ESTIMATORS))}")
    module_name, class_name = ESTIMATORS[name]
    module = __import__(module_name, fromlist=[class_name])
    return getattr(module, class_name)(**params)


def read_dataset(h5file, name, path):
    if name not in h5file:
        raise SpecError(f"dataset {name!r} not found in {path}")
    values = h5file[name][()]
    if values.dtype.kind in "SO":
        values = np.array([v.decode() if isinstance(v, bytes) else v
                           for v in values.ravel()], dtype=object)
    return values


def load_data(spec, spec_dir):
    """Return X_search, y_search, X_holdout, y_holdout, test_fold_search,
    groups_search."""
    data = spec["data"]
    path = os.path.join(spec_dir, data["path"])
    with h5py.File(path, "r") as h5file:
        X = np.asarray(read_dataset(h5file, data.get("X", "X"), path),
                       dtype=np.float64)
        y = read_dataset(h5file, data.get("y", "y"), path)
        groups = None
        if data.get("groups") is not None:
            groups = read_dataset(h5file, data["groups"], path)
        split = data.get("holdout")
        if isinstance(split, dict):
            stratify = y if split.get("stratify", False) else None
            train, test = train_test_split(
                np.arange(X.shape[0]), test_size=split.get("test_size"),
                train_size=split.get("train_size"),
                random_state=split["random_state"], stratify=stratify)
            search, holdout = np.sort(train), test
        elif split is not None:
            mask = read_dataset(h5file, split, path).astype(bool)
            search, holdout = ~mask, mask
        else:
            search = np.ones(X.shape[0], dtype=bool)
            holdout = ~search
        cv = spec.get("cv", 5)
        test_fold = None
        if isinstance(cv, dict) and cv.get("splitter") == "PredefinedSplit":
            test_fold = read_dataset(h5file, cv.get("test_fold", "test_fold"),
                                     path).astype(np.int64)

    return (X[search], y[search], X[holdout], y[holdout],
            None if test_fold is None else test_fold[search],
            None if groups is None else groups[search])


def make_cv(spec, estimator, test_fold):
    cv = spec.get("cv", 5)
    if isinstance(cv, bool) or not isinstance(cv, (int, dict)):
        raise SpecError(f"cv must be an integer or an object, got {cv!r}")
    if isinstance(cv, int):
        if is_classifier(estimator):
            return StratifiedKFold(n_splits=cv)
        return KFold(n_splits=cv)

    splitter = cv.get("splitter")
    if splitter not in SPLITTERS:
        raise SpecError(f"cv.splitter must be one of {sorted(SPLITTERS)}, "
                        f"got {splitter!r}")
    if splitter == "PredefinedSplit":
        return PredefinedSplit(test_fold)
    # The other keys are the splitter's constructor parameters, under
    # scikit-learn's names.
    params = {key: value for key, value in cv.items() if key != "splitter"}
    return getattr(model_selection, splitter)(**params)


def make_distributions(distributions):
    """Turn {"uniform": [loc, scale]} and the like into scipy.stats
    distributions, in an object or a list of objects."""
    if isinstance(distributions, list):
        return [make_distributions(item) for item in distributions]
    result = {}
    for key, value in distributions.items():
        if isinstance(value, dict):
            (name, arguments), = value.items()
            result[key] = getattr(scipy.stats, name)(*arguments)
        else:
            result[key] = value
    return result


def parse_error_score(value):
    if value == "nan":
        return np.nan
    if value == "raise":
        return "raise"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise SpecError(f"error_score must be \"nan\", \"raise\" or a number, "
                    f"got {value!r}")


def to_json_value(value):
    """Convert a numpy or Python scalar to JSON, NaN and masked to None."""
    if value is None or value is np.ma.masked:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) "
                    f"to JSON")


def column_to_json(column):
    if isinstance(column, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(column)
        return [None if masked else to_json_value(value)
                for value, masked in zip(column.data, mask)]
    return [to_json_value(value) for value in column]


def make_scoring(spec, estimator):
    """Return GridSearchCV's scoring for the spec, the scorer names, and
    the name of the scorer that picks the best candidate."""
    # Without "scoring", GridSearchCV uses the estimator's score method:
    # accuracy for a classifier, r2 for a regressor.
    scoring = spec.get("scoring") or ("accuracy" if is_classifier(estimator) else "r2")
    names = scoring if isinstance(scoring, list) else [scoring]
    pos_label = spec.get("pos_label")

    def scorer(name):
        if pos_label is not None and name in POS_LABEL_SCORERS:
            return POS_LABEL_SCORERS[name](pos_label)
        return name

    refit = spec.get("refit", True)
    refit_name = refit if isinstance(refit, str) else names[0]
    if isinstance(scoring, list):
        return {name: scorer(name) for name in names}, names, refit_name
    return scorer(scoring), names, refit_name


def run_search(spec, spec_dir):
    X, y, X_holdout, y_holdout, test_fold, groups = load_data(spec, spec_dir)
    estimator = make_estimator(spec["estimator"], spec.get("params", {}))
    refit = spec.get("refit", True)
    scoring, scorer_names, refit_name = make_scoring(spec, estimator)

    options = dict(
        scoring=scoring,
        n_jobs=1,
        refit=refit,
        cv=make_cv(spec, estimator, test_fold),
        return_train_score=spec.get("return_train_score", False),
        error_score=parse_error_score(spec.get("error_score", "nan")))
    if spec.get("search", "grid") == "random":
        search = RandomizedSearchCV(
            estimator, make_distributions(spec["param_distributions"]),
            n_iter=spec.get("n_iter", 10), random_state=spec["random_state"], **options)
    else:
        search = GridSearchCV(estimator, param_grid=spec["param_grid"], **options)
    # One thread: scikit-learn's brute-force neighbour search merges
    # per-thread heaps, so which of several equally distant neighbours it
    # keeps depends on the number of OpenMP threads; with one thread it
    # scans the training rows in order, as gridcv does.
    with threadpool_limits(limits=1):
        search.fit(X, y, groups=groups)

    cv_results = {}
    for key, column in search.cv_results_.items():
        if key == "params":
            cv_results[key] = [{name: to_json_value(value)
                                for name, value in params.items()}
                               for params in column]
        else:
            cv_results[key] = column_to_json(column)

    result = {
        "cv_results": cv_results,
        "best_params": None,
        "best_index": None,
        "best_score": None,
        "holdout_score": None,
        "n_splits": int(search.n_splits_),
        "n_candidates": len(cv_results["params"]),
        "scoring": refit_name,
        "scorers": scorer_names,
        "n_search_rows": int(X.shape[0]),
        "n_holdout_rows": int(X_holdout.shape[0]),
    }
    if refit:
        result["best_params"] = {name: to_json_value(value)
                                 for name, value in search.best_params_.items()}
        result["best_index"] = int(search.best_index_)
        result["best_score"] = to_json_value(search.best_score_)
        if X_holdout.shape[0] > 0:
            result["holdout_score"] = to_json_value(
                search.score(X_holdout, y_holdout))
    return result


def main(argv):
    parser = argparse.ArgumentParser(
        description="Run scikit-learn's GridSearchCV on a gridcv spec.")
    parser.add_argument("spec", help="gridcv search spec (JSON)")
    parser.add_argument("--out", help="output JSON file (default: stdout)")
    args = parser.parse_args(argv)

    with open(args.spec, encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    try:
        result = run_search(spec, os.path.dirname(os.path.abspath(args.spec)))
    except SpecError as error:
        print(f"sklearn_oracle: {args.spec}: {error}", file=sys.stderr)
        return 2

    text = json.dumps(result, indent=1, allow_nan=False) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out_file:
            out_file.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
