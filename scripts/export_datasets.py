#!/usr/bin/python3
"""Write the example datasets in examples/ from scikit-learn's bundled copies,
and a Fashion-MNIST subset from Debian's dataset-fashion-mnist package.

Each file contains X (float64, n_rows x n_features), y (int64 class labels),
is_test (uint8, 1 for a holdout row) and target_names (the class names, as
an attribute of y). The holdout rows are the test rows of
train_test_split(X, y, random_state=0); rows stay in the original order, so
row i of the file is row i of scikit-learn's dataset.

The output is deterministic: HDF5 object timestamps are turned off, so
running the script again rewrites byte-identical files.

Run with the Debian interpreter that sees python3-sklearn and python3-h5py:
    /usr/bin/python3 scripts/export_datasets.py [OUT_DIR]
"""

import argparse
import gzip
import os
import sys

import h5py
import numpy as np
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits,
                              load_iris, load_wine)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SPLIT_SEED = 0


def holdout_mask(data, target):
    """Return a uint8 mask with 1 on the test rows of train_test_split."""
    rows = np.arange(data.shape[0])
    _, _, _, _, _, test_rows = train_test_split(
        data, target, rows, random_state=SPLIT_SEED)
    mask = np.zeros(data.shape[0], dtype=np.uint8)
    mask[test_rows] = 1
    return mask


def write_file(path, X, y, is_test, target_names, description, attrs):
    """Write one dataset file with timestamps off so reruns are identical."""
    tmp_path = path + ".tmp"
    with h5py.File(tmp_path, "w", track_order=False) as f:
        f.attrs["description"] = description
        for key, value in attrs.items():
            f.attrs[key] = value
        f.create_dataset("X", data=np.ascontiguousarray(X, dtype=np.float64),
                         track_times=False)
        y_dataset = f.create_dataset("y", data=np.asarray(y, dtype=np.int64),
                                  track_times=False)
        y_dataset.attrs["target_names"] = np.array(
            [str(name) for name in target_names], dtype=h5py.string_dtype())
        f.create_dataset("is_test", data=is_test, track_times=False)
    os.replace(tmp_path, path)


def export_iris(out_dir):
    iris = load_iris()
    is_test = holdout_mask(iris.data, iris.target)
    path = os.path.join(out_dir, "iris.h5")
    write_file(
        path, iris.data, iris.target, is_test, iris.target_names,
        "Fisher's iris data as bundled with scikit-learn (load_iris), "
        "unscaled. is_test marks the test rows of "
        "train_test_split(X, y, random_state=0).",
        {"split_seed": SPLIT_SEED})
    return path, iris.data.shape, int(is_test.sum())


def export_breast_cancer(out_dir):
    cancer = load_breast_cancer()
    is_test = holdout_mask(cancer.data, cancer.target)

    # Scale with statistics of the search rows only, so that nothing about
    # the holdout rows leaks into the search.
    scaler = StandardScaler().fit(cancer.data[is_test == 0])
    X = scaler.transform(cancer.data)

    path = os.path.join(out_dir, "breast_cancer.h5")
    write_file(
        path, X, cancer.target, is_test, cancer.target_names,
        "Wisconsin diagnostic breast cancer data as bundled with "
        "scikit-learn (load_breast_cancer). is_test marks the test rows of "
        "train_test_split(X, y, random_state=0).",
        {"split_seed": SPLIT_SEED,
         "scaling": "X is standardized by a StandardScaler fitted on the "
                    "rows where is_test == 0 (the search rows only).",
         "scaler_mean": scaler.mean_,
         "scaler_scale": scaler.scale_})
    return path, X.shape, int(is_test.sum())


def write_plain_file(path, X, y, is_test, description, attrs, target_names=None):
    """Write one dataset file like write_file, but with y as given: float64
    targets for regression (target_names None), or int64 class labels.
    Datasets are gzip-compressed and written with timestamps off, so reruns
    are byte-identical."""
    tmp_path = path + ".tmp"
    with h5py.File(tmp_path, "w", track_order=False) as f:
        f.attrs["description"] = description
        for key, value in attrs.items():
            f.attrs[key] = value
        f.create_dataset("X", data=np.ascontiguousarray(X, dtype=np.float64),
                         track_times=False, compression="gzip", compression_opts=9)
        if target_names is None:
            f.create_dataset("y", data=np.asarray(y, dtype=np.float64),
                             track_times=False)
        else:
            y_dataset = f.create_dataset("y", data=np.asarray(y, dtype=np.int64),
                                         track_times=False)
            y_dataset.attrs["target_names"] = np.array(
                [str(name) for name in target_names], dtype=h5py.string_dtype())
        f.create_dataset("is_test", data=is_test, track_times=False)
    os.replace(tmp_path, path)


def export_diabetes(out_dir):
    diabetes = load_diabetes()
    rows = np.arange(diabetes.data.shape[0])
    _, test_rows = train_test_split(rows, random_state=SPLIT_SEED)
    is_test = np.zeros(diabetes.data.shape[0], dtype=np.uint8)
    is_test[test_rows] = 1
    path = os.path.join(out_dir, "diabetes.h5")
    write_plain_file(
        path, diabetes.data, diabetes.target, is_test,
        "The diabetes regression data as bundled with scikit-learn "
        "(load_diabetes, features mean-centred and scaled as shipped), y the "
        "disease progression one year after baseline. is_test marks the "
        "test rows of train_test_split(rows, random_state=0).",
        {"split_seed": SPLIT_SEED})
    return path, diabetes.data.shape, int(is_test.sum())


