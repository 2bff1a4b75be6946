#include "task.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "chain.h"

/* Returns true when the environment variable GRIDCV_BENCH_SKIP_FITS is
 * "1": every task then returns at once, with scores of 0 and no model
 * fitted. It exists for scripts/bench-dispatch, which measures how many
 * tasks per second the coordinator hands out, and is read once. */
static bool skip_fits(void)
{
    static int skip = -1;

    if (skip < 0) {
        const char *value = getenv("GRIDCV_BENCH_SKIP_FITS");
        skip = value != NULL && strcmp(value, "1") == 0;
    }
    return skip == 1;
}

double gcv_task_clock(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

enum gcv_status gcv_task_estimator_kind(const struct gcv_spec *spec,
                                        enum gcv_estimator_kind *kind, struct gcv_error *err)
{
    const struct gcv_estimator_ops *estimator;
    int line, column;

    if (gcv_estimator_resolve(spec->estimator, &estimator, err) == GCV_OK) {
        *kind = estimator->kind;
        return GCV_OK;
    }
    if (gcv_spec_locate(spec->text, "estimator", &line, &column))
        return gcv_error_prefix(err, "%s: estimator (line %d column %d): ", spec->file, line,
                                column);
    return gcv_error_prefix(err, "%s: estimator: ", spec->file);
}

/* Fills err with a spec error located at path ("scoring[1]", "pos_label"),
 * and returns GCV_ERR_SPEC. */
static enum gcv_status spec_error(const struct gcv_spec *spec, const char *path,
                                  struct gcv_error *err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static enum gcv_status spec_error(const struct gcv_spec *spec, const char *path,
                                  struct gcv_error *err, const char *format, ...)
{
    char reason[GCV_ERROR_MAX];
    int line = 0, column = 0;
    va_list args;

    va_start(args, format);
    vsnprintf(reason, sizeof reason, format, args);
    va_end(args);
    if (gcv_spec_locate(spec->text, path, &line, &column))
        return gcv_error_set(err, GCV_ERR_SPEC, "%s: %s (line %d column %d): %s", spec->file,
                             path, line, column, reason);
    return gcv_error_set(err, GCV_ERR_SPEC, "%s: %s: %s", spec->file, path, reason);
}

/* Checks that the estimator computes the output scorer reads: the
 * decision values or probabilities of scikit-learn's needs_threshold, or
 * the probabilities of needs_proba. */
static enum gcv_status check_outputs(const struct gcv_task_context *ctx,
                                     const struct gcv_scorer *scorer,
                                     const struct gcv_spec *spec, const char *path,
                                     struct gcv_error *err)
{
    const struct gcv_estimator_ops *estimator = ctx->estimator;

    if (scorer->needs == GCV_SCORER_NEEDS_THRESHOLD && estimator->decision_function == NULL &&
        estimator->predict_proba == NULL)
        return spec_error(spec, path, err, "scorer \"%s\" needs decision_function or "
                          "predict_proba, and %s has neither in gridcv; choose a scorer of "
                          "predicted labels, such as accuracy or f1", scorer->name,
                          estimator->name);
    if (scorer->needs == GCV_SCORER_NEEDS_PROBA && estimator->predict_proba == NULL)
        return spec_error(spec, path, err, "scorer \"%s\" needs predict_proba, which %s does "
                          "not have in gridcv%s", scorer->name, estimator->name,
                          estimator->decision_function != NULL
                              ? "; roc_auc and average_precision read decision values instead"
                              : "");
    return GCV_OK;
}

/* Finds the scorers the spec names, or the estimator's default, and the
 * refit scorer among them. */
static enum gcv_status find_scorers(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                    struct gcv_error *err)
{
    enum gcv_scorer_target target = ctx->estimator->kind == GCV_ESTIMATOR_CLASSIFIER
                                        ? GCV_SCORER_CLASSIFICATION
                                        : GCV_SCORER_REGRESSION;
    char names[1024];
    enum gcv_status status;

    ctx->refit_scorer = 0;
    if (spec->n_scoring == 0) {
        ctx->scorers[0] = gcv_scorer_default(target);
        ctx->n_scorers = 1;
        return GCV_OK;
    }

    for (size_t s = 0; s < spec->n_scoring && s < GCV_MAX_SCORERS; s++) {
        const struct gcv_scorer *scorer = gcv_scorer_find(spec->scoring[s]);
        char path[32];

        if (spec->multimetric)
            snprintf(path, sizeof path, "scoring[%zu]", s);
        else
            snprintf(path, sizeof path, "scoring");
        if (scorer == NULL || scorer->target != target) {
            const char *closest = gcv_scorer_suggest(spec->scoring[s], target);
            char hint[GCV_ERROR_MAX];

            /* The classification list is longer than an error message, so
             * a list that does not fit is replaced by the closest name and
             * a pointer to the documented list. */
            gcv_scorer_list_names(target, names, sizeof names);
            if (closest != NULL && strcmp(closest, spec->scoring[s]) != 0)
                snprintf(hint, sizeof hint, "did you mean \"%s\"? The accepted scorers are "
                         "listed under \"scoring\" in docs/spec.md", closest);
            else if (strlen(names) < 240)
                snprintf(hint, sizeof hint, "accepted: %s", names);
            else
                snprintf(hint, sizeof hint, "the accepted scorers are listed under "
                         "\"scoring\" in docs/spec.md");
            return spec_error(spec, path, err, "%s \"%s\" for the %s %s; %s",
                              scorer == NULL ? "unknown scorer" : "cannot use scorer",
                              spec->scoring[s],
                              target == GCV_SCORER_CLASSIFICATION ? "classifier" : "regressor",
                              spec->estimator, hint);
        }
        if ((status = check_outputs(ctx, scorer, spec, path, err)) != GCV_OK)
            return status;
        ctx->scorers[s] = scorer;
        if (spec->refit_scorer != NULL && strcmp(spec->refit_scorer, scorer->name) == 0)
            ctx->refit_scorer = s;
    }
    ctx->n_scorers = spec->n_scoring;
    return GCV_OK;
}

/* Writes the first classes of data as Python prints them into buf. */
static const char *class_list(const struct gcv_dataset *data, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t k = 0; k < data->n_classes && k < 10 && used < len; k++) {
        char label[128];
        gcv_dataset_format_label(data, (int32_t)k, label, sizeof label);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", k > 0 ? ", " : "", label);
    }
    if (data->n_classes > 10 && used < len)
        snprintf(buf + used, len - used, ", ... (%zu classes)", data->n_classes);
    return buf;
}

/* Returns the class code of the spec's pos_label in data, or -1. */
static int32_t find_pos_label(const struct gcv_spec *spec, const struct gcv_dataset *data)
{
    const struct gcv_value *label = &spec->pos_label;

    for (size_t k = 0; k < data->n_classes; k++) {
        if (data->label_kind == GCV_LABELS_STRING && label->kind == GCV_VALUE_STRING &&
            strcmp(data->class_strings[k], label->string) == 0)
            return (int32_t)k;
        if (data->label_kind == GCV_LABELS_INTEGER && label->kind == GCV_VALUE_INT &&
            data->class_integers[k] == label->integer)
            return (int32_t)k;
    }
    return -1;
}

/* Returns how scikit-learn names the scorers that do what scorer does on
 * more than two classes. */
static const char *multiclass_advice(const struct gcv_scorer *scorer)
{
    static const char *const prefixes[] = {"precision", "recall", "f1", "jaccard"};

    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strcmp(scorer->name, prefixes[i]) == 0)
            return "; use its _macro, _micro or _weighted form";
    if (strcmp(scorer->name, "roc_auc") == 0)
        return "; use roc_auc_ovr or roc_auc_ovo";
    return "";
}

