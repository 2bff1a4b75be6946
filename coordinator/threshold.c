/* Tuning of the refit model's decision threshold; see threshold.h. */
#include "threshold.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Scores the labels of threshold t (positive when score >= t) into *value. */
static enum gcv_status score_threshold(const struct gcv_scorer *objective,
                                       const struct gcv_scorer_input *input, const double *score,
                                       double t, int32_t positive, int32_t negative,
                                       double *labels, double *value, struct gcv_error *err)
{
    for (size_t i = 0; i < input->n_rows; i++)
        labels[i] = score[i] >= t ? (double)positive : (double)negative;
    return gcv_scorer_score(objective, input, value, err);
}

/* Sets *cost to the mean cost of labels under the input's cost matrix. */
static enum gcv_status mean_cost(const struct gcv_scorer_input *base, const double *labels,
                                 double *cost, struct gcv_error *err)
{
    const struct gcv_scorer *scorer = gcv_scorer_find("neg_mean_cost");
    struct gcv_scorer_input input = *base;
    double negated;
    enum gcv_status status;

    input.y_pred = labels;
    if ((status = gcv_scorer_score(scorer, &input, &negated, err)) != GCV_OK)
        return status;
    *cost = -negated;
    return GCV_OK;
}

enum gcv_status gcv_threshold_pick(const struct gcv_scorer *objective,
                                   const struct gcv_scorer_input *base, const double *y_true,
                                   const double *score, const double *y_default, size_t n,
                                   int32_t positive, int32_t negative, double default_threshold,
                                   struct gcv_threshold_result *out, struct gcv_error *err)
{
    double *sorted = malloc((n + 1) * sizeof *sorted); /* [m] distinct scores, ascending */
    double *labels = malloc((n + 1) * sizeof *labels); /* [n] labels of one candidate */
    struct gcv_scorer_input input = *base;
    double best_t = default_threshold, best_value = -INFINITY;
    size_t m = 0;
    enum gcv_status status;

    if (sorted == NULL || labels == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory tuning the threshold on %zu "
                               "rows", n);
        goto cleanup;
    }
    input.n_rows = n;
    input.y_true = y_true;
    input.y_pred = labels;
    out->positive = positive;
    out->negative = negative;
    out->default_threshold = default_threshold;
    out->n_rows = n;

    /* predict's own labels are the score to beat. */
    input.y_pred = y_default;
    if ((status = gcv_scorer_score(objective, &input, &out->default_score, err)) != GCV_OK)
        goto cleanup;
    input.y_pred = labels;

    /* The distinct scores, ascending; NaN scores never count as positive
     * and take no part in the candidates. */
    for (size_t i = 0; i < n; i++)
        if (!isnan(score[i]))
            sorted[m++] = score[i];
    qsort(sorted, m, sizeof *sorted, compare_doubles);
    {
        size_t distinct = 0;
        for (size_t i = 0; i < m; i++)
            if (distinct == 0 || sorted[i] != sorted[distinct - 1])
                sorted[distinct++] = sorted[i];
        m = distinct;
    }

    /* Every candidate: j = 0 cuts below the smallest score, j = m above
     * the largest, and 0 < j < m between sorted[j - 1] and sorted[j]. With
     * more than GCV_THRESHOLD_MAX_CUTS of them, evenly spaced ones among
     * them, both ends included. */
    const size_t n_cuts = m + 1 <= GCV_THRESHOLD_MAX_CUTS ? m + 1 : GCV_THRESHOLD_MAX_CUTS;
    for (size_t k = 0; k < n_cuts && m > 0; k++) {
        const size_t j = n_cuts == m + 1 ? k : (size_t)((double)k * (double)m /
                                                          (double)(n_cuts - 1) + 0.5);
        double t, value;
        struct gcv_error ignored = {GCV_OK, ""};

        if (j == 0)
            t = sorted[0];
        else if (j == m)
            t = nextafter(sorted[m - 1], INFINITY);
        else {
            t = sorted[j - 1] + (sorted[j] - sorted[j - 1]) / 2;
            if (!(t > sorted[j - 1]))
                t = sorted[j];
        }
        /* A candidate the objective cannot score (a scorer that is
         * undefined for one predicted class) is skipped. */
        status = score_threshold(objective, &input, score, t, positive, negative, labels, &value,
                                 &ignored);
        if (status == GCV_ERR_NOMEM) {
            *err = ignored;
            goto cleanup;
        }
        if (status != GCV_OK || isnan(value))
            continue;
        if (value > best_value ||
            (value == best_value && fabs(t - default_threshold) < fabs(best_t - default_threshold))) {
            best_value = value;
            best_t = t;
        }
    }
    status = GCV_OK;

    out->improved = best_value > out->default_score;
    out->threshold = out->improved ? best_t : default_threshold;
    out->tuned_score = out->improved ? best_value : out->default_score;

    /* The mean cost of both label sets, when the spec gives a cost matrix. */
    out->has_cost = base->cost_matrix != NULL;
    if (out->has_cost) {
        if ((status = mean_cost(&input, y_default, &out->default_cost, err)) != GCV_OK)
            goto cleanup;
        if (out->improved) {
            for (size_t i = 0; i < n; i++)
                labels[i] = score[i] >= out->threshold ? (double)positive : (double)negative;
            status = mean_cost(&input, labels, &out->tuned_cost, err);
        } else {
            out->tuned_cost = out->default_cost;
        }
    }