def export_wine(out_dir):
    wine = load_wine()
    is_test = holdout_mask(wine.data, wine.target)
    path = os.path.join(out_dir, "wine.h5")
    write_plain_file(
        path, wine.data, wine.target, is_test,
        "The wine recognition data as bundled with scikit-learn (load_wine), "
        "unscaled: the features span very different ranges, which a "
        "StandardScaler step fixes. is_test marks the test rows of "
        "train_test_split(X, y, random_state=0).",
        {"split_seed": SPLIT_SEED}, target_names=wine.target_names)
    return path, wine.data.shape, int(is_test.sum())


def export_digits(out_dir):
    digits = load_digits()
    is_test = holdout_mask(digits.data, digits.target)
    path = os.path.join(out_dir, "digits.h5")
    write_plain_file(
        path, digits.data, digits.target, is_test,
        "The 8x8 handwritten digits as bundled with scikit-learn "
        "(load_digits): 64 pixel intensities 0..16 per row. is_test marks "
        "the test rows of train_test_split(X, y, random_state=0).",
        {"split_seed": SPLIT_SEED}, target_names=digits.target_names)
    return path, digits.data.shape, int(is_test.sum())


def export_digits_nine(out_dir):
    digits = load_digits()
    # The classic imbalanced task: one digit against the nine others, about
    # one positive row in ten. Class 0 is "rest", class 1 is "nine".
    y = (digits.target == 9).astype(np.int64)
    is_test = holdout_mask(digits.data, y)
    path = os.path.join(out_dir, "digits_nine_vs_rest.h5")
    write_plain_file(
        path, digits.data, y, is_test,
        "The 8x8 handwritten digits as bundled with scikit-learn "
        "(load_digits), relabelled as nine against the rest: y is 1 for "
        "the digit 9 and 0 for every other digit. X is the 64 pixel "
        "intensities 0..16 per row. is_test marks the test rows of "
        "train_test_split(X, y, random_state=0), the same rows as in "
        "digits.h5.",
        {"split_seed": SPLIT_SEED}, target_names=["rest", "nine"])
    return path, digits.data.shape, int(is_test.sum())


FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_ROWS = 1000
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]


def export_fashion(out_dir):
    """Write the first FASHION_ROWS training images of Fashion-MNIST from
    Debian's dataset-fashion-mnist package, or return None when it is not
    installed. X keeps the pixels' uint8 type, which gridcv reads as
    doubles, so the file stays small."""
    images = os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")
    labels = os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")
    if not (os.path.exists(images) and os.path.exists(labels)):
        return None
    # The IDX image file has a 16-byte header, then 28 x 28 bytes per
    # image. The label file has an 8-byte header, then one byte per label.
    with gzip.open(images) as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:FASHION_ROWS]
    with gzip.open(labels) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:FASHION_ROWS].astype(np.int64)
    is_test = holdout_mask(X, y)

    path = os.path.join(out_dir, "fashion_mnist_%d.h5" % FASHION_ROWS)
    tmp_path = path + ".tmp"
    with h5py.File(tmp_path, "w", track_order=False) as f:
        f.attrs["description"] = (
            "The first %d training images of Fashion-MNIST (Xiao, Rasul and "
            "Vollgraf 2017), as Debian's dataset-fashion-mnist package installs "
            "them: 784 pixel intensities 0..255 per row (28 x 28, row by row). "
            "is_test marks the test rows of train_test_split(X, y, "
            "random_state=0)." % FASHION_ROWS)
        f.attrs["split_seed"] = SPLIT_SEED
        f.create_dataset("X", data=np.ascontiguousarray(X), track_times=False,
                         compression="gzip", compression_opts=9)
        y_dataset = f.create_dataset("y", data=y, track_times=False)
        y_dataset.attrs["target_names"] = np.array(FASHION_CLASSES, dtype=h5py.string_dtype())
        f.create_dataset("is_test", data=is_test, track_times=False)
    os.replace(tmp_path, path)
    return path, X.shape, int(is_test.sum())


def main(argv):
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?",
                        default=os.path.join(repo_root, "examples"),
                        help="output folder (default: examples/ of the "
                             "repository)")
    args = parser.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)

    for export in (export_iris, export_breast_cancer, export_diabetes, export_wine,
                   export_digits, export_digits_nine):
        path, shape, n_holdout = export(args.out_dir)
        print(f"wrote {path}: {shape[0]} rows x {shape[1]} features, "
              f"{n_holdout} holdout rows")

    # Fashion-MNIST is not bundled with scikit-learn: without its Debian
    # package, the file in the output folder is left as it is.
    written = export_fashion(args.out_dir)
    if written is None:
        print(f"skipped fashion_mnist_{FASHION_ROWS}.h5: install the Debian package "
              f"dataset-fashion-mnist for {FASHION_DIR}")
    else:
        path, shape, n_holdout = written
        print(f"wrote {path}: {shape[0]} rows x {shape[1]} features, "
              f"{n_holdout} holdout rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