/* Finds the positive class and checks every scorer against the classes
 * of y, so that a search that scikit-learn would fail at every score
 * stops before the first fit. */
static enum gcv_status check_classes(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                     const struct gcv_dataset *data, struct gcv_error *err)
{
    char classes[1024], label[256];

    ctx->pos_label = -1;
    if (spec->pos_label.kind != GCV_VALUE_NULL) {
        gcv_value_format_python(&spec->pos_label, label, sizeof label);
        if (!data->is_classification)
            return spec_error(spec, "pos_label", err, "is only for classifiers, and %s is a "
                              "regressor; remove pos_label", spec->estimator);
        ctx->pos_label = find_pos_label(spec, data);
        if (ctx->pos_label < 0)
            return spec_error(spec, "pos_label", err, "%s is not a class of y; the classes are "
                              "%s", label, class_list(data, classes, sizeof classes));
        ctx->pos_label_given = true;
    } else if (data->is_classification && data->label_kind == GCV_LABELS_INTEGER &&
               data->n_classes == 2 && data->class_integers[1] == 1 &&
               (data->class_integers[0] == 0 || data->class_integers[0] == -1)) {
        /* Labels {0, 1} or {-1, 1}: scikit-learn's default positive class 1. */
        ctx->pos_label = 1;
    }

