#!/usr/bin/python3
"""Write the HDF5 files that the bad-input cases read.

    /usr/bin/python3 tests/badinput/make_data.py FOLDER

good.h5 contains a valid 30-row, 2-feature, 3-class problem (X, y) and, next
to it, one broken variant of a dataset per case, so a spec selects a case
through data.X, data.y or data.holdout. shard_0.h5 and shard_1.h5 split
its X and y in two, and shard_wide.h5 has a third feature. The other
files are damaged as a whole: truncated.h5 (the first half of a valid
file), corrupt.h5 (the 8-byte HDF5 signature followed by random bytes),
not_hdf5.h5 (plain text).
Every byte is fixed by a seed, so the cases are repeatable.
"""

import sys

import h5py
import numpy as np


def write_good(path):
    rng = np.random.default_rng(7)
    n_rows = 30
    y = np.repeat(np.arange(3, dtype=np.int64), n_rows // 3)
    X = rng.normal(size=(n_rows, 2)) + y[:, None]

    with h5py.File(path, "w") as f:
        f["X"] = X
        f["y"] = y

        # Shapes.
        f["X_1d"] = X[:, 0]
        f["X_3d"] = X.reshape(n_rows, 2, 1)
        f["X_empty"] = np.zeros((0, 2))
        f["y_short"] = y[:-1]
        f["y_2d"] = y.reshape(n_rows, 1)

        # Values.
        X_nan = X.copy()
        X_nan[4, 1] = np.nan
        f["X_nan"] = X_nan
        X_inf = X.copy()
        X_inf[7, 0] = np.inf
        f["X_inf"] = X_inf
        y_nan = y.astype(np.float64)
        y_nan[5] = np.nan
        f["y_nan"] = y_nan
        f["y_continuous"] = y + 0.5
        f["X_strings"] = np.array([[b"a", b"b"]] * n_rows)

        # One row of class 3 among 29 rows of the others.
        y_single = y.copy()
        y_single[-1] = 3
        f["y_single_member"] = y_single

        # Holdout masks.
        f["mask_all"] = np.ones(n_rows, dtype=np.uint8)
        f["mask_none"] = np.zeros(n_rows, dtype=np.uint8)
        mask_two = (np.arange(n_rows) % 5 == 0).astype(np.uint8)
        mask_two[12] = 2
        f["mask_two"] = mask_two

        f.create_group("group")

    # Shards: the rows of X and y split in two files, and a shard whose X
    # has a third feature.
    for index, rows in enumerate((slice(0, 15), slice(15, n_rows))):
        with h5py.File(path.replace("good.h5", f"shard_{index}.h5"), "w") as f:
            f["X"] = X[rows]
            f["y"] = y[rows]
    with h5py.File(path.replace("good.h5", "shard_wide.h5"), "w") as f:
        f["X"] = np.hstack([X[:15], X[:15, :1]])
        f["y"] = y[:15]


def write_truncated(good, path):
    with open(good, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])


def write_corrupt(path):
    rng = np.random.default_rng(11)
    with open(path, "wb") as f:
        f.write(b"\x89HDF\r\n\x1a\n")
        f.write(rng.integers(0, 256, size=4096, dtype=np.uint8).tobytes())


def main():
    folder = sys.argv[1]
    write_good(f"{folder}/good.h5")
    write_truncated(f"{folder}/good.h5", f"{folder}/truncated.h5")
    write_corrupt(f"{folder}/corrupt.h5")
    with open(f"{folder}/not_hdf5.h5", "w", encoding="ascii") as f:
        f.write("X,y\n1.0,0\n2.0,1\n")


if __name__ == "__main__":
    main()
