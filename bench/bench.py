"""Side-by-side benchmark of gridcv and scikit-learn's GridSearchCV.

Run through scripts/bench, which installs the Fashion-MNIST package when it
is missing and calls this file with /usr/bin/python3 (the interpreter that
imports Debian's scikit-learn and h5py).

Each case runs the same search both ways on the same data, grid and folds
(integer cv: StratifiedKFold for classifiers, KFold for regressors, no
shuffling, so both sides split alike) on the same cores: gridcv as
`mpirun -n P+1 --oversubscribe --mca pml ob1 gridcv run` (P workers and
the coordinator, one OpenBLAS thread per rank, Open MPI's shared-memory
path for one node), scikit-learn as GridSearchCV(n_jobs=P) in a
separate interpreter. The two alternate, gridcv first, for --repeat rounds,
and the table gives the best time of each side. Timing is conservative for
gridcv: its time is the whole mpirun command (MPI start-up, data loading,
writing the results), scikit-learn's only the call to fit (no interpreter
start-up, imports or data loading). Neither side refits.

The comparison of results takes the largest difference of mean_test_score
over the candidates, matched by their parameters, and whether both sides
pick the same best candidate (or candidates whose gridcv scores differ by
at most SCORE_TOLERANCE).

Options: see `scripts/bench --help`.
"""
import argparse
import datetime
import gzip
import json
import math
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

# The largest difference of mean test scores that still counts as the same
# result, and the largest gap between two best candidates that counts as a
# tie.
SCORE_TOLERANCE = 0.002

# Environment variables that Debian's OpenBLAS honours and that, when a
# shell sets them for an older CPU, select slower kernels than OpenBLAS
# detects (on AMD EPYC: Haswell's AVX2 kernels instead of Cooperlake's
# AVX-512 ones). Both sides run without them, so that gridcv and numpy
# load the same library with the same kernels.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

FASHION_DIR = "/usr/share/datasets/fashion-mnist"

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Markers around the parts of docs/benchmarks.md this script rewrites.
SECTION_MARKERS = {
    "cases": ("<!-- bench:cases begin -->", "<!-- bench:cases end -->"),
    "scaling": ("<!-- bench:scaling begin -->", "<!-- bench:scaling end -->"),
    "dispatch": ("<!-- bench:dispatch begin -->", "<!-- bench:dispatch end -->"),
}


# ----- data -------------------------------------------------------------------


def write_h5(path, X, y):
    import h5py

    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.create_dataset("X", data=np.ascontiguousarray(X, dtype=np.float64))
        f.create_dataset("y", data=y)
    os.replace(tmp, path)