    for (size_t s = 0; s < ctx->n_scorers && data->is_classification; s++) {
        const struct gcv_scorer *scorer = ctx->scorers[s];
        char path[32];

        if (spec->multimetric)
            snprintf(path, sizeof path, "scoring[%zu]", s);
        else
            snprintf(path, sizeof path, "scoring");
        if (scorer->binary_only && data->n_classes != 2)
            return spec_error(spec, path, err, "scorer \"%s\" needs a binary target, but y has "
                              "%zu classes%s", scorer->name, data->n_classes,
                              multiclass_advice(scorer));
        if (scorer->uses_pos_label && ctx->pos_label < 0)
            return spec_error(spec, path, err, "scorer \"%s\" needs \"pos_label\", the class "
                              "it scores as positive: y has the classes %s, and only the labels "
                              "{0, 1} and {-1, 1} have a default (1); add \"pos_label\" to the "
                              "spec", scorer->name, class_list(data, classes, sizeof classes));
    }
    return GCV_OK;
}

/* Checks the spec's cost_matrix against the estimator, the scorers and,
 * when data is given, the classes of y. */
static enum gcv_status check_cost_matrix(struct gcv_task_context *ctx,
                                         const struct gcv_spec *spec,
                                         const struct gcv_dataset *data, struct gcv_error *err)
{
    char classes[1024];

    for (size_t s = 0; s < ctx->n_scorers && spec->cost_matrix == NULL; s++) {
        char path[32];

        if (strcmp(ctx->scorers[s]->name, "neg_mean_cost") != 0)
            continue;
        if (spec->multimetric)
            snprintf(path, sizeof path, "scoring[%zu]", s);
        else
            snprintf(path, sizeof path, "scoring");
        return spec_error(spec, path, err, "scorer \"neg_mean_cost\" needs \"cost_matrix\", "
                          "the cost of each (true class, predicted class) pair, such as "
                          "[[0, 1], [10, 0]]; add \"cost_matrix\" to the spec");
    }
    if (spec->cost_matrix == NULL)
        return GCV_OK;
    if (ctx->estimator->kind != GCV_ESTIMATOR_CLASSIFIER)
        return spec_error(spec, "cost_matrix", err, "is only for classifiers, and %s is not "
                          "one; remove cost_matrix", spec->estimator);
    if (data != NULL && spec->n_cost_classes != data->n_classes)
        return spec_error(spec, "cost_matrix", err, "has %zu rows, but y has %zu classes (%s): "
                          "give one row and one column per class, in sorted order",
                          spec->n_cost_classes, data->n_classes,
                          class_list(data, classes, sizeof classes));
    ctx->cost_matrix = spec->cost_matrix;
    ctx->n_cost_classes = spec->n_cost_classes;
    return GCV_OK;
}

/* Plans into ctx the chains of candidates that differ only in the
 * estimator's path parameter (gcv_chain_plan), cut into parts of at most
 * max_parts members unless max_parts is 0. what names them in messages. */
static enum gcv_status plan_units(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                  size_t max_parts, const char *what, struct gcv_error *err)
{
    size_t n = spec->grid.n_candidates;
    enum gcv_status status;

    ctx->chain_previous = malloc((n + 1) * sizeof *ctx->chain_previous);
    ctx->chain_next = malloc((n + 1) * sizeof *ctx->chain_next);
    if (ctx->chain_previous == NULL || ctx->chain_next == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory planning the %s of %zu "
                             "candidates", what, n);
    status = gcv_chain_plan(&spec->grid, ctx->estimator, ctx->chain_previous, ctx->chain_next,
                            err);
    if (status == GCV_OK && max_parts > 0)
        gcv_chain_split(ctx->chain_previous, ctx->chain_next, n, max_parts);
    return status;
}

/* Plans the warm-start chains of the spec's warm_start into ctx. */
static enum gcv_status plan_chains(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                   struct gcv_error *err)
{
    if (ctx->estimator->fit_from == NULL)
        return spec_error(spec, "warm_start", err, "%s has no warm start in gridcv; remove "
                          "warm_start, or use SVC, SVR, LinearSVC, LogisticRegression, Lasso or "
                          "ElasticNet (alone or as a pipeline's final step)", ctx->estimator->name);
    return plan_units(ctx, spec, 0, "chains", err);
}

static size_t batch_limit = GCV_TASK_DEFAULT_BATCH;

void gcv_task_configure_batches(size_t max_members)
{
    batch_limit = max_members;
}

/* Plans batches into ctx when the estimator fits settings together: the
 * candidates that differ only in its path parameter, cut into batches of
 * at most batch_limit. Not with a fit_timeout, which limits each fit
 * alone. */
