/* Successive halving, as scikit-learn 1.2.1's HalvingGridSearchCV and
 * HalvingRandomSearchCV run it ("search": "halving").
 *
 * Round i evaluates n_candidates[i] candidates with n_resources[i] of the
 * resource. That is either the number of search rows (subsampled from each
 * fold as scikit-learn's _SubsampleMetaSplitter does) or the value of an
 * estimator parameter such as max_iter. Between rounds rank 0 keeps the
 * ceil(n / factor) candidates of best mean test score and broadcasts them.
 * Every rank then builds the next round's candidates, folds and task
 * context. Rank 0 hands the round's tasks to the workers through the
 * scheduler (gcv_scheduler_run, one call per round). The reference is
 * Karnin, Koren and Somekh, "Almost optimal exploration in multi-armed
 * bandits", ICML 2013, as scikit-learn cites it.
 *
 * A halving search keeps no journal, and --resume rejects it, because the
 * candidates of each round depend on the scores of the previous one. */
#ifndef GCV_HALVING_H
#define GCV_HALVING_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/dataset.h"
#include "../common/spec.h"
#include "../common/split.h"
#include "../worker/task.h"
#include "results.h"
#include "search.h"

/* One round as it ran. */
struct gcv_halving_round {
    size_t n_candidates;
    size_t n_resources;
    double seconds;        /* wall-clock time of the round on rank 0 */
};

struct gcv_halving {
    /* The plan, the same on every rank (gcv_halving_plan): */
    bool param_resource;            /* the resource is an estimator parameter */
    double factor;                  /* the spec's factor, > 1 */
    bool aggressive_elimination;
    double min_resources;           /* min_resources_, after "exhaust"; a real number only
                                       when factor is not an integer */
    size_t max_resources;           /* max_resources_ */
    size_t n_required_iterations;
    size_t n_possible_iterations;
    size_t n_iterations;
    size_t n_search_rows;           /* number of search rows, from which each round
                                       subsamples when the resource is n_samples */

    /* Filled on rank 0 by gcv_halving_run: */
    struct gcv_halving_round *rounds; /* [n_iterations], owned */
    size_t n_remaining_candidates;
    int64_t *iter;                  /* [n_rows] the round of each cv_results row, owned */
    int64_t *n_resources;           /* [n_rows] its round's resources, owned */
    size_t n_rows;
    char *best_json;                /* the "halving" member of best.json, owned */
    size_t n_abandoned;             /* number of fits still running when the grace
                                       period of a stop ran out */
};

/* Plans the rounds on every rank, once the data is loaded. Checks the
 * spec's halving settings against the data as scikit-learn's
 * _check_input_parameters does. When the count of random candidates depends
 * on the data (n_candidates "exhaust"), draws them again into spec->grid.
 * Errors are GCV_ERR_SPEC (exit 2) with scikit-learn's message.
 * search_rows[0..n_search_rows) are the dataset rows of the search. On
 * success halving is owned by the caller (gcv_halving_free). */
enum gcv_status gcv_halving_plan(struct gcv_halving *halving, struct gcv_spec *spec,
                                 const struct gcv_dataset *data, const size_t *search_rows,
                                 size_t n_search_rows, size_t n_folds, bool classifier,
                                 struct gcv_error *err);

/* Runs the planned rounds on every rank (a collective call). Workers fit,
 * and rank 0 schedules the tasks and keeps the best candidates. On success,
 * rank 0's spec->grid contains the setting of every cv_results row (with
 * the resource parameter, when it is one), ctx is rebuilt for that grid,
 * and results contains every row, still to be finalized.
 * results->iter, n_resources and best_json borrow from halving.
 * ctx must be the context of spec's original grid on every rank. A stop
 * request ends the search with GCV_STOPPED, which is not resumable here. */
enum gcv_status gcv_halving_run(struct gcv_halving *halving, struct gcv_spec *spec,
                                struct gcv_task_context *ctx, struct gcv_results *results,
                                const struct gcv_dataset *data, const struct gcv_fold_plan *plan,
                                const struct gcv_run_options *options, MPI_Comm comm,
                                struct gcv_error *err);

/* Prints the line of round i, as the run prints it after the last round:
 * its candidates, resources and, unless seconds is NaN, its time. */
void gcv_halving_print_round(FILE *stream, size_t i, size_t n_candidates, const char *resource,
                             size_t n_resources, double seconds);

/* Prints the line that closes the rounds: the candidates that remain. */
void gcv_halving_print_remaining(FILE *stream, size_t n_remaining);

/* Prints one line with the plan of the rounds: candidates, rounds,
 * factor and the range of the resource. */
void gcv_halving_print_plan(FILE *stream, const struct gcv_halving *halving,
                            const struct gcv_spec *spec);

/* Sets results->best_index to the best row of the last round, as
 * scikit-learn's _select_best_index does: the first row of greatest mean
 * test score, ignoring NaN, or the round's first row when every score is
 * NaN. Call after gcv_results_finalize. */
void gcv_halving_pick_best(struct gcv_results *results);

/* Sets n_required_iterations, min_resources, n_possible_iterations and
 * n_iterations as scikit-learn's _run_search computes them, from
 * n_candidates, the starting min_resources (raised as "exhaust" requests
 * when exhaust is true) and halving's factor, max_resources and
 * aggressive_elimination, with Python's float arithmetic. */
void gcv_halving_count_rounds(struct gcv_halving *halving, size_t n_candidates,
                              double min_resources, bool exhaust);

/* Returns the resources of round (from 0) of a counted halving, which is
 * int(factor ** power * min_resources) capped at max_resources. The power
 * stays 0 while aggressive elimination repeats the first round. */
size_t gcv_halving_round_resources(const struct gcv_halving *halving, size_t round);

/* Writes into kept[0..k) the rows of scores[0..n) that scikit-learn's
 * _top_k keeps. Like _top_k, it sorts with numpy's np.argsort (NaN last),
 * rolls the order right by the count of NaN so that NaN comes first, and
 * takes the last k. kept is in that order with the best row last, which is
 * the order of the next round's candidates. k <= n. */
enum gcv_status gcv_halving_top_k(const double *scores, size_t n, size_t k, size_t *kept,
                                  struct gcv_error *err);

/* Frees what the halving owns and zeroes it. Accepts NULL. */
void gcv_halving_free(struct gcv_halving *halving);

#endif