def load_fashion(n_rows):
    """Return the first n_rows images of Fashion-MNIST's training set, as
    float64 pixel values 0..255, and their labels."""
    with gzip.open(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")) as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return X[:n_rows].astype(np.float64), y[:n_rows].astype(np.int64)


def dataset(bench_dir, name, make):
    """Return the path of BENCH_DIR/name.h5, writing it with make() first
    when it is missing."""
    path = os.path.join(bench_dir, name + ".h5")
    if not os.path.exists(path):
        X, y = make()
        write_h5(path, X, y)
    return path


# ----- cases ------------------------------------------------------------------


class Case:
    """One search, described for both sides.

    steps: gridcv's estimator (a class name or a list of them for a
    pipeline); sklearn: the Python expression of the same estimator;
    grid: the parameter grid, in the names both sides share; params:
    gridcv's fixed parameters, which the sklearn expression also sets;
    env: environment variables of gridcv's runs; workers: gridcv's
    workers, None for --procs; mpirun_args: extra options of mpirun."""

    def __init__(self, number, title, data, steps, sklearn, grid, cv, needs, notes="",
                 params=None, env=None, workers=None, mpirun_args=()):
        self.params = params or {}
        self.env = env or {}
        self.workers = workers
        self.mpirun_args = list(mpirun_args)
        self.number = number
        self.title = title
        self.data = data
        self.steps = steps
        self.sklearn = sklearn
        self.grid = grid
        self.cv = cv
        self.needs = needs
        self.notes = notes
        self.shape = None

    def n_candidates(self):
        return math.prod(len(v) for v in self.grid.values())


def make_cases(bench_dir, quick, scaler_available, procs=2):
    """Return the cases. quick shrinks the data for a smoke run. procs, the
    workers of the other cases, is the number of threads of the one gridcv
    worker in the forest cases."""
    from sklearn.datasets import load_digits, make_classification, make_regression

    def digits():
        X, y = load_digits(return_X_y=True)
        if quick:
            X, y = X[:600], y[:600]
        return X, y.astype(np.int64)

    n_fashion_svc = 2000 if quick else 10000
    n_fashion_logistic = 4000 if quick else 20000
    n_fashion_forest = 1000 if quick else 2000

    def fashion(n_rows, scaled):
        def make():
            X, y = load_fashion(n_rows)
            if scaled:
                from sklearn.preprocessing import StandardScaler

                X = StandardScaler().fit_transform(X)
            return X, y

        return make

    def regression():
        n_rows, n_features = (4000, 100) if quick else (20000, 200)
        X, y = make_regression(n_samples=n_rows, n_features=n_features, n_informative=50,
                               noise=10.0, random_state=0)
        return X, y

    def classification():
        n_rows = 2000 if quick else 10000
        X, y = make_classification(n_samples=n_rows, n_features=20, n_informative=10,
                                   n_classes=3, random_state=0)
        return X, y.astype(np.int64)

    suffix = "-quick" if quick else ""
    cases = []
    cases.append(Case(
        1, "digits, SVC rbf, C x gamma 5 x 5",
        dataset(bench_dir, "digits" + suffix, digits),
        "SVC", "SVC(kernel='rbf')",
        {"C": [0.1, 1, 10, 100, 1000], "gamma": [0.0001, 0.0003, 0.001, 0.003, 0.01]},
        5, ["SVC"]))

    # A pipeline scales on each fold's training rows; without StandardScaler
    # in gridcv, both sides get rows scaled once on the whole subset.
    if scaler_available:
        cases.append(Case(
            2, "Fashion-MNIST, StandardScaler + SVC rbf, C x gamma 3 x 3",
            dataset(bench_dir, "fashion%d" % n_fashion_svc, fashion(n_fashion_svc, False)),
            ["StandardScaler", "SVC"], "make_pipeline(StandardScaler(), SVC(kernel='rbf'))",
            {"svc__C": [1, 10, 100], "svc__gamma": [0.0003, 0.001, 0.003]},
            3, ["StandardScaler", "SVC"]))
    else:
        cases.append(Case(
            2, "Fashion-MNIST, SVC rbf on pre-scaled rows, C x gamma 3 x 3",
            dataset(bench_dir, "fashion%d-scaled" % n_fashion_svc,
                    fashion(n_fashion_svc, True)),
            "SVC", "SVC(kernel='rbf')",
            {"C": [1, 10, 100], "gamma": [0.0003, 0.001, 0.003]},
            3, ["SVC"],
            notes="StandardScaler is not in gridcv yet: the converter scaled the rows once, "
                  "on the whole subset, for both sides"))

    cases.append(Case(
        3, "regression, Ridge over 100 alphas",
        dataset(bench_dir, "regression" + suffix, regression),
        "Ridge", "Ridge()",
        {"alpha": [float(a) for a in np.logspace(-3, 3, 100)]},
        5, ["Ridge"]))
    cases.append(Case(
        4, "Fashion-MNIST, StandardScaler + LogisticRegression over 10 C",
        dataset(bench_dir, "fashion%d" % n_fashion_logistic, fashion(n_fashion_logistic, False)),
        ["StandardScaler", "LogisticRegression"],
        "make_pipeline(StandardScaler(), LogisticRegression())",
        {"logisticregression__C": [float(c) for c in np.logspace(-4, 1, 10)]},
        3, ["StandardScaler", "LogisticRegression"]))
    cases.append(Case(
        5, "classification, KNeighborsClassifier over 8 n_neighbors",
        dataset(bench_dir, "classification" + suffix, classification),
        "KNeighborsClassifier", "KNeighborsClassifier()",
        {"n_neighbors": [1, 3, 5, 7, 9, 15, 25, 51]},
        5, ["KNeighborsClassifier"]))

    # Forests: one gridcv worker builds each forest's trees on P threads
    # (n_jobs=-1, GRIDCV_CORES_PER_RANK=P), so it keeps every fold's
    # forests and grows each along n_estimators once. P workers of one
    # thread would share the last folds and build some forests twice. The
    # coordinator only hands out tasks, and --bind-to none keeps Open MPI
    # from binding the worker to one core. scikit-learn runs one thread per
    # fit, in P jobs.
    forest_env = {"GRIDCV_CORES_PER_RANK": str(procs)}
    forest_layout = {"workers": 1, "mpirun_args": ["--bind-to", "none"]}
    forest_notes = ("gridcv: 1 worker x %d thread%s (mpirun -n 2 --bind-to none, "
                    "GRIDCV_CORES_PER_RANK=%d, n_jobs=-1); scikit-learn: "
                    "RandomForestClassifier(n_jobs=1) in GridSearchCV(n_jobs=%d); "
                    "random_state=0 on both sides" % (procs, "s" if procs > 1 else "", procs,
                                                      procs))
    forest_grid = {"n_estimators": [50, 100, 200], "max_features": ["sqrt", 0.25, 0.5]}
    cases.append(Case(
        6, "digits, RandomForestClassifier, n_estimators x max_features 3 x 3",
        dataset(bench_dir, "digits" + suffix, digits),
        "RandomForestClassifier", "RandomForestClassifier(n_jobs=1, random_state=0)",
        forest_grid, 5, ["RandomForestClassifier"],
        notes=forest_notes, params={"random_state": 0, "n_jobs": -1}, env=forest_env,
        **forest_layout))
    cases.append(Case(
        7, "Fashion-MNIST, RandomForestClassifier, n_estimators x max_features 3 x 2",
        dataset(bench_dir, "fashion%d" % n_fashion_forest, fashion(n_fashion_forest, False)),
        "RandomForestClassifier", "RandomForestClassifier(n_jobs=1, random_state=0)",
        {"n_estimators": [50, 100, 200], "max_features": ["sqrt", 0.05]}, 3,
        ["RandomForestClassifier"], notes=forest_notes,
        params={"random_state": 0, "n_jobs": -1}, env=forest_env, **forest_layout))
    return cases


def write_spec(case, folder):
    spec = {
        "data": {"path": case.data, "X": "X", "y": "y"},
        "estimator": case.steps,
        "param_grid": case.grid,
        "cv": case.cv,
        "refit": False,
    }
    if case.params:
        spec["params"] = case.params
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "spec.json")
    with open(path, "w") as f:
        json.dump(spec, f, indent=1)
    return path