static enum gcv_status plan_batches(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                    struct gcv_error *err)
{
    enum gcv_status status;

    if (ctx->estimator->fit_batch == NULL || batch_limit <= 1 || spec->fit_timeout > 0)
        return GCV_OK;
    status = plan_units(ctx, spec, batch_limit, "batches", err);
    ctx->batched = status == GCV_OK;
    return status;
}

/* Checks the spec's "threshold" against the estimator and, when data is
 * given, the classes of y: tuning needs a binary classifier with decision
 * values or probabilities, and a scorer of predicted labels. */
static enum gcv_status check_threshold(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                       const struct gcv_dataset *data, struct gcv_error *err)
{
    const struct gcv_scorer *scorer;
    char classes[1024];

    if (spec->threshold_objective == NULL)
        return GCV_OK;
    if (ctx->estimator->kind != GCV_ESTIMATOR_CLASSIFIER)
        return spec_error(spec, "threshold", err, "tunes the decision threshold of a binary "
                          "classifier, and %s is a regressor; remove threshold", spec->estimator);
    if (ctx->estimator->decision_function == NULL && ctx->estimator->predict_proba == NULL)
        return spec_error(spec, "threshold", err, "needs decision values or probabilities, and "
                          "%s has neither in gridcv; remove threshold", spec->estimator);
    scorer = gcv_scorer_find(spec->threshold_objective);
    if (scorer == NULL || scorer->target != GCV_SCORER_CLASSIFICATION ||
        scorer->needs != GCV_SCORER_NEEDS_LABELS)
        return spec_error(spec, "threshold", err, "objective \"%s\" is not a scorer of "
                          "predicted labels; use one such as \"f1\", \"balanced_accuracy\" or "
                          "\"neg_mean_cost\"", spec->threshold_objective);
    if (strcmp(scorer->name, "neg_mean_cost") == 0 && spec->cost_matrix == NULL)
        return spec_error(spec, "threshold", err, "objective \"neg_mean_cost\" needs "
                          "\"cost_matrix\", such as [[0, 1], [10, 0]]; add it to the spec");
    if (data != NULL && data->n_classes != 2)
        return spec_error(spec, "threshold", err, "tunes the decision threshold of a binary "
                          "classifier, but y has %zu classes; remove threshold", data->n_classes);
    if (data != NULL && scorer->uses_pos_label && ctx->pos_label < 0)
        return spec_error(spec, "threshold", err, "objective \"%s\" needs \"pos_label\", the "
                          "class it scores as positive: y has the classes %s; add \"pos_label\" "
                          "to the spec", scorer->name, class_list(data, classes, sizeof classes));
    ctx->threshold_objective = scorer;
    return GCV_OK;
}

/* Checks that every candidate's setting has predict_proba when a scorer
 * needs it (SVC only with probability=true), so the search stops before
 * any fit. */
static enum gcv_status check_proba_settings(const struct gcv_task_context *ctx,
                                            const struct gcv_spec *spec, struct gcv_error *err)
{
    if (ctx->estimator->check_predict_proba == NULL)
        return GCV_OK;
    for (size_t s = 0; s < ctx->n_scorers; s++) {
        char path[32];

        if (ctx->scorers[s]->needs != GCV_SCORER_NEEDS_PROBA)
            continue;
        if (spec->multimetric)
            snprintf(path, sizeof path, "scoring[%zu]", s);
        else
            snprintf(path, sizeof path, "scoring");
        for (size_t c = 0; c < ctx->n_candidates; c++) {
            struct gcv_error reason = {GCV_OK, ""};

            if (ctx->estimator->check_predict_proba(ctx->candidate_params[c], &reason) == GCV_OK)
                continue;
            return spec_error(spec, path, err, "scorer \"%s\" needs predict_proba, but "
                              "candidate %zu cannot have it: %s", ctx->scorers[s]->name, c,
                              reason.message);
        }
    }
    return GCV_OK;
}

