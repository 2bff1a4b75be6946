#!/usr/bin/python3
"""Write the seed corpus of the fuzz targets into tests/fuzz/corpus.

    /usr/bin/python3 tests/fuzz/make_corpus.py

corpus/spec gets the example specs and specs that use the other spec
forms (a list of grids, each splitter, fixed params, scoring and
error_score values). corpus/h5data gets small valid HDF5 files in the
layouts gridcv reads: integer, fixed-length and variable-length string
labels, float targets, a holdout mask and folds, integer X, a chunked
and compressed X, and the newest file format. Each file has the datasets
that fuzz_h5data.c loads: X, y, holdout and fold. The files are small
(8 rows), so that the fuzzer mutates structure more than numbers.
"""

import glob
import json
import os
import shutil

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

SPECS = {
    "list_of_grids.json": {
        "data": {"path": "data.h5", "X": "X", "y": "y", "holdout": "holdout"},
        "estimator": "SVC",
        "param_grid": [
            {"kernel": ["linear"], "C": [0.1, 1]},
            {"kernel": ["rbf"], "C": [1, 10.0], "gamma": [0.1, "scale", "auto"]},
        ],
        "cv": {"splitter": "KFold", "n_splits": 4},
        "return_train_score": True,
    },
    "predefined_split.json": {
        "data": {"path": ["a.h5", "shards/*.h5"]},
        "estimator": "SVC",
        "params": {"kernel": "poly", "degree": 2, "coef0": 1.5, "tol": 1e-4},
        "param_grid": {"C": [0.5]},
        "cv": {"splitter": "PredefinedSplit", "test_fold": "fold"},
        "scoring": "accuracy",
        "refit": False,
        "error_score": -1,
    },
    "stratified.json": {
        "data": {"path": "/data/iris.h5"},
        "estimator": "SVC",
        "params": {"class_weight": "balanced", "shrinking": False, "max_iter": -1},
        "param_grid": {"C": [1e-3, 1e3], "kernel": ["sigmoid"]},
        "cv": {"splitter": "StratifiedKFold", "n_splits": 3, "shuffle": False,
               "random_state": None},
        "error_score": "raise",
    },
}


def write_specs(folder):
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.json"))):
        shutil.copy(path, os.path.join(folder, os.path.basename(path)))
    for name, spec in SPECS.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            json.dump(spec, f, indent=2)
            f.write("\n")


def write_h5(path, X, y, libver="earliest", **X_options):
    n_rows = X.shape[0]
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("X", data=X, **X_options)
        f.create_dataset("y", data=y)
        f["holdout"] = (np.arange(n_rows) % 4 == 3).astype(np.uint8)
        f["fold"] = (np.arange(n_rows) % 3 - 1).astype(np.int64)


def write_h5data(folder):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 2))
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    names = np.array(["a", "b", "c"])[labels]

    write_h5(f"{folder}/integer_labels.h5", X, labels.astype(np.int64))
    write_h5(f"{folder}/fixed_string_labels.h5", X, names.astype("S1"))
    write_h5(f"{folder}/vlen_string_labels.h5", X,
             np.array(names, dtype=h5py.string_dtype()))
    write_h5(f"{folder}/float_targets.h5", X, X[:, 0] * 2.5)
    write_h5(f"{folder}/integer_X.h5", (X * 10).astype(np.int32), labels.astype(np.int8))
    write_h5(f"{folder}/chunked_gzip.h5", X, labels.astype(np.int64), chunks=(4, 2),
             compression="gzip", shuffle=True)
    write_h5(f"{folder}/latest_format.h5", X, labels.astype(np.int64), libver="latest")


def main():
    for target, write in (("spec", write_specs), ("h5data", write_h5data)):
        folder = os.path.join(HERE, "corpus", target)
        os.makedirs(folder, exist_ok=True)
        write(folder)


if __name__ == "__main__":
    main()