# ----- running both sides ---------------------------------------------------------


def mpi_env():
    env = sklearn_env()
    # Open MPI refuses to start as root without these.
    env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return env


def sklearn_env():
    """The environment of both sides: the shell's without OPENBLAS_OVERRIDES."""
    env = dict(os.environ)
    for name in OPENBLAS_OVERRIDES:
        env.pop(name, None)
    return env


def gridcv_check(gridcv, spec, folder):
    """Run `gridcv check`. Returns None when the spec is valid, else its
    error line."""
    result = subprocess.run([gridcv, "check", spec, "--out", os.path.join(folder, "check"),
                             "--force"], capture_output=True, text=True)
    if result.returncode == 0:
        return None
    return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "exit %d" % (
        result.returncode)


# Open MPI's point-to-point layer for a job on one node: ob1 with its
# shared-memory transport. Left to Open MPI, it first tries its cm layer,
# which probes network libraries (libfabric, PSM) that a workstation lacks.
# An empty MPI program took 0.38 to 0.41 s under `mpirun -n 3` on the
# benchmark machine, and 0.17 to 0.23 s with these options
# (docs/benchmarks.md).
SINGLE_NODE_MPIRUN = ["--mca", "pml", "ob1"]


def gridcv_command(gridcv, spec, out, workers, extra=(), mpirun_args=()):
    return ["mpirun", "-n", str(workers + 1), "--oversubscribe", *SINGLE_NODE_MPIRUN,
            *mpirun_args, gridcv, "run",
            spec, "--out", out, "--force", "-q", *extra]


def run_gridcv(gridcv, spec, out, workers, extra=(), env=None, mpirun_args=()):
    """Run one search, with the environment variables env added. Returns
    the wall time of the command and the summary's own wall time (from the
    search's start to its end)."""
    command = gridcv_command(gridcv, spec, out, workers, extra, mpirun_args)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True,
                            env={**mpi_env(), **(env or {})})
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError("gridcv failed (exit %d): %s\n%s" % (
            result.returncode, " ".join(command), result.stderr[-2000:]))
    match = re.search(r"wall time ([0-9.]+)s", result.stdout)
    return elapsed, float(match.group(1)) if match else elapsed, result.stdout


def run_sklearn(case, workers, out):
    """Run GridSearchCV in a fresh interpreter. Returns the time of fit."""
    job = {"data": case.data, "estimator": case.sklearn, "grid": case.grid, "cv": case.cv,
           "n_jobs": workers, "out": out}
    job_path = out + ".job.json"
    with open(job_path, "w") as f:
        json.dump(job, f)
    result = subprocess.run([sys.executable, os.path.abspath(__file__), "--sklearn-job",
                             job_path], capture_output=True, text=True, env=sklearn_env())
    if result.returncode != 0:
        raise RuntimeError("scikit-learn failed: %s" % result.stderr[-2000:])
    with open(out) as f:
        return json.load(f)["fit_seconds"]