enum gcv_status gcv_task_context_init(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                      const struct gcv_dataset *data,
                                      const struct gcv_fold_plan *plan, struct gcv_error *err)
{
    struct gcv_param_set merged = {0};
    enum gcv_estimator_kind kind;
    enum gcv_status status;

    memset(ctx, 0, sizeof *ctx);
    ctx->data = data;
    ctx->plan = plan;
    if (skip_fits() && plan != NULL)
        gcv_log_warn("GRIDCV_BENCH_SKIP_FITS=1: no model is fitted and every score is 0; "
                     "unset it outside of scripts/bench-dispatch");
    ctx->return_train_score = spec->return_train_score;
    ctx->fit_timeout = spec->fit_timeout;

    if ((status = gcv_task_estimator_kind(spec, &kind, err)) != GCV_OK)
        return status;
    ctx->estimator = gcv_estimator_find(spec->estimator);
    if ((status = find_scorers(ctx, spec, err)) != GCV_OK)
        return status;
    if ((status = check_cost_matrix(ctx, spec, data, err)) != GCV_OK)
        return status;
    if (data != NULL && (status = check_classes(ctx, spec, data, err)) != GCV_OK)
        return status;
    if ((status = check_threshold(ctx, spec, data, err)) != GCV_OK)
        return status;

    ctx->candidate_params = calloc(spec->grid.n_candidates, sizeof *ctx->candidate_params);
    if (ctx->candidate_params == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu candidates",
                             spec->grid.n_candidates);
    ctx->n_candidates = spec->grid.n_candidates;

    if (spec->warm_start)
        status = plan_chains(ctx, spec, err);
    else
        status = plan_batches(ctx, spec, err);
    if (status != GCV_OK) {
        gcv_task_context_free(ctx);
        return status;
    }

    for (size_t c = 0; c < spec->grid.n_candidates; c++) {
        const struct gcv_param_set *grid_values = &spec->grid.candidates[c];

        /* The fixed params first, then the candidate's grid values over
         * them, as GridSearchCV calls set_params on the estimator. */
        for (size_t i = 0; i < spec->params.count && status == GCV_OK; i++)
            status = gcv_param_set_put(&merged, spec->params.items[i].name,
                                       &spec->params.items[i].value, spec->params.items[i].where, err);
        for (size_t i = 0; i < grid_values->count && status == GCV_OK; i++)
            status = gcv_param_set_put(&merged, grid_values->items[i].name,
                                       &grid_values->items[i].value, grid_values->items[i].where, err);
        if (status == GCV_OK)
            status = gcv_estimator_params_parse(ctx->estimator, &merged,
                                                &ctx->candidate_params[c], err);
        gcv_param_set_clear(&merged);
        if (status != GCV_OK) {
            gcv_error_prefix(err, "%s: ", spec->file);
            gcv_task_context_free(ctx);
            return status;
        }
    }
    if ((status = check_proba_settings(ctx, spec, err)) != GCV_OK) {
        gcv_task_context_free(ctx);
        return status;
    }
    return GCV_OK;
}

void gcv_task_context_free(struct gcv_task_context *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->candidate_params != NULL)
        for (size_t c = 0; c < ctx->n_candidates; c++)
            if (ctx->candidate_params[c] != NULL)
                ctx->estimator->params_free(ctx->candidate_params[c]);
    free(ctx->candidate_params);
    free(ctx->chain_previous);
    free(ctx->chain_next);
    memset(ctx, 0, sizeof *ctx);
}

/* Fills a view of rows of the dataset. */
static struct gcv_rows view_rows(const struct gcv_task_context *ctx, const size_t *rows,
                                 size_t n_rows)
{
    struct gcv_rows view = {
        .X = ctx->data->X,
        .n_features = ctx->data->n_features,
        .index = rows,
        .n_rows = n_rows,
        .y_class = ctx->data->y_class,
        .y_value = ctx->data->y_value,
        .n_classes = ctx->data->n_classes,
    };
    return view;
}

/* Fits as gcv_task_fit, telling the estimator a deadline (0 for none), and
 * starting from previous when it is not NULL (fit_from). */
static enum gcv_status fit_until(const struct gcv_task_context *ctx, int32_t candidate,
                                 const size_t *rows, size_t n_rows, double deadline,
                                 const void *previous, void **model, struct gcv_error *err)
{
    struct gcv_rows train = view_rows(ctx, rows, n_rows);

    train.deadline = deadline;
    *model = NULL;
    if (previous != NULL)
        return ctx->estimator->fit_from(ctx->candidate_params[candidate], &train, previous,
                                        model, err);
    return ctx->estimator->fit(ctx->candidate_params[candidate], &train, model, err);
}

enum gcv_status gcv_task_fit(const struct gcv_task_context *ctx, int32_t candidate,
                             const size_t *rows, size_t n_rows, void **model,
                             struct gcv_error *err)
{
    return fit_until(ctx, candidate, rows, n_rows, 0, NULL, model, err);
}

/* Scores rows with the scorers ctx->scorers[first .. first + count) into
 * scores[count], as gcv_task_score describes. */
