"""Predict how gridcv's scheduling scales, from the task times of a real run.

Run through scripts/simulate. The input is the journal of a finished
search (OUT/journal.bin, layout in coordinator/journal.h), which records
for every (candidate, fold) task the rank that ran it and its fit and
score seconds. The records of one rank arrive in the order it ran them, so
the first record of a rank on a fold is the task that prepared the fold's
cached work on that rank (worker/fold_cache.h). The cost model:

- a task costs base seconds: its fit + score time, or, for a task that
  prepared its fold, the mean of the candidate's other tasks (else the
  fold's, else its own time);
- a worker pays prepare[fold] seconds before its first task of a fold.
  That cost is the mean over the fold's preparing tasks of their time less
  their base. A worker keeps every fold it prepared, as if its fold cache
  were large enough for all of them;
- the coordinator handles one message at a time and spends message_cost
  seconds per task handed out (sending it, later receiving, journaling and
  recording its result). The default is 1 / the rate that
  scripts/bench-dispatch measured (docs/benchmarks.md), an upper bound
  since that rate includes start-up.

The policies replayed, each with 2 tasks in flight per worker as
coordinator/scheduler.c sends them:

- gridcv: coordinator/picker.c. Candidates go costliest first. A worker
  stays on its fold while the fold has open tasks, then takes the
  unclaimed fold whose open task is costliest. Failing that, it joins a
  fold of other workers only when the fold's open work costs at least as
  much as preparing it, and otherwise gets nothing more. Like the picker,
  it joins while no preparation has been measured, and learns a fold's
  preparation when a task that prepared it returns. Unlike the picker,
  which learns the task costs from the results as they arrive, it has
  them from the start. The model has a preparation cost per fold and
  none per group of candidates (the RBF kernel matrix of one gamma), so
  it does not replay the picker's groups. Within a fold it takes the
  costliest task first.
- always-join: the same, but a worker joins a held fold whatever its
  open work (the picker before it weighed the preparation).
- fifo: tasks in scikit-learn's order (candidate by candidate, every fold
  of each), each to the next worker that asks, without fold affinity.

The makespan is the time from the first task sent to the last result
handled; a worker's utilisation is its busy time (tasks and preparation)
over the makespan.

--validate SPEC runs gridcv on SPEC with 1 and 2 workers, predicts each
run's makespan from its own journal and prints it beside the measured one:
the elapsed time of the search's last progress line (from the first task
sent to the last result, rounded to 0.1 s by gridcv).
"""
import argparse
import heapq
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Tasks sent to each worker ahead of its results (TASKS_IN_FLIGHT in
# coordinator/scheduler.c).
TASKS_IN_FLIGHT = 2

# Coordinator seconds per task when docs/benchmarks.md has no dispatch rate.
DEFAULT_MESSAGE_COST = 30e-6

WORKER_COUNTS = [8 << i for i in range(10)]  # 8, 16, ..., 4096

POLICIES = ("gridcv", "always-join", "fifo")


# ----- the journal ------------------------------------------------------------


def read_journal(path):
    """Return (n_candidates, n_folds, records) of a journal, records as
    (candidate, fold, rank, seconds) in file order. Stops at the first
    record that is cut short or fails its CRC-32, as gridcv's reader does."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"GCVJRNL\n":
        raise ValueError("%s is not a gridcv journal" % path)
    header_size = struct.unpack_from("<I", data, 12)[0]
    n_candidates, n_folds = struct.unpack_from("<QQ", data, 32)
    records, position = [], header_size
    while position + 4 <= len(data):
        length = struct.unpack_from("<I", data, position)[0]
        end = position + 4 + length
        if end + 4 > len(data):
            break
        if zlib.crc32(data[position:end]) != struct.unpack_from("<I", data, end)[0]:
            break
        candidate, fold, _, rank, fit, score = struct.unpack_from("<iiIidd", data, position + 4)
        records.append((candidate, fold, rank, fit + score))
        position = end + 4
    return n_candidates, n_folds, records


def cost_model(records):
    """Return (base, prepare): base[(candidate, fold)] seconds and
    prepare[fold] seconds, as the module docstring describes."""
    seen, opening, times = set(), {}, {}
    for candidate, fold, rank, seconds in records:
        task = (candidate, fold)
        times[task] = seconds  # a task run twice (a resumed journal) keeps its last time
        opening[task] = (rank, fold) not in seen
        seen.add((rank, fold))

    by_candidate, by_fold = {}, {}
    for (candidate, fold), seconds in times.items():
        if not opening[(candidate, fold)]:
            by_candidate.setdefault(candidate, []).append(seconds)
            by_fold.setdefault(fold, []).append(seconds)

    def mean(values):
        return sum(values) / len(values)

    base, extra = {}, {}
    for (candidate, fold), seconds in times.items():
        if not opening[(candidate, fold)]:
            base[(candidate, fold)] = seconds
            continue
        typical = (mean(by_candidate[candidate]) if candidate in by_candidate
                   else mean(by_fold[fold]) if fold in by_fold else seconds)
        base[(candidate, fold)] = min(typical, seconds)
        extra.setdefault(fold, []).append(seconds - base[(candidate, fold)])
    prepare = {fold: mean(values) for fold, values in extra.items()}
    return base, prepare


# ----- policies ---------------------------------------------------------------


class Fifo:
    """Tasks in scikit-learn's order, each to the next worker that
    requests one."""

    def __init__(self, base, prepare, n_workers):
        self.tasks = sorted(base)
        self.next = 0

    def finished(self, task, opened):
        pass

    def pick(self, worker):
        if self.next == len(self.tasks):
            return None
        self.next += 1
        return self.tasks[self.next - 1]


class Affinity:
    """Replay coordinator/picker.c with the costs known in advance.

    join_always drops the check that joining another worker's fold pays
    for its preparation."""

    def __init__(self, base, prepare, n_workers, join_always=False):
        self.base = base
        self.prepare = prepare
        self.join_always = join_always
        self.folds = sorted({fold for _, fold in base})
        candidates = sorted({candidate for candidate, _ in base})
        mean = {c: 0.0 for c in candidates}
        count = {c: 0 for c in candidates}
        for (candidate, _), seconds in base.items():
            mean[candidate] += seconds
            count[candidate] += 1
        # Costliest first; equal costs keep scikit-learn's order.
        self.order = sorted(candidates, key=lambda c: (-mean[c] / count[c], c))
        self.rank = {c: i for i, c in enumerate(self.order)}
        self.open = {fold: [c for c in self.order if (c, fold) in base] for fold in self.folds}
        self.cursor = {fold: 0 for fold in self.folds}
        self.handed = set()
        self.open_work = {fold: sum(base[(c, fold)] for c in self.open[fold])
                          for fold in self.folds}
        self.last_fold = [None] * (n_workers + 1)
        self.holders = {fold: 0 for fold in self.folds}
        self.known = set()  # folds whose preparation has been measured

    def fold_next(self, fold):
        """Return fold's costliest open candidate, or None."""
        tasks, k = self.open[fold], self.cursor[fold]
        while k < len(tasks) and (tasks[k], fold) in self.handed:
            k += 1
        self.cursor[fold] = k
        return tasks[k] if k < len(tasks) else None

    def finished(self, task, opened):
        """Learn a fold's preparation cost once a task that prepared it
        has returned, as the picker does (gcv_picker_record)."""
        if opened:
            self.known.add(task[1])

    def pays(self, fold):
        """Return True when a worker should join fold, a fold of other workers.

        A fold whose preparation is not known yet is estimated by the mean
        of the known ones. While none is known, the worker joins, as the
        picker does."""
        if self.join_always or not self.known:
            return True
        if fold in self.known:
            prepare = self.prepare.get(fold, 0.0)
        else:
            prepare = sum(self.prepare.get(f, 0.0) for f in self.known) / len(self.known)
        return self.open_work[fold] >= prepare

    def pick(self, worker):
        rank = self.rank
        chosen = None

        # The worker's last fold, while it has an open task.
        held = self.last_fold[worker]
        if held is not None and self.fold_next(held) is not None:
            chosen = (self.fold_next(held), held)

        # Else the unclaimed fold whose open task is costliest.
        if chosen is None:
            best = None
            for fold in self.folds:
                candidate = self.fold_next(fold)
                if self.holders[fold] == 0 and candidate is not None and (
                        best is None or rank[candidate] < rank[best[0]]):
                    best = (candidate, fold)
            chosen = best

        # Else a claimed fold worth joining, at its costliest open task.
        if chosen is None:
            best = None
            for fold in self.folds:
                candidate = self.fold_next(fold)
                if candidate is not None and self.pays(fold) and (
                        best is None or rank[candidate] < rank[best[0]]):
                    best = (candidate, fold)
            chosen = best
        if chosen is None:
            return None

        candidate, fold = chosen
        self.handed.add(chosen)
        self.open_work[fold] -= self.base[chosen]
        if self.last_fold[worker] != fold:
            if self.last_fold[worker] is not None:
                self.holders[self.last_fold[worker]] -= 1
            self.holders[fold] += 1
            self.last_fold[worker] = fold
        return chosen


def make_policy(name, base, prepare, n_workers):
    if name == "fifo":
        return Fifo(base, prepare, n_workers)
    return Affinity(base, prepare, n_workers, join_always=(name == "always-join"))


# ----- the simulation ---------------------------------------------------------------


def simulate(base, prepare, n_workers, policy_name, message_cost):
    """Return (makespan, mean utilisation) of one policy on n_workers."""
    policy = make_policy(policy_name, base, prepare, n_workers)
    free_at = [0.0] * (n_workers + 1)
    busy = [0.0] * (n_workers + 1)
    prepared = [set() for _ in range(n_workers + 1)]
    results = []  # heap of (time a result reaches the coordinator, worker, task, opened)
    coordinator = 0.0

    def hand_out(worker, now):
        task = policy.pick(worker)
        if task is None:
            return
        fold = task[1]
        seconds = base[task]
        opened = fold not in prepared[worker]
        if opened:
            prepared[worker].add(fold)
            seconds += prepare.get(fold, 0.0)
        start = max(free_at[worker], now)
        free_at[worker] = start + seconds
        busy[worker] += seconds
        heapq.heappush(results, (free_at[worker], worker, task, opened))

    for _ in range(TASKS_IN_FLIGHT):
        for worker in range(1, n_workers + 1):
            coordinator += message_cost
            hand_out(worker, coordinator)
    while results:
        arrival, worker, task, opened = heapq.heappop(results)
        coordinator = max(coordinator, arrival) + message_cost
        policy.finished(task, opened)
        hand_out(worker, coordinator)
    makespan = coordinator
    utilisation = sum(busy[1:]) / (n_workers * makespan) if makespan > 0 else 0.0
    return makespan, utilisation


def message_cost_from_doc():
    """Return 1 / the dispatch rate in docs/benchmarks.md, or the default."""
    try:
        with open(os.path.join(REPO, "docs", "benchmarks.md")) as f:
            match = re.search(r"At least \*\*(\d+) tasks/s\*\*", f.read())
    except OSError:
        match = None
    return (1.0 / int(match.group(1)), "docs/benchmarks.md") if match else (
        DEFAULT_MESSAGE_COST, "default")


def predict(journal, worker_counts, message_cost):
    """Return the model's totals and one row per (workers, policy)."""
    n_candidates, n_folds, records = read_journal(journal)
    base, prepare = cost_model(records)
    totals = {
        "journal": journal, "candidates": n_candidates, "folds": n_folds,
        "tasks": len(base), "work": sum(base.values()),
        "prepare": {str(f): s for f, s in sorted(prepare.items())},
        "message_cost": message_cost,
    }
    rows = []
    for n_workers in worker_counts:
        for name in POLICIES:
            makespan, utilisation = simulate(base, prepare, n_workers, name, message_cost)
            rows.append({"workers": n_workers, "policy": name, "makespan": makespan,
                         "utilisation": utilisation})
    return totals, rows


def print_prediction(totals, rows):
    print("journal: %s (%d candidates x %d folds, %d tasks)" % (
        totals["journal"], totals["candidates"], totals["folds"], totals["tasks"]))
    print("work: %.3f s of tasks; fold preparation per worker and fold: %s s; "
          "coordinator: %.1f us per task" % (
              totals["work"], ", ".join("%.3f" % s for s in totals["prepare"].values()),
              1e6 * totals["message_cost"]))
    print()
    print("| workers | " + " | ".join("%s makespan (s) | %s utilisation" % (p, p)
                                       for p in POLICIES) + " |")
    print("|---|" + "---|---|" * len(POLICIES))
    by_workers = {}
    for row in rows:
        by_workers.setdefault(row["workers"], {})[row["policy"]] = row
    for n_workers, row in by_workers.items():
        print("| %d | " % n_workers + " | ".join(
            "%.3f | %.0f%%" % (row[p]["makespan"], 100 * row[p]["utilisation"])
            for p in POLICIES) + " |")


# ----- validation against real runs ---------------------------------------------------


def run_gridcv(gridcv, spec, out, n_workers):
    """Run gridcv with n_workers and return the elapsed seconds of its
    last progress line."""
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    command = ["mpirun", "-n", str(n_workers + 1), "--oversubscribe", gridcv, "run", spec,
               "--out", out, "--force"]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError("gridcv failed (exit %d): %s\n%s" % (
            result.returncode, " ".join(command), result.stderr[-2000:]))
    found = re.findall(r"(\d+)/(\d+) fits, \d+ failed, ([0-9.]+)s elapsed", result.stderr)
    if not found or found[-1][0] != found[-1][1]:
        raise RuntimeError("no final progress line in the output of %s" % " ".join(command))
    return float(found[-1][2])


def validate(gridcv, spec, message_cost, repeat):
    """Run spec with 1 and 2 workers and return one row per worker count.

    Each row has the best measured makespan and the prediction from that
    run's journal."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n_workers in (1, 2):
            best = None
            for _ in range(repeat):
                out = os.path.join(folder, "out%d" % n_workers)
                measured = run_gridcv(gridcv, spec, out, n_workers)
                _, _, records = read_journal(os.path.join(out, "journal.bin"))
                base, prepare = cost_model(records)
                predicted, utilisation = simulate(base, prepare, n_workers, "gridcv",
                                                  message_cost)
                if best is None or measured < best["measured"]:
                    best = {"workers": n_workers, "measured": measured,
                            "predicted": predicted, "utilisation": utilisation}
            rows.append(best)
    return rows


def print_validation(spec, rows):
    print("validation on %s (best of the runs by measured time; measured: the last progress "
          "line's elapsed time, 0.1 s resolution)" % spec)
    print()
    print("| workers | measured makespan (s) | predicted (gridcv policy) (s) | "
          "predicted / measured |")
    print("|---|---|---|---|")
    for row in rows:
        print("| %d | %.1f | %.3f | %.2f |" % (row["workers"], row["measured"], row["predicted"],
                                              row["predicted"] / row["measured"]
                                              if row["measured"] > 0 else float("nan")))


# ----- entry point ---------------------------------------------------------------------


def worker_list(text):
    counts = [int(x) for x in text.split(",") if x.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("expected worker counts >= 1 such as 8,16, got %r"
                                         % text)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("journal", nargs="?", help="the journal.bin of a finished search")
    parser.add_argument("--workers", type=worker_list, default=WORKER_COUNTS,
                        help="worker counts to predict (default 8,16,...,4096)")
    parser.add_argument("--message-cost", type=float, default=None,
                        help="coordinator seconds per task (default: 1 / the dispatch rate "
                             "in docs/benchmarks.md)")
    parser.add_argument("--validate", metavar="SPEC", default=None,
                        help="run SPEC with 1 and 2 workers and compare predicted with "
                             "measured makespans")
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker count for "
                        "--validate (default 1)")
    parser.add_argument("--gridcv", default=os.path.join(REPO, "build", "gridcv"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()

    if args.journal is None and args.validate is None:
        parser.error("give a journal, --validate SPEC, or both")
    if args.message_cost is not None and not args.message_cost >= 0:
        parser.error("--message-cost must be a number of seconds >= 0")
    if args.message_cost is None:
        message_cost, source = message_cost_from_doc()
    else:
        message_cost, source = args.message_cost, "--message-cost"

    output = {"message_cost": message_cost, "message_cost_source": source}
    if args.journal is not None:
        output["totals"], output["rows"] = predict(args.journal, args.workers, message_cost)
    if args.validate is not None:
        output["validation"] = validate(args.gridcv, args.validate, message_cost, args.repeat)

    if args.json:
        print(json.dumps(output, indent=1))
        return 0
    if args.journal is not None:
        print_prediction(output["totals"], output["rows"])
    if args.validate is not None:
        if args.journal is not None:
            print()
        print_validation(args.validate, output["validation"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