def sklearn_job(job_path):
    """Run the scikit-learn side, in its own interpreter (see run_sklearn)."""
    import warnings

    import h5py
    from sklearn.ensemble import RandomForestClassifier  # noqa: F401 (eval)
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression, Ridge  # noqa: F401 (eval)
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier  # noqa: F401 (eval)
    from sklearn.pipeline import make_pipeline  # noqa: F401 (eval)
    from sklearn.preprocessing import StandardScaler  # noqa: F401 (eval)
    from sklearn.svm import SVC  # noqa: F401 (eval)

    with open(job_path) as f:
        job = json.load(f)
    with h5py.File(job["data"], "r") as f:
        X = f["X"][:]
        y = f["y"][:]
    estimator = eval(job["estimator"])
    search = GridSearchCV(estimator, job["grid"], cv=job["cv"], n_jobs=job["n_jobs"],
                          refit=False)
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
    results = search.cv_results_
    params = [{k: (v.item() if hasattr(v, "item") else v) for k, v in p.items()}
              for p in results["params"]]
    with open(job["out"], "w") as f:
        json.dump({"fit_seconds": seconds, "params": params,
                   "mean_test_score": [float(s) for s in results["mean_test_score"]]}, f)


# ----- comparing results --------------------------------------------------------------


def read_gridcv_scores(out):
    with open(os.path.join(out, "cv_results.json")) as f:
        results = json.load(f)
    names = [k[len("param_"):] for k in results if k.startswith("param_")]
    params = [{name: results["param_" + name][i] for name in names}
              for i in range(len(results["mean_test_score"]))]
    scores = [float("nan") if s is None else float(s) for s in results["mean_test_score"]]
    return params, scores


def same_value(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return str(a) == str(b)


def compare(gridcv_out, sklearn_out):
    """Return (largest |difference| of mean_test_score, best-setting
    verdict, gridcv's best params)."""
    params_g, scores_g = read_gridcv_scores(gridcv_out)
    with open(sklearn_out) as f:
        sk = json.load(f)
    params_s, scores_s = sk["params"], sk["mean_test_score"]
    if len(params_g) != len(params_s) or not all(
            set(g) == set(s) and all(same_value(g[k], s[k]) for k in g)
            for g, s in zip(params_g, params_s)):
        return float("nan"), "candidates differ", None
    g = np.array(scores_g)
    s = np.array(scores_s)
    both_nan = np.isnan(g) & np.isnan(s)
    diff = np.where(both_nan, 0.0, np.abs(g - s))
    largest = float(np.max(diff)) if len(diff) else 0.0
    best_g = int(np.nanargmax(g))
    best_s = int(np.nanargmax(s))
    if best_g == best_s:
        verdict = "same"
    elif abs(g[best_g] - g[best_s]) <= SCORE_TOLERANCE:
        verdict = "tie within %.3f" % SCORE_TOLERANCE
    else:
        verdict = "differs"
    return largest, verdict, params_g[best_g]


# ----- machine and versions ----------------------------------------------------------


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    probe = subprocess.run(
        [sys.executable, "-c",
         "import json, numpy, sklearn, threadpoolctl; "
         "print(json.dumps({'sklearn': sklearn.__version__, 'numpy': numpy.__version__, "
         "'pools': threadpoolctl.threadpool_info()}))"],
        capture_output=True, text=True, env=sklearn_env())
    versions = json.loads(probe.stdout) if probe.returncode == 0 else {"pools": []}
    blas = [p for p in versions.get("pools", []) if p.get("internal_api") == "openblas"]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "sklearn": versions.get("sklearn", "?"),
        "numpy": versions.get("numpy", "?"),
        "openblas": blas[0].get("version", "?") if blas else "?",
        "openblas_kernel": blas[0].get("architecture", "?") if blas else "?",
        "pools": versions.get("pools", []),
        "overrides": {name: os.environ[name] for name in OPENBLAS_OVERRIDES
                      if name in os.environ},
    }


def gridcv_version(gridcv):
    result = subprocess.run([gridcv, "--version"], capture_output=True, text=True)
    version = result.stdout.strip() or "gridcv ?"
    rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    return "%s (commit %s)" % (version, rev) if rev else version


# ----- the benchmark of the cases ----------------------------------------------------------