static enum gcv_status score_rows(const struct gcv_task_context *ctx, const void *model,
                                  const size_t *rows, size_t n_rows, size_t first,
                                  size_t count, double *scores, struct gcv_error *err)
{
    const struct gcv_estimator_ops *estimator = ctx->estimator;
    struct gcv_rows view = view_rows(ctx, rows, n_rows);
    size_t n_classes = ctx->data->n_classes > 0 ? ctx->data->n_classes : 1;
    bool needs_labels = false, needs_decision = false, needs_proba = false;
    double *truth = NULL, *predicted = NULL, *decision = NULL, *proba = NULL;
    int32_t *classes = NULL;  /* [n_classes] the classes the model was fitted on */
    size_t n_fitted = 0;
    struct gcv_scorer_input input;
    struct gcv_error first_failure = {GCV_OK, ""};
    enum gcv_status status = GCV_OK;

    /* Which outputs the scorers read. A threshold scorer reads decision
     * values, or probabilities when the estimator has no decision_function,
     * as scikit-learn's _ThresholdScorer does. */
    for (size_t s = first; s < first + count; s++) {
        enum gcv_scorer_needs needs = ctx->scorers[s]->needs;
        needs_labels = needs_labels || needs == GCV_SCORER_NEEDS_LABELS;
        needs_decision = needs_decision || (needs == GCV_SCORER_NEEDS_THRESHOLD &&
                                            estimator->decision_function != NULL);
        needs_proba = needs_proba || needs == GCV_SCORER_NEEDS_PROBA ||
                      (needs == GCV_SCORER_NEEDS_THRESHOLD && estimator->decision_function == NULL);
    }

    truth = malloc((n_rows + 1) * sizeof *truth);
    classes = malloc(n_classes * sizeof *classes);
    if (needs_labels)
        predicted = malloc((n_rows + 1) * sizeof *predicted);
    if (needs_decision)
        decision = malloc((n_rows + 1) * sizeof *decision);
    if (needs_proba)
        proba = malloc((n_rows * n_classes + 1) * sizeof *proba);
    if (truth == NULL || classes == NULL || (needs_labels && predicted == NULL) ||
        (needs_decision && decision == NULL) || (needs_proba && proba == NULL)) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n_rows);
        goto cleanup;
    }
    for (size_t i = 0; i < n_rows; i++)
        truth[i] = ctx->data->y_class != NULL ? (double)ctx->data->y_class[rows[i]]
                                              : ctx->data->y_value[rows[i]];

    /* Each output once, for every scorer. */
    if (needs_labels && (status = estimator->predict(model, &view, predicted, err)) != GCV_OK)
        goto cleanup;
    if (needs_decision && (status = estimator->decision_function(model, &view, decision, classes,
                                                                  &n_fitted, err)) != GCV_OK)
        goto cleanup;
    if (needs_proba && (status = estimator->predict_proba(model, &view, proba, classes,
                                                          &n_fitted, err)) != GCV_OK)
        goto cleanup;

    input = (struct gcv_scorer_input){
        .n_rows = n_rows,
        .y_true = truth,
        .y_pred = predicted,
        .has_decision_function = needs_decision,
        .decision = needs_decision && n_fitted == 2 ? decision : NULL,
        .proba = proba,
        .classes = needs_decision || needs_proba ? classes : NULL,
        .n_classes = n_fitted,
        .pos_label = ctx->pos_label,
        .pos_label_given = ctx->pos_label_given,
        .cost_matrix = ctx->cost_matrix,
        .n_cost_classes = ctx->n_cost_classes,
    };
    for (size_t s = 0; s < count; s++) {
        struct gcv_error scorer_err = {GCV_OK, ""};

        status = gcv_scorer_score(ctx->scorers[first + s], &input, &scores[s], &scorer_err);
        if (status == GCV_ERR_FIT) {
            scores[s] = NAN;
            if (first_failure.status == GCV_OK)
                first_failure = scorer_err;
            continue;
        }
        if (status != GCV_OK) {
            *err = scorer_err;
            goto cleanup;
        }
    }
    status = GCV_OK;
    if (first_failure.status != GCV_OK)
        status = gcv_error_set(err, GCV_ERR_FIT, "scoring failed: %s", first_failure.message);

cleanup:
    free(proba);
    free(decision);
    free(predicted);
    free(classes);
    free(truth);
    return status;
}

enum gcv_status gcv_task_score(const struct gcv_task_context *ctx, const void *model,
                               const size_t *rows, size_t n_rows, double *scores,
                               struct gcv_error *err)
{
    return score_rows(ctx, model, rows, n_rows, 0, ctx->n_scorers, scores, err);
}

