/* Running one (candidate, fold) task: fit the candidate's setting on the
 * fold's training rows, predict its test rows once, score them with every
 * scorer. The same code serves the workers, a one-rank run and the refit
 * of the best setting. */
#ifndef GCV_TASK_H
#define GCV_TASK_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/dataset.h"
#include "../common/proto.h"
#include "../common/scorer.h"
#include "../common/spec.h"
#include "../common/split.h"
#include "estimator.h"

/* What every rank needs to run any task. Built identically on every rank
 * from the spec, the dataset and the fold plan. */
struct gcv_task_context {
    const struct gcv_dataset *data;         /* borrowed, outlives the context */
    const struct gcv_fold_plan *plan;       /* borrowed, outlives the context */
    const struct gcv_estimator_ops *estimator;
    void **candidate_params;                /* [n_candidates] parsed settings, owned */
    size_t n_candidates;
    const struct gcv_scorer *scorers[GCV_MAX_SCORERS]; /* in the spec's order */
    size_t n_scorers;
    size_t refit_scorer;                    /* index in scorers of the one that picks the best
                                               candidate and scores the holdout rows */
    int32_t pos_label;                      /* class code of the positive class of binary
                                               scorers, -1 when none (struct
                                               gcv_scorer_input) */
    bool pos_label_given;                   /* the spec sets pos_label */
    const struct gcv_scorer *threshold_objective; /* the scorer the refit model's decision
                                               threshold is tuned for (coordinator/threshold.h);
                                               NULL without "threshold" */
    const double *cost_matrix;              /* [n_cost_classes * n_cost_classes] the spec's
                                               cost_matrix, borrowed from the spec; NULL when
                                               none */
    size_t n_cost_classes;
    bool return_train_score;
    double fit_timeout;                     /* seconds; a longer fit fails, 0 for no limit */
    int32_t *chain_previous;                /* [n_candidates] with the spec's warm_start: the
                                               candidate whose fit on the same fold this one
                                               starts from, -1 for none (worker/chain.h);
                                               owned; NULL without warm_start */
    int32_t *chain_next;                    /* [n_candidates] the candidate after this one in
                                               its chain, -1 for the last; owned, or NULL */
    bool batched;                           /* the chains are batches: their fits run
                                               together through the estimator's fit_batch
                                               (gcv_task_run_batch), each from zero */
};

/* Sets the maximum number of fits in one batch (the run option
 * --lockstep) for the contexts initialised after the call, and 1 turns
 * batches off. Every rank must set the same value, since each rank plans
 * the batches. The default is GCV_TASK_DEFAULT_BATCH. */
void gcv_task_configure_batches(size_t max_members);

#define GCV_TASK_DEFAULT_BATCH 8

/* Finds the estimator and scorers the spec names and parses the setting of
 * every candidate (the fixed params overridden by the candidate's grid
 * values), so that a bad value is reported before any fit runs. Rejects,
 * as GCV_ERR_SPEC, a scorer that is unknown, meant for the other kind of
 * estimator, or needs an output (decision_function, predict_proba) the
 * estimator lacks. With data, it also checks the scorers against the
 * classes of y: pos_label must be one of them, a binary scorer needs two,
 * and a scorer that depends on the positive class needs pos_label unless
 * the labels are {0, 1} or {-1, 1}. neg_mean_cost needs the spec's
 * cost_matrix, which is only for classifiers and, with data, must have one
 * row per class. data and plan may be NULL when only
 * validating. On success the context is owned by the caller
 * (gcv_task_context_free). */
enum gcv_status gcv_task_context_init(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                      const struct gcv_dataset *data,
                                      const struct gcv_fold_plan *plan, struct gcv_error *err);

/* Frees the parsed settings and zeroes the context. Accepts NULL. */
void gcv_task_context_free(struct gcv_task_context *ctx);

/* Returns the estimator kind that the spec's estimator name has, for
 * choosing the splitter and reading y; GCV_ERR_SPEC when the name is
 * unknown (err lists the known names). */
enum gcv_status gcv_task_estimator_kind(const struct gcv_spec *spec,
                                        enum gcv_estimator_kind *kind, struct gcv_error *err);

/* Runs task (candidate, fold) and fills out. A failed fit or score is
 * reported in out->status (GCV_ERR_FIT) and out->message. The scores are
 * then NaN, except those of the scorers that succeeded after a fit that
 * succeeded. A fit that runs past ctx->fit_timeout is such a failure, with the
 * message "fit exceeded fit_timeout of N s". Never fails itself. */
void gcv_task_run(const struct gcv_task_context *ctx, int32_t candidate, int32_t fold,
                  struct gcv_task_result *out);

/* Runs task (candidate, fold) as gcv_task_run does, with the final
 * estimator's solver started from previous (a model of the same estimator
 * fitted on the same fold, see fit_from in worker/estimator.h) when it is
 * not NULL. With keep not NULL, *keep receives the fitted model (owned by
 * the caller, ctx->estimator->model_free), or NULL when the fit failed. */
void gcv_task_run_from(const struct gcv_task_context *ctx, int32_t candidate, int32_t fold,
                       const void *previous, void **keep, struct gcv_task_result *out);

/* Runs the tasks (candidates[i], fold), i < n, of one batch (ctx->batched)
 * and fills out[n] as n calls of gcv_task_run would: the estimator's
 * fit_batch fits them together, then each model is scored alone. Each
 * task's fit_time is its share, 1 / n, of the batch's fit. It returns
 * nothing: every failure is reported in out. */
void gcv_task_run_batch(const struct gcv_task_context *ctx, const int32_t *candidates, size_t n,
                        int32_t fold, struct gcv_task_result *out);

/* Fits candidate on rows[0..n_rows) of the dataset, without a time limit;
 * *model is owned by the caller (ctx->estimator->model_free). */
enum gcv_status gcv_task_fit(const struct gcv_task_context *ctx, int32_t candidate,
                             const size_t *rows, size_t n_rows, void **model,
                             struct gcv_error *err);

/* Scores rows[0..n_rows) with every scorer into scores[ctx->n_scorers].
 * The model predicts the rows once, and computes decision values or
 * probabilities only when a scorer needs them. A scorer that fails on
 * these rows (GCV_ERR_FIT, as where scikit-learn raises) leaves NaN in its
 * slot while the others are still scored, and the call then returns
 * GCV_ERR_FIT with the first such reason. */
enum gcv_status gcv_task_score(const struct gcv_task_context *ctx, const void *model,
                               const size_t *rows, size_t n_rows, double *scores,
                               struct gcv_error *err);

/* Scores rows[0..n_rows) with the refit scorer alone into *score, as
 * scikit-learn's search.score does with the holdout rows. */
enum gcv_status gcv_task_score_refit(const struct gcv_task_context *ctx, const void *model,
                                     const size_t *rows, size_t n_rows, double *score,
                                     struct gcv_error *err);

/* Predicts rows[0..n_rows) into predicted[n_rows] (class codes as
 * doubles, or targets). When positive_score is not NULL it also writes the
 * score of the class with code positive into positive_score[n_rows], as
 * scikit-learn's threshold scorers read it: decision_function when the
 * estimator has one (negated for the lower class), else the predict_proba
 * column of that class; *has_score says whether it did, which needs a
 * classifier with either output fitted on two classes. */
enum gcv_status gcv_task_predict(const struct gcv_task_context *ctx, const void *model,
                                 const size_t *rows, size_t n_rows, int32_t positive,
                                 double *predicted, double *positive_score, bool *has_score,
                                 struct gcv_error *err);

/* Returns seconds on a monotonic clock. */
double gcv_task_clock(void);

#endif
