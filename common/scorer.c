#include "scorer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* accuracy_score: the fraction of rows predicted exactly. */
static enum gcv_status score_accuracy(const double *y_true, const double *y_pred, size_t n,
                                      double *out, struct gcv_error *err)
{
    size_t correct = 0;

    if (n == 0)
        return gcv_error_set(err, GCV_ERR_FIT, "accuracy of an empty test fold is undefined");
    for (size_t i = 0; i < n; i++)
        correct += y_true[i] == y_pred[i];
    *out = (double)correct / (double)n;
    return GCV_OK;
}

/* r2_score: 1 - sum((y - y_pred)^2) / sum((y - mean(y))^2), with
 * scikit-learn 1.2's values for a constant y_true (1.0 when the prediction
 * is exact, else 0.0). Sums are numpy's pairwise sums, as in the
 * reference. */
static enum gcv_status score_r2(const double *y_true, const double *y_pred, size_t n,
                                double *out, struct gcv_error *err)
{
    double *squares;
    double numerator, denominator, mean;

    if (n < 2)
        return gcv_error_set(err, GCV_ERR_FIT, "r2 needs at least two test rows, got %zu", n);
    squares = malloc(n * sizeof *squares);
    if (squares == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring r2");

    for (size_t i = 0; i < n; i++)
        squares[i] = (y_true[i] - y_pred[i]) * (y_true[i] - y_pred[i]);
    numerator = gcv_stats_sum(squares, n, 1);
    mean = gcv_stats_mean(y_true, n, 1);
    for (size_t i = 0; i < n; i++)
        squares[i] = (y_true[i] - mean) * (y_true[i] - mean);
    denominator = gcv_stats_sum(squares, n, 1);
    free(squares);

    if (denominator == 0.0)
        *out = numerator == 0.0 ? 1.0 : 0.0;
    else
        *out = 1.0 - numerator / denominator;
    return GCV_OK;
}

static const struct gcv_scorer scorers[] = {
    {"accuracy", GCV_SCORER_CLASSIFICATION, score_accuracy},
    {"r2", GCV_SCORER_REGRESSION, score_r2},
};

#define N_SCORERS (sizeof scorers / sizeof scorers[0])

const struct gcv_scorer *gcv_scorer_find(const char *name)
{
    for (size_t i = 0; i < N_SCORERS; i++)
        if (strcmp(scorers[i].name, name) == 0)
            return &scorers[i];
    return NULL;
}

const struct gcv_scorer *gcv_scorer_default(enum gcv_scorer_target target)
{
    return gcv_scorer_find(target == GCV_SCORER_CLASSIFICATION ? "accuracy" : "r2");
}

void gcv_scorer_list_names(enum gcv_scorer_target target, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < N_SCORERS && used < len; i++) {
        if (scorers[i].target != target)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
                                 scorers[i].name);
    }
}