enum gcv_status gcv_task_score_refit(const struct gcv_task_context *ctx, const void *model,
                                     const size_t *rows, size_t n_rows, double *score,
                                     struct gcv_error *err)
{
    return score_rows(ctx, model, rows, n_rows, ctx->refit_scorer, 1, score, err);
}

enum gcv_status gcv_task_predict(const struct gcv_task_context *ctx, const void *model,
                                 const size_t *rows, size_t n_rows, int32_t positive,
                                 double *predicted, double *positive_score, bool *has_score,
                                 struct gcv_error *err)
{
    const struct gcv_estimator_ops *estimator = ctx->estimator;
    struct gcv_rows view = view_rows(ctx, rows, n_rows);
    size_t n_classes = ctx->data->n_classes > 0 ? ctx->data->n_classes : 1;
    double *proba = NULL;    /* [n_rows * n_classes] */
    int32_t *classes = NULL; /* [n_classes] the classes the model was fitted on */
    size_t n_fitted = 0;
    enum gcv_status status;

    if (has_score != NULL)
        *has_score = false;
    if ((status = estimator->predict(model, &view, predicted, err)) != GCV_OK)
        return status;
    if (positive_score == NULL || ctx->data->y_class == NULL ||
        (estimator->decision_function == NULL && estimator->predict_proba == NULL))
        return GCV_OK;

    classes = malloc(n_classes * sizeof *classes);
    if (estimator->decision_function == NULL)
        proba = malloc((n_rows * n_classes + 1) * sizeof *proba);
    if (classes == NULL || (estimator->decision_function == NULL && proba == NULL)) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n_rows);
        goto cleanup;
    }

    /* Decision values are positive for classes[1], so the lower class
     * scores their negation. */
    if (estimator->decision_function != NULL) {
        status = estimator->decision_function(model, &view, positive_score, classes, &n_fitted,
                                              err);
        if (status != GCV_OK || n_fitted != 2 || (classes[0] != positive && classes[1] != positive))
            goto cleanup;
        if (classes[0] == positive)
            for (size_t i = 0; i < n_rows; i++)
                positive_score[i] = -positive_score[i];
        *has_score = true;
        goto cleanup;
    }
    status = estimator->predict_proba(model, &view, proba, classes, &n_fitted, err);
    if (status != GCV_OK || n_fitted != 2 || (classes[0] != positive && classes[1] != positive))
        goto cleanup;
    for (size_t i = 0; i < n_rows; i++)
        positive_score[i] = proba[i * n_fitted + (classes[0] == positive ? 0 : 1)];
    *has_score = true;

cleanup:
    free(proba);
    free(classes);
    return status;
}

void gcv_task_run(const struct gcv_task_context *ctx, int32_t candidate, int32_t fold,
                  struct gcv_task_result *out)
{
    gcv_task_run_from(ctx, candidate, fold, NULL, NULL, out);
}

/* Starts out for task (candidate, fold): no scores yet. Returns true when
 * fits are skipped (skip_fits), with zero scores in out. */
static bool result_start(const struct gcv_task_context *ctx, int32_t candidate, int32_t fold,
                         struct gcv_task_result *out)
{
    memset(out, 0, sizeof *out);
    out->candidate = candidate;
    out->fold = fold;
    for (size_t s = 0; s < GCV_MAX_SCORERS; s++)
        out->test_scores[s] = out->train_scores[s] = NAN;
    if (!skip_fits())
        return false;
    for (size_t s = 0; s < ctx->n_scorers; s++)
        out->test_scores[s] = out->train_scores[s] = 0.0;
    out->status = GCV_OK;
    return true;
}

/* Finishes out after its fit on fold ended with status and err (and
 * out->fit_time set): a fit past fit_timeout fails, a successful one
 * passes on its warning and is scored. Returns true when the fit
 * succeeded; model stays the caller's. */
static bool result_finish(const struct gcv_task_context *ctx, int32_t fold, const void *model,
                          enum gcv_status status, struct gcv_error *err,
                          struct gcv_task_result *out)
{
    const struct gcv_fold *split = &ctx->plan->folds[fold];
    bool scored = false;   /* the scores of the scorers that succeeded are kept */
    bool fitted = false;
    double start;
    enum gcv_status train_status;

    /* A fit past fit_timeout fails, whether its solver saw the deadline or
     * finished late (an estimator may check it rarely or never). */
    if (ctx->fit_timeout > 0 && (status == GCV_ERR_TIMEOUT ||
                                 (status == GCV_OK && out->fit_time > ctx->fit_timeout)))
        status = gcv_error_set(err, GCV_ERR_FIT, "fit exceeded fit_timeout of %g s",
                               ctx->fit_timeout);
    if (status != GCV_OK)
        goto cleanup;
    fitted = true;