def run_cases(args, cases):
    rows = []
    for case in cases:
        folder = os.path.join(args.bench_dir, "case%d%s" % (case.number,
                                                           "-quick" if args.quick else ""))
        spec = write_spec(case, folder)
        problem = gridcv_check(args.gridcv, spec, folder)
        if problem is not None:
            if "unknown estimator" in problem:
                missing = [s for s in case.needs if ('"%s"' % s) in problem] or case.needs
                print("SKIP case %d: %s not available" % (case.number, ", ".join(missing)),
                      flush=True)
                rows.append({"case": case, "skip": ", ".join(missing)})
                continue
            raise RuntimeError("gridcv check rejected case %d: %s" % (case.number, problem))

        import h5py

        with h5py.File(case.data, "r") as f:
            case.shape = f["X"].shape
        n_fits = case.n_candidates() * case.cv
        print("case %d: %s (%d x %d rows x features, %d candidates x %d folds = %d fits)"
              % (case.number, case.title, case.shape[0], case.shape[1], case.n_candidates(),
                 case.cv, n_fits), flush=True)
        if case.notes:
            print("  note: " + case.notes, flush=True)

        gridcv_times, gridcv_walls, sklearn_times = [], [], []
        gridcv_out = os.path.join(folder, "gridcv-out")
        sklearn_out = os.path.join(folder, "sklearn.json")
        for round_number in range(args.repeat):
            seconds, wall, _ = run_gridcv(args.gridcv, spec, gridcv_out,
                                          case.workers or args.procs, env=case.env,
                                          mpirun_args=case.mpirun_args)
            gridcv_times.append(seconds)
            gridcv_walls.append(wall)
            print("  round %d: gridcv %.2f s" % (round_number + 1, seconds), end="", flush=True)
            seconds = run_sklearn(case, args.procs, sklearn_out)
            sklearn_times.append(seconds)
            print(", scikit-learn %.2f s" % seconds, flush=True)
        largest, verdict, best = compare(gridcv_out, sklearn_out)
        row = {
            "case": case,
            "gridcv": min(gridcv_times),
            "gridcv_search": min(gridcv_walls),
            "sklearn": min(sklearn_times),
            "gridcv_median": statistics.median(gridcv_times),
            "sklearn_median": statistics.median(sklearn_times),
            "diff": largest,
            "verdict": verdict,
            "best": best,
        }
        row["speedup"] = row["sklearn"] / row["gridcv"]
        print("  best of %d: gridcv %.2f s, scikit-learn %.2f s, speed-up %.1fx (gridcv / "
              "scikit-learn %.2f); largest |diff| of mean_test_score %.2g; best setting: %s %s"
              % (args.repeat, row["gridcv"], row["sklearn"], row["speedup"],
                 row["gridcv"] / row["sklearn"], largest, verdict, best), flush=True)
        rows.append(row)
    return rows


def row_record(row, repeat, command, quick):
    """Return the row of one case as the JSON kept in docs/benchmarks.md."""
    case = row["case"]
    record = {"case": case.number, "title": case.title, "quick": quick, "command": command,
              "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "rounds": repeat,
              "notes": case.notes}
    if "skip" in row:
        record["skip"] = row["skip"]
        return record
    record.update({
        "rows": case.shape[0], "features": case.shape[1],
        "candidates": case.n_candidates(), "folds": case.cv,
        "gridcv": row["gridcv"], "sklearn": row["sklearn"], "speedup": row["speedup"],
        "gridcv_search": row["gridcv_search"], "diff": row["diff"],
        "verdict": row["verdict"],
    })
    return record


