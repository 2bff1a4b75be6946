"""How many tasks per second gridcv's coordinator hands out and records.

Run through scripts/bench-dispatch. Every worker runs with
GRIDCV_BENCH_SKIP_FITS=1, so a task costs no fit: the worker receives it
and sends back a result with scores of 0 (worker/task.c). What remains is the
coordinator's work per task: choosing it, sending it, receiving the
result, appending it to the journal and recording it, plus the output
files, whose size grows with the number of candidates.

The search runs on one grid (an RBF SVC on iris with 4000 values of C)
with many folds, and the rate is its tasks over the wall time of the whole
mpirun command, N / T: a lower bound, since T includes start-up (mpirun,
MPI_Init, reading the data) and the work per candidate (checking its
parameters, ranking it, writing its row of the results). A second run with
few folds gives the marginal rate, (N_many - N_few) / (T_many - T_few), from
which those drop out; on a busy machine the difference of two short times
is noisy, so it is printed for information only.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench  # noqa: E402 (the shared helpers: machine_info, update_doc)


def write_spec(folder, n_candidates, n_folds):
    """Write the spec of n_candidates values of C and n_folds folds."""
    spec = {
        "data": {"path": os.path.join(REPO, "examples", "iris.h5"), "X": "X", "y": "y"},
        "estimator": "SVC",
        "param_grid": {"C": [round(0.001 * (i + 1), 6) for i in range(n_candidates)]},
        "cv": n_folds,
        "refit": False,
    }
    path = os.path.join(folder, "dispatch-%d-%d.json" % (n_candidates, n_folds))
    with open(path, "w") as f:
        json.dump(spec, f)
    return path


def run(gridcv, spec, out, ranks):
    env = bench.mpi_env()
    env["GRIDCV_BENCH_SKIP_FITS"] = "1"
    command = ["mpirun", "-n", str(ranks), "--oversubscribe", "-x", "GRIDCV_BENCH_SKIP_FITS",
               gridcv, "run", spec, "--out", out, "--force", "-q"]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError("gridcv failed (exit %d): %s\n%s" % (
            result.returncode, " ".join(command), result.stderr[-2000:]))
    match = re.search(r"fits: (\d+) done", result.stdout)
    done = int(match.group(1)) if match else -1
    return seconds, done


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gridcv", default=os.path.join(REPO, "build", "gridcv"))
    parser.add_argument("--ranks", type=int, default=8)
    parser.add_argument("--candidates", type=int, default=4000)
    parser.add_argument("--few", type=int, default=10, help="folds of the short run")
    parser.add_argument("--many", type=int, default=50,
                        help="folds of the long run (iris allows at most 50)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bench-dir", required=True)
    parser.add_argument("--doc", default=None)
    parser.add_argument("--command", default=None)
    args = parser.parse_args()

    os.makedirs(args.bench_dir, exist_ok=True)
    info = bench.machine_info()
    times = {}
    for n_folds in (args.few, args.many):
        spec = write_spec(args.bench_dir, args.candidates, n_folds)
        out = os.path.join(args.bench_dir, "dispatch-out-%d" % n_folds)
        n_tasks = args.candidates * n_folds
        best = None
        for _ in range(args.repeat):
            seconds, done = run(args.gridcv, spec, out, args.ranks)
            if done != n_tasks:
                raise RuntimeError("expected %d fits done, gridcv reported %d" % (n_tasks, done))
            best = seconds if best is None else min(best, seconds)
            print("%d ranks, %d tasks: %.2f s (%.0f tasks/s overall)" % (
                args.ranks, n_tasks, seconds, n_tasks / seconds), flush=True)
        times[n_tasks] = best

    (small, t_small), (large, t_large) = sorted(times.items())
    rate = large / t_large
    marginal = (large - small) / (t_large - t_small) if t_large > t_small else float("inf")
    print("at least %.0f tasks/s (%d tasks in %.2f s, start-up included); marginal %.0f "
          "tasks/s ((%d - %d) tasks / (%.2f - %.2f) s); %d ranks on %s cores" % (
              rate, large, t_large, marginal, large, small, t_large, t_small, args.ranks,
              info["nproc"]))

    if args.doc:
        command = args.command or " ".join(sys.argv)
        body = "\n".join([
            "## Coordinator throughput on tasks that fit nothing",
            "",
            "Command: `%s`" % command,
            "",
            "- date, machine: see the environment list above; %s cores, %s" % (
                info["nproc"], info["cpu"]),
            "- %d ranks under `mpirun --oversubscribe` (%d workers and the coordinator) on %s "
            "cores. Every worker runs with GRIDCV_BENCH_SKIP_FITS=1, so each task returns "
            "at once with scores of 0. The grid: an RBF SVC on iris with %d values of C, run "
            "with %d and with %d folds, no refit; best of %d runs of each" % (
                args.ranks, args.ranks - 1, info["nproc"], args.candidates, args.few, args.many,
                args.repeat),
            "- the rate is N / T of the run with many folds, T being the whole mpirun "
            "command, start-up included, so it is a lower bound. The marginal rate (N_many - "
            "N_few) / (T_many - T_few) leaves start-up and the work per candidate out, but on "
            "a busy machine the difference of two short times is noisy",
            "",
            "| tasks | wall time (s) | tasks/s overall |",
            "|---|---|---|",
            "| %d | %.2f | %.0f |" % (small, t_small, small / t_small),
            "| %d | %.2f | %.0f |" % (large, t_large, large / t_large),
            "",
            "At least **%.0f tasks/s** (N / T of the long run); marginal rate %.0f tasks/s."
            % (rate, marginal),
        ])
        bench.update_doc(args.doc, "dispatch", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
