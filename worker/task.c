#include "task.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Finds the scorer the spec names, or the estimator's default. */
static enum gcv_status find_scorer(struct gcv_task_context *ctx, const struct gcv_spec *spec,
                                   struct gcv_error *err)
{
    enum gcv_scorer_target target = ctx->estimator->kind == GCV_ESTIMATOR_CLASSIFIER
                                        ? GCV_SCORER_CLASSIFICATION
                                        : GCV_SCORER_REGRESSION;
    const struct gcv_scorer *scorer;
    char names[256];
    int line = 0, column = 0;

    if (spec->scoring == NULL) {
        ctx->scorers[0] = gcv_scorer_default(target);
        ctx->n_scorers = 1;
        return GCV_OK;
    }

    scorer = gcv_scorer_find(spec->scoring);
    if (scorer != NULL && scorer->target == target) {
        ctx->scorers[0] = scorer;
        ctx->n_scorers = 1;
        return GCV_OK;
    }
    gcv_scorer_list_names(target, names, sizeof names);
    gcv_spec_locate(spec->text, "scoring", &line, &column);
    return gcv_error_set(err, GCV_ERR_SPEC, "%s: scoring (line %d column %d): %s \"%s\" for "
                         "the %s %s; accepted: %s", spec->file, line, column,
                         scorer == NULL ? "unknown scorer" : "cannot use scorer", spec->scoring,
                         target == GCV_SCORER_CLASSIFICATION ? "classifier" : "regressor",
                         spec->estimator, names);
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
    ctx->return_train_score = spec->return_train_score;
    ctx->fit_timeout = spec->fit_timeout;

    if ((status = gcv_task_estimator_kind(spec, &kind, err)) != GCV_OK)
        return status;
    ctx->estimator = gcv_estimator_find(spec->estimator);
    if ((status = find_scorer(ctx, spec, err)) != GCV_OK)
        return status;

    ctx->candidate_params = calloc(spec->grid.n_candidates, sizeof *ctx->candidate_params);
    if (ctx->candidate_params == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu candidates",
                             spec->grid.n_candidates);
    ctx->n_candidates = spec->grid.n_candidates;

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

/* Fits as gcv_task_fit, telling the estimator a deadline (0 for none). */
static enum gcv_status fit_until(const struct gcv_task_context *ctx, int32_t candidate,
                                 const size_t *rows, size_t n_rows, double deadline,
                                 void **model, struct gcv_error *err)
{
    struct gcv_rows train = view_rows(ctx, rows, n_rows);

    train.deadline = deadline;
    *model = NULL;
    return ctx->estimator->fit(ctx->candidate_params[candidate], &train, model, err);
}

enum gcv_status gcv_task_fit(const struct gcv_task_context *ctx, int32_t candidate,
                             const size_t *rows, size_t n_rows, void **model,
                             struct gcv_error *err)
{
    return fit_until(ctx, candidate, rows, n_rows, 0, model, err);
}

enum gcv_status gcv_task_score(const struct gcv_task_context *ctx, const void *model,
                               const size_t *rows, size_t n_rows, double *scores,
                               struct gcv_error *err)
{
    struct gcv_rows view = view_rows(ctx, rows, n_rows);
    double *predicted = malloc((n_rows + 1) * sizeof *predicted);
    double *truth = malloc((n_rows + 1) * sizeof *truth);
    enum gcv_status status;

    if (predicted == NULL || truth == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n_rows);
        goto cleanup;
    }
    if ((status = ctx->estimator->predict(model, &view, predicted, err)) != GCV_OK)
        goto cleanup;

    for (size_t i = 0; i < n_rows; i++)
        truth[i] = ctx->data->y_class != NULL ? (double)ctx->data->y_class[rows[i]]
                                              : ctx->data->y_value[rows[i]];
    for (size_t s = 0; s < ctx->n_scorers; s++) {
        struct gcv_scorer_input input = {
            .n_rows = n_rows, .y_true = truth, .y_pred = predicted, .pos_label = -1};
        status = gcv_scorer_score(ctx->scorers[s], &input, &scores[s], err);
        if (status != GCV_OK)
            goto cleanup;
    }

cleanup:
    free(truth);
    free(predicted);
    return status;
}

void gcv_task_run(const struct gcv_task_context *ctx, int32_t candidate, int32_t fold,
                  struct gcv_task_result *out)
{
    const struct gcv_fold *split = &ctx->plan->folds[fold];
    struct gcv_error err = {GCV_OK, ""};
    void *model = NULL;
    double start;
    enum gcv_status status;

    memset(out, 0, sizeof *out);
    out->candidate = candidate;
    out->fold = fold;
    for (size_t s = 0; s < GCV_MAX_SCORERS; s++)
        out->test_scores[s] = out->train_scores[s] = NAN;

    start = gcv_task_clock();
    status = fit_until(ctx, candidate, split->train, split->n_train,
                       ctx->fit_timeout > 0 ? start + ctx->fit_timeout : 0, &model, &err);
    out->fit_time = gcv_task_clock() - start;

    /* A fit past fit_timeout fails, whether its solver saw the deadline or
     * finished late (an estimator may check it rarely or never). */
    if (ctx->fit_timeout > 0 && (status == GCV_ERR_TIMEOUT ||
                                 (status == GCV_OK && out->fit_time > ctx->fit_timeout)))
        status = gcv_error_set(&err, GCV_ERR_FIT, "fit exceeded fit_timeout of %g s",
                               ctx->fit_timeout);
    if (status != GCV_OK)
        goto cleanup;

    /* A fit that succeeded with a warning (a ConvergenceWarning) keeps its
     * model and scores, as in scikit-learn; the text travels in message. */
    if (ctx->estimator->fit_warning != NULL && ctx->estimator->fit_warning(model) != NULL)
        snprintf(out->message, sizeof out->message, "%s", ctx->estimator->fit_warning(model));

    start = gcv_task_clock();
    status = gcv_task_score(ctx, model, split->test, split->n_test, out->test_scores, &err);
    out->score_time = gcv_task_clock() - start;
    if (status == GCV_OK && ctx->return_train_score)
        status = gcv_task_score(ctx, model, split->train, split->n_train, out->train_scores, &err);

cleanup:
    if (status != GCV_OK) {
        for (size_t s = 0; s < GCV_MAX_SCORERS; s++)
            out->test_scores[s] = out->train_scores[s] = NAN;
        snprintf(out->message, sizeof out->message, "%s", err.message);
    }
    out->status = (int32_t)status;
    if (model != NULL)
        ctx->estimator->model_free(model);
}