cleanup:
    free(sorted);
    free(labels);
    return status;
}

enum gcv_status gcv_threshold_tune(const struct gcv_task_context *ctx, int32_t candidate,
                                   struct gcv_threshold_result *out, struct gcv_error *err)
{
    const struct gcv_fold_plan *plan = ctx->plan;
    const int32_t positive = ctx->pos_label_given ? ctx->pos_label : 1;
    double *y_true = NULL, *y_default = NULL, *score = NULL; /* [n] pooled over the folds */
    size_t n = 0, filled = 0;
    enum gcv_status status = GCV_OK;

    memset(out, 0, sizeof *out);
    for (size_t f = 0; f < plan->n_folds; f++)
        n += plan->folds[f].n_test;
    y_true = malloc((n + 1) * sizeof *y_true);
    y_default = malloc((n + 1) * sizeof *y_default);
    score = malloc((n + 1) * sizeof *score);
    if (y_true == NULL || y_default == NULL || score == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu out-of-fold scores", n);
        goto cleanup;
    }

    /* The best setting refitted on each fold's training rows. */
    for (size_t f = 0; f < plan->n_folds; f++) {
        const struct gcv_fold *fold = &plan->folds[f];
        void *model = NULL;
        bool has_score = false;

        status = gcv_task_fit(ctx, candidate, fold->train, fold->n_train, &model, err);
        if (status == GCV_OK)
            status = gcv_task_predict(ctx, model, fold->test, fold->n_test, positive,
                                      y_default + filled, score + filled, &has_score, err);
        if (model != NULL)
            ctx->estimator->model_free(model);
        if (status != GCV_OK) {
            gcv_error_prefix(err, "fold %zu: ", f);
            goto cleanup;
        }
        if (!has_score) {
            status = gcv_error_set(err, GCV_ERR_FIT, "fold %zu: the model fitted on the fold's "
                                   "training rows gives no score for the positive class, because "
                                   "it was fitted on one class", f);
            goto cleanup;
        }
        for (size_t i = 0; i < fold->n_test; i++)
            y_true[filled + i] = (double)ctx->data->y_class[fold->test[i]];
        filled += fold->n_test;
    }

    /* Decision values cut at 0 for predict, probabilities at 0.5. */
    const struct gcv_scorer_input base = {
        .pos_label = ctx->pos_label,
        .pos_label_given = ctx->pos_label_given,
        .cost_matrix = ctx->cost_matrix,
        .n_cost_classes = ctx->n_cost_classes,
    };
    out->from_proba = ctx->estimator->decision_function == NULL;
    status = gcv_threshold_pick(ctx->threshold_objective, &base, y_true, score, y_default, n,
                                positive, 1 - positive, out->from_proba ? 0.5 : 0.0, out, err);
    if (status != GCV_OK)
        goto cleanup;
    out->objective = ctx->threshold_objective->name;
    out->done = true;

cleanup:
    if (status != GCV_OK)
        gcv_error_prefix(err, "threshold tuning failed: ");
    free(y_true);
    free(y_default);
    free(score);
    return status;
}