def cases_table(records):
    """Return the Markdown table of the case records, with a line per case
    naming the command and date that measured it."""
    lines = [
        "| case | data (rows x features) | fits | rounds | gridcv (s) | scikit-learn (s) "
        "| speed-up | gridcv search only (s) | largest diff of mean_test_score "
        "| best setting |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(records, key=lambda r: (r["quick"], r["case"])):
        title = "%d. %s%s" % (r["case"], r["title"], " (quick data)" if r["quick"] else "")
        if "skip" in r:
            lines.append("| %s | | | | | | | | | SKIP: %s not available |" % (title, r["skip"]))
            continue
        lines.append("| %s | %d x %d | %d x %d | %d | %.2f | %.2f | %.1fx | %.2f | %.1e | %s |"
                     % (title, r["rows"], r["features"], r["candidates"], r["folds"],
                        r["rounds"], r["gridcv"], r["sklearn"], r["speedup"],
                        r["gridcv_search"], r["diff"], r["verdict"]))
    lines.append("")
    for r in sorted(records, key=lambda r: (r["quick"], r["case"])):
        lines.append("- case %d%s: `%s`, %s, %s%s" % (
            r["case"], " (quick data)" if r["quick"] else "", r["command"], r["date"],
            r.get("gridcv_version", "gridcv ?"), "; " + r["notes"] if r.get("notes") else ""))
    return "\n".join(lines)


def stored_records(path):
    """Return the case records kept in docs/benchmarks.md, or []."""
    if path is None or not os.path.exists(path):
        return []
    match = re.search(r"<!-- bench:records (.*?) -->", open(path).read(), re.S)
    return json.loads(match.group(1)) if match else []


# ----- strong scaling --------------------------------------------------------------------


def read_journal(path):
    """Return the records of a gridcv journal as (rank, fit_time,
    score_time) tuples (layout in coordinator/journal.h)."""
    import struct

    with open(path, "rb") as f:
        data = f.read()
    header_size = struct.unpack_from("<I", data, 12)[0]
    position, records = header_size, []
    while position + 4 <= len(data):
        length = struct.unpack_from("<I", data, position)[0]
        payload = data[position + 4:position + 4 + length]
        if len(payload) < length:
            break
        _, _, _, rank, fit_time, score_time = struct.unpack_from("<iiIidd", payload, 0)
        records.append((rank, fit_time, score_time))
        position += 4 + length + 4
    return records


def run_only_when_idle():
    """Gives the calling process Linux's SCHED_IDLE policy, under which it
    runs only on a core that no other process wants."""
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


class IdleCoresBusy:
    """Keeps every core busy with a loop under SCHED_IDLE while the runs
    inside it go on, so that no core is idle in a 1-worker run either.
    On the virtual machine of docs/benchmarks.md a core ran a dgemm loop
    10 to 20 % slower while the other core was idle than while a busy loop
    ran there. That favoured the 2-worker runs, whose ranks keep both
    cores busy. Loops at nice 19 still took 1.3 CPU seconds of a 12 s
    2-worker run of case 2 (read from /proc/PID/stat), loops under
    SCHED_IDLE 0.4 to 0.5 s."""

    def __enter__(self):
        self.loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                                       preexec_fn=run_only_when_idle)
                      for _ in range(os.cpu_count() or 1)]
        return self

    def __exit__(self, *exc):
        for loop in self.loops:
            loop.kill()
        for loop in self.loops:
            loop.wait()
        return False


def task_seconds(out):
    """Return the summed fit and score time of the tasks in the journal of
    the search that wrote folder out."""
    return sum(fit + score for _, fit, score in read_journal(os.path.join(out, "journal.bin")))


def run_side_by_side(gridcv, spec, outs):
    """Run one 1-worker search per folder of outs, all at once, and return
    the summed fit and score time of each. The start-up of one job can
    overlap the other's search, so the tasks' own times measure how much
    the searches slow each other, where their wall times would not. No
    rank is bound to a core, so that the searches do not pile up on the
    same cores."""
    commands = [gridcv_command(gridcv, spec, out, 1, mpirun_args=("--bind-to", "none"))
                for out in outs]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=mpi_env()) for command in commands]
    for command, run in zip(commands, runs):
        _, stderr = run.communicate()
        if run.returncode != 0:
            raise RuntimeError("gridcv failed (exit %d): %s\n%s" % (
                run.returncode, " ".join(command), stderr[-2000:]))
    return [task_seconds(out) for out in outs]