    /* A fit that succeeded with a warning (a ConvergenceWarning) keeps its
     * model and scores, as in scikit-learn; the text travels in message. */
    if (ctx->estimator->fit_warning != NULL && ctx->estimator->fit_warning(model) != NULL)
        snprintf(out->message, sizeof out->message, "%s", ctx->estimator->fit_warning(model));

    /* A scorer that fails gets error_score alone, as in scikit-learn's
     * multi-metric scoring, and the training rows are scored regardless. */
    start = gcv_task_clock();
    status = gcv_task_score(ctx, model, split->test, split->n_test, out->test_scores, err);
    out->score_time = gcv_task_clock() - start;
    scored = status == GCV_OK || status == GCV_ERR_FIT;
    if (scored && ctx->return_train_score) {
        struct gcv_error train_err = {GCV_OK, ""};

        train_status = gcv_task_score(ctx, model, split->train, split->n_train,
                                      out->train_scores, &train_err);
        scored = train_status == GCV_OK || train_status == GCV_ERR_FIT;
        if (status == GCV_OK || !scored) {
            status = train_status;
            *err = train_err;
        }
    }

cleanup:
    if (status != GCV_OK) {
        for (size_t s = 0; s < GCV_MAX_SCORERS && !scored; s++)
            out->test_scores[s] = out->train_scores[s] = NAN;
        snprintf(out->message, sizeof out->message, "%.*s", (int)sizeof out->message - 1,
                 err->message);
    }
    out->status = (int32_t)status;
    return fitted;
}

void gcv_task_run_from(const struct gcv_task_context *ctx, int32_t candidate, int32_t fold,
                       const void *previous, void **keep, struct gcv_task_result *out)
{
    const struct gcv_fold *split = &ctx->plan->folds[fold];
    struct gcv_error err = {GCV_OK, ""};
    void *model = NULL;
    double start;
    enum gcv_status status;

    if (keep != NULL)
        *keep = NULL;
    if (result_start(ctx, candidate, fold, out))
        return;
    start = gcv_task_clock();
    status = fit_until(ctx, candidate, split->train, split->n_train,
                       ctx->fit_timeout > 0 ? start + ctx->fit_timeout : 0, previous, &model,
                       &err);
    out->fit_time = gcv_task_clock() - start;
    out->warm_start = previous != NULL;
    if (result_finish(ctx, fold, model, status, &err, out) && keep != NULL) {
        *keep = model;
        return;
    }
    if (model != NULL)
        ctx->estimator->model_free(model);
}

void gcv_task_run_batch(const struct gcv_task_context *ctx, const int32_t *candidates, size_t n,
                        int32_t fold, struct gcv_task_result *out)
{
    const struct gcv_fold *split = &ctx->plan->folds[fold];
    struct gcv_rows train = view_rows(ctx, split->train, split->n_train);
    const void **params = calloc(n > 0 ? n : 1, sizeof *params);          /* [n] */
    void **models = calloc(n > 0 ? n : 1, sizeof *models);                /* [n] */
    enum gcv_status *statuses = calloc(n > 0 ? n : 1, sizeof *statuses);  /* [n] */
    struct gcv_error *errors = calloc(n > 0 ? n : 1, sizeof *errors);     /* [n] */
    struct gcv_error err = {GCV_OK, ""};
    double start, share;
    enum gcv_status status;

    if (n == 0 || result_start(ctx, candidates[0], fold, &out[0])) {
        for (size_t i = 1; i < n; i++)
            result_start(ctx, candidates[i], fold, &out[i]);
        goto cleanup;
    }

    /* Without memory for the batch, each task runs alone. */
    if (params == NULL || models == NULL || statuses == NULL || errors == NULL) {
        for (size_t i = 0; i < n; i++)
            gcv_task_run(ctx, candidates[i], fold, &out[i]);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        params[i] = ctx->candidate_params[candidates[i]];
    start = gcv_task_clock();
    status = ctx->estimator->fit_batch(params, n, &train, models, statuses, errors, &err);
    share = (gcv_task_clock() - start) / (double)n;
    for (size_t i = 0; i < n; i++) {
        result_start(ctx, candidates[i], fold, &out[i]);
        out[i].fit_time = share;
        if (status != GCV_OK) {
            statuses[i] = status;
            errors[i] = err;
        }
        result_finish(ctx, fold, models[i], statuses[i], &errors[i], &out[i]);
        if (models[i] != NULL)
            ctx->estimator->model_free(models[i]);
    }

cleanup:
    free(params);
    free(models);
    free(statuses);
    free(errors);
}
