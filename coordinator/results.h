/* The scores of a search and the cv_results table computed from them, as
 * scikit-learn's GridSearchCV builds cv_results_. Lives on rank 0. */
#ifndef GCV_RESULTS_H
#define GCV_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/proto.h"
#include "../common/spec.h"

/* One distinct fit-failure message and how often it occurred. */
struct gcv_failure_count {
    char message[GCV_RESULT_MESSAGE_MAX];
    size_t count;
};

struct gcv_results {
    size_t n_candidates;
    size_t n_folds;
    size_t n_scorers;
    const char *scorer_names[GCV_MAX_SCORERS]; /* borrowed, static strings */
    bool has_train;
    size_t refit_scorer;   /* the scorer whose ranks pick best_index; 0 after
                              gcv_results_init, set by the caller */
    bool multimetric;      /* score columns named after the scorers ("test_f1"), not
                              "test_score"; n_scorers > 1 after gcv_results_init, set by
                              the caller to the spec's multimetric */

    /* Per task, indexed [candidate * n_folds + fold]: */
    double *test_scores;   /* [n_tasks * n_scorers], scorer fastest, owned */
    double *train_scores;  /* [n_tasks * n_scorers], owned; NULL without train scores */
    double *fit_times;     /* [n_tasks] seconds, owned */
    double *score_times;   /* [n_tasks] seconds, owned */
    uint8_t *done;         /* [n_tasks] 1 once the result arrived, owned */
    double *warm_starts;   /* [n_tasks] 1 when the fit started from the fit before it in its
                              chain (the spec's warm_start), else 0, owned; written to
                              cv_results as split<k>_warm_start with warm_start on */
    size_t n_done;
    size_t n_failed;

    struct gcv_failure_count *failures; /* [n_failure_kinds], owned */
    size_t n_failure_kinds;
    size_t n_warned;       /* successful fits that sent a warning (no convergence) */
    struct gcv_failure_count *warnings; /* [n_warning_kinds] their messages, owned */
    size_t n_warning_kinds;

    /* Filled by gcv_results_finalize: */
    double *mean_test;     /* [n_scorers * n_candidates], owned */
    double *std_test;      /* [n_scorers * n_candidates], owned */
    int32_t *rank_test;    /* [n_scorers * n_candidates], owned */
    double *mean_train;    /* [n_scorers * n_candidates], owned; NULL without train scores */
    double *std_train;
    double *mean_fit_time, *std_fit_time;     /* [n_candidates], owned */
    double *mean_score_time, *std_score_time; /* [n_candidates], owned */
    size_t best_index;     /* first candidate of rank 1 for the refit scorer */

    /* A halving search's extra columns and best.json member
     * (coordinator/halving.h); NULL for any other search: */
    const int64_t *iter;        /* [n_candidates] the round of each row, borrowed */
    const int64_t *n_resources; /* [n_candidates] the resources of its round, borrowed */
    const char *halving_json;   /* a JSON object, best.json's "halving", borrowed */
};

/* Allocates the tables for a search. On success results is owned by the
 * caller (gcv_results_free). */
enum gcv_status gcv_results_init(struct gcv_results *results, size_t n_candidates,
                                 size_t n_folds, size_t n_scorers,
                                 const char *const *scorer_names, bool has_train,
                                 struct gcv_error *err);

/* Stores one task's result. A failed fit (status GCV_ERR_FIT) gets the
 * spec's error_score for every score that is NaN (all of them when the fit
 * failed, those of the failed scorers when scoring did), and its message
 * counted. */
void gcv_results_record(struct gcv_results *results, const struct gcv_task_result *result,
                        const struct gcv_spec *spec);

/* Computes means, standard deviations, ranks and the best candidate from
 * the stored scores, with numpy's and scikit-learn's arithmetic. */
void gcv_results_finalize(struct gcv_results *results);

/* Writes cv_results.json and cv_results.csv into folder (each written to a
 * temporary name and renamed, so a reader never sees half a file). */
enum gcv_status gcv_results_write(const struct gcv_results *results, const struct gcv_spec *spec,
                                  const char *folder, struct gcv_error *err);

/* Frees every table and zeroes results. Accepts NULL. */
void gcv_results_free(struct gcv_results *results);

#endif