def run_scaling(args, cases):
    lines = [
        "| case | 1 worker (s) | 2 workers (s) | speed-up | search only, 1 and 2 workers (s) "
        "| speed-up of the search | fit / wall time per worker (2 workers) "
        "| fit + score / wall time per worker | fit + score of 1 worker, alone and beside "
        "another search (s) | speed-up this allows | share of it reached |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in cases:
        if case.number not in (1, 2):
            continue
        folder = os.path.join(args.bench_dir, "scaling%d%s" % (case.number,
                                                              "-quick" if args.quick else ""))
        spec = write_spec(case, folder)
        if gridcv_check(args.gridcv, spec, folder) is not None:
            print("SKIP scaling of case %d" % case.number)
            continue
        times = {1: [], 2: []}
        walls = {1: [], 2: []}
        alone, beside = [], []  # fit + score s of 1 worker alone, mean beside another search
        summary_wall = {}
        for _ in range(args.repeat):
            for workers in (1, 2):
                out = os.path.join(folder, "out%d" % workers)
                with IdleCoresBusy():
                    seconds, wall, _ = run_gridcv(args.gridcv, spec, out, workers)
                times[workers].append(seconds)
                walls[workers].append(wall)
                if seconds <= min(times[workers]):
                    summary_wall[workers] = (wall, read_journal(os.path.join(out,
                                                                            "journal.bin")))
            # The machine's own limit: two independent searches at once
            # share the cores, caches and memory as two workers do, without
            # any coordination between them.
            with IdleCoresBusy():
                pair = run_side_by_side(args.gridcv, spec,
                                        [os.path.join(folder, "pair%d" % i) for i in (1, 2)])
            alone.append(task_seconds(os.path.join(folder, "out1")))
            beside.append(sum(pair) / len(pair))
        one, two = min(times[1]), min(times[2])
        search_one, search_two = min(walls[1]), min(walls[2])
        allowed = 2 * min(alone) / min(beside)
        reached = search_one / search_two / allowed
        wall, records = summary_wall[2]
        fractions, busy = [], []
        for rank in sorted({r for r, _, _ in records}):
            fit = sum(f for r, f, _ in records if r == rank)
            score = sum(s for r, _, s in records if r == rank)
            fractions.append("rank %d: %.0f%%" % (rank, 100 * fit / wall))
            busy.append("rank %d: %.0f%%" % (rank, 100 * (fit + score) / wall))
        print("scaling case %d: 1 worker %.2f s, 2 workers %.2f s, speed-up %.2fx; search "
              "only %.2f and %.2f s, %.2fx; fit time / wall time %s; fit + score %s; fit + "
              "score of 1 worker %.2f s alone, %.2f s beside another search, allowing %.2fx, of "
              "which the search reached %.0f%%" % (
                  case.number, one, two, one / two, search_one, search_two,
                  search_one / search_two, ", ".join(fractions), ", ".join(busy),
                  min(alone), min(beside), allowed, 100 * reached), flush=True)
        lines.append("| %d. %s | %.2f | %.2f | %.2fx | %.2f, %.2f | %.2fx | %s | %s | %.2f, "
                     "%.2f | %.2fx | %.0f%% |" % (
                         case.number, case.title, one, two, one / two, search_one, search_two,
                         search_one / search_two, ", ".join(fractions), ", ".join(busy),
                         min(alone), min(beside), allowed, 100 * reached))
    return "\n".join(lines)


# ----- docs/benchmarks.md -----------------------------------------------------------------


DOC_HEADER = """# Benchmarks

Measured numbers of gridcv against scikit-learn, with the commands that
produced them. Each section is rewritten by the script named in it; run
that command again to refresh it.
"""


def update_doc(path, section, body):
    begin, end = SECTION_MARKERS[section]
    text = open(path).read() if os.path.exists(path) else DOC_HEADER
    block = "%s\n%s\n%s" % (begin, body.rstrip(), end)
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def environment_text(info, gridcv, procs):
    pools = "; ".join("%s %s %s, %s threads" % (p.get("internal_api"), p.get("version"),
                                                p.get("architecture"), p.get("num_threads"))
                      for p in info["pools"])
    overrides = ", ".join("%s=%s" % kv for kv in info["overrides"].items()) or "neither is set"
    return "\n".join([
        "- date: %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "- machine: %s cores (nproc), %s, Linux %s" % (info["nproc"], info["cpu"],
                                                       info["kernel"]),
        "- versions: %s; scikit-learn %s, numpy %s, OpenBLAS %s" % (
            gridcv_version(gridcv), info["sklearn"], info["numpy"], info["openblas"]),
        "- scikit-learn's BLAS, from threadpoolctl.threadpool_info() in the environment of "
        "its runs: %s" % pools,
        "- OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE: %s in the shell; both are removed for the "
        "runs of both sides, so gridcv and numpy use the kernel OpenBLAS detects (%s)" % (
            overrides, info["openblas_kernel"]),
        "- workers: P = %d, gridcv as `mpirun -n %d --oversubscribe %s` (P workers and the "
        "coordinator, one OpenBLAS thread per rank; the options choose Open MPI's "
        "shared-memory path for a one-node job, see docs/cli.md), scikit-learn as "
        "`GridSearchCV(..., n_jobs=%d, refit=False)`" % (
            procs, procs + 1, " ".join(SINGLE_NODE_MPIRUN), procs),
    ])


# ----- entry point ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gridcv", default=os.path.join(REPO, "build", "gridcv"))
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", default="1,2,3,4,5,6,7")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--bench-dir", default=None)
    parser.add_argument("--doc", default=None)
    parser.add_argument("--command", default=None)
    parser.add_argument("--sklearn-job", default=None)
    args = parser.parse_args()

    if args.sklearn_job:
        sklearn_job(args.sklearn_job)
        return 0
    if args.bench_dir is None:
        parser.error("--bench-dir is required")

    os.makedirs(args.bench_dir, exist_ok=True)
    info = machine_info()
    print("machine: %s cores, %s; scikit-learn %s, numpy %s, OpenBLAS %s" % (
        info["nproc"], info["cpu"], info["sklearn"], info["numpy"], info["openblas"]))
    print("both sides: %s removed from their environment; scikit-learn's threadpoolctl: %s" % (
        " and ".join(OPENBLAS_OVERRIDES),
        json.dumps([{k: p.get(k) for k in ("internal_api", "version", "architecture",
                                           "num_threads")} for p in info["pools"]])))
    if info["overrides"]:
        print("note: this shell sets %s; neither side runs with them" % ", ".join(
            "%s=%s" % kv for kv in info["overrides"].items()))

    scaler = gridcv_check_name(args, "StandardScaler")
    if not scaler:
        print("note: StandardScaler is not in gridcv yet; case 2 runs on rows scaled by the "
              "converter")
    wanted = {int(c) for c in args.cases.split(",") if c.strip()}
    cases = [c for c in make_cases(args.bench_dir, args.quick, scaler, args.procs)
             if c.number in wanted]
    command = args.command or " ".join(shlex.quote(a) for a in sys.argv)

    if args.scaling:
        table = run_scaling(args, cases)
        print(table)
        if args.doc:
            body = "\n".join([
                "## Strong scaling, 1 to 2 workers%s" % (" (quick data)" if args.quick else ""),
                "",
                "Command: `%s`" % command,
                "",
                environment_text(info, args.gridcv, 2),
                "- best of %d runs of each. \"1 worker\" and \"2 workers\" time whole "
                "mpirun commands, and \"search only\" the wall time in gridcv's summary, from "
                "the search's start to its end. The fractions come from the journal of the "
                "best 2-worker run (fit_time and score_time of each rank's fits) over the "
                "search's own wall time" % args.repeat,
                "- during every run a busy loop under Linux's SCHED_IDLE policy runs on each "
                "core, so that the core a 1-worker run leaves to its sleeping coordinator is "
                "not idle (see IdleCoresBusy in bench/bench.py)",
                "- \"fit + score of 1 worker, alone and beside another search\": the summed "
                "fit and score time in the journal of the round's 1-worker run. Beside it "
                "is the mean of the same sum over two independent 1-worker searches started at "
                "once (`--bind-to none`). Each is the best round of its side. Two workers "
                "cannot run their tasks faster than two searches that share nothing but the "
                "machine, so \"speed-up this allows\", twice the first over the second, "
                "estimates the most the machine allows at that moment, start-up and "
                "coordination aside. It is measured in other runs than the search, on a "
                "machine whose speed varies, so a search can exceed it by a few percent. "
                "\"share of it reached\": the speed-up of the search over the speed-up this "
                "allows",
                "",
                table,
            ])
            update_doc(args.doc, "scaling", body)
        return 0

    rows = run_cases(args, cases)
    records = [row_record(row, args.repeat, command, args.quick) for row in rows]
    for record in records:
        record["gridcv_version"] = gridcv_version(args.gridcv)
    print()
    print(cases_table(records))
    if args.doc:
        # Rows of other cases stay as an earlier command measured them.
        measured = {(r["case"], r["quick"]) for r in records}
        records += [r for r in stored_records(args.doc)
                    if (r["case"], r["quick"]) not in measured]
        body = "\n".join([
            "## gridcv against scikit-learn",
            "",
            environment_text(info, args.gridcv, args.procs),
            "- each case ran the given number of rounds alternating gridcv and "
            "scikit-learn; the table gives the best time of each; gridcv's time is the "
            "whole mpirun command, scikit-learn's the call to fit only",
            "- speed-up: scikit-learn's time over gridcv's. \"gridcv search only\": the wall "
            "time gridcv itself reports, from the start of the search on rank 0 (after "
            "MPI_Init) to its end, closer to what scikit-learn's time covers. Scores: the "
            "largest difference of mean_test_score over the candidates, and whether both pick "
            "the same best setting",
            "",
            cases_table(records),
            "",
            "<!-- bench:records %s -->" % json.dumps(records),
        ])
        update_doc(args.doc, "cases", body)
    return 0


def gridcv_check_name(args, name):
    """Return true when gridcv accepts the transformer name as the step
    before an SVC."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "probe.h5")
        write_h5(path, np.arange(40.0).reshape(20, 2), np.arange(20) % 2)
        spec = os.path.join(folder, "spec.json")
        with open(spec, "w") as f:
            json.dump({"data": {"path": path}, "estimator": [name, "SVC"],
                       "param_grid": {"svc__C": [1]}, "cv": 2}, f)
        return gridcv_check(args.gridcv, spec, folder) is None


if __name__ == "__main__":
    sys.exit(main())
