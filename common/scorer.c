/* The scorers of scikit-learn 1.2.1 (sklearn/metrics/_scorer.py). Each one
 * computes its metric as sklearn/metrics/_classification.py, _ranking.py,
 * _regression.py and _base.py do, in numpy's order of operations, so that
 * the scores match scikit-learn's bit for bit on the unit fixtures. Sums go
 * through gcv_stats_sum (numpy's pairwise summation), and counts are exact
 * integers stored in doubles. */
#include "scorer.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stats.h"
#include "suggest.h"

/* Each product is rounded before it is added or divided, as numpy rounds
 * it when it stores a temporary array, so no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---- Labels and counts ------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Writes the sorted distinct values of x[0..n) and, when y is not NULL, of
 * y[0..n) into *labels[*count] (scikit-learn's unique_labels). *labels is
 * owned by the caller. */
static enum gcv_status unique_labels(const double *x, const double *y, size_t n, double **labels,
                                     size_t *count, struct gcv_error *err)
{
    size_t total = y != NULL ? 2 * n : n, k = 0;
    double *values = malloc((total > 0 ? total : 1) * sizeof *values);

    if (values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", n);
    memcpy(values, x, n * sizeof *values);
    if (y != NULL)
        memcpy(values + n, y, n * sizeof *values);
    qsort(values, total, sizeof *values, compare_doubles);
    for (size_t i = 0; i < total; i++)
        if (k == 0 || values[i] != values[k - 1])
            values[k++] = values[i];
    *labels = values;
    *count = k;
    return GCV_OK;
}

/* Returns the position of value in labels[0..count), or count when absent. */
static size_t label_index(const double *labels, size_t count, double value)
{
    size_t low = 0, high = count;

    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (labels[middle] < value)
            low = middle + 1;
        else
            high = middle;
    }
    return low < count && labels[low] == value ? low : count;
}

/* Counts of each label of labels[0..k) over the rows: true positives,
 * predicted rows and true rows (scikit-learn's multilabel_confusion_matrix
 * read as tp, tp + fp and tp + fn). One block, owned by the caller, freed
 * through tp. */
struct label_counts {
    double *tp;        /* [k] */
    double *predicted; /* [k] */
    double *actual;    /* [k] */
};

static enum gcv_status count_labels(const struct gcv_scorer_input *in, const double *labels,
                                    size_t k, struct label_counts *counts, struct gcv_error *err)
{
    double *block = calloc(3 * (k > 0 ? k : 1), sizeof *block);

    if (block == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
    counts->tp = block;
    counts->predicted = block + k;
    counts->actual = block + 2 * k;
    for (size_t i = 0; i < in->n_rows; i++) {
        size_t t = label_index(labels, k, in->y_true[i]);
        size_t p = label_index(labels, k, in->y_pred[i]);
        counts->actual[t] += 1.0;
        counts->predicted[p] += 1.0;
        if (t == p)
            counts->tp[t] += 1.0;
    }
    return GCV_OK;
}

/* numpy.average(values, weights=weights): the sum of the products over
 * the sum of the weights. */
static enum gcv_status weighted_average(const double *values, const double *weights, size_t k,
                                        double *out, struct gcv_error *err)
{
    double *products = malloc((k > 0 ? k : 1) * sizeof *products);

    if (products == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory averaging %zu scores", k);
    for (size_t i = 0; i < k; i++)
        products[i] = values[i] * weights[i];
    *out = gcv_stats_sum(products, k, 1) / gcv_stats_sum(weights, k, 1);
    free(products);
    return GCV_OK;
}

/* ---- Classification from predicted labels ------------------------------- */

/* accuracy_score: the fraction of rows predicted exactly. */
static enum gcv_status score_accuracy(const struct gcv_scorer *scorer,
                                      const struct gcv_scorer_input *in, double *out,
                                      struct gcv_error *err)
{
    size_t correct = 0;

    (void)scorer;
    (void)err;
    for (size_t i = 0; i < in->n_rows; i++)
        correct += in->y_true[i] == in->y_pred[i];
    *out = (double)correct / (double)in->n_rows;
    return GCV_OK;
}

enum gcv_status gcv_scorer_total_cost(const size_t *counts, const double *cost,
                                      size_t n_classes, double *total, struct gcv_error *err)
{
    size_t n = n_classes * n_classes;
    double *products = malloc((n + 1) * sizeof *products);  /* [n] */

    if (products == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a cost matrix of %zu "
                             "classes", n_classes);
    for (size_t k = 0; k < n; k++)
        products[k] = (double)counts[k] * cost[k];
    *total = gcv_stats_sum(products, n, 1);
    free(products);
    return GCV_OK;
}

/* neg_mean_cost: minus the mean cost per row, where a row of class i
 * predicted as class j costs cost_matrix[i][j]. It is the score of
 * make_scorer(lambda y, p: (confusion_matrix(y, p, labels=classes) *
 * cost_matrix).sum() / len(y), greater_is_better=False). */
static enum gcv_status score_mean_cost(const struct gcv_scorer *scorer,
                                       const struct gcv_scorer_input *in, double *out,
                                       struct gcv_error *err)
{
    size_t n = in->n_cost_classes;
    size_t *counts = NULL;  /* [n * n] the confusion matrix, rows true class */
    double total = 0.0;
    enum gcv_status status;

    if (in->cost_matrix == NULL)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "%s needs the spec's cost_matrix",
                             scorer->name);
    counts = calloc(n * n + 1, sizeof *counts);
    if (counts == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %s", scorer->name);
    for (size_t r = 0; r < in->n_rows; r++) {
        size_t i = (size_t)in->y_true[r], j = (size_t)in->y_pred[r];

        if (i >= n || j >= n) {
            free(counts);
            return gcv_error_set(err, GCV_ERR_INTERNAL, "%s: class code %zu is outside the "
                                 "cost matrix of %zu classes", scorer->name, i >= n ? i : j, n);
        }
        counts[i * n + j]++;
    }
    status = gcv_scorer_total_cost(counts, in->cost_matrix, n, &total, err);
    free(counts);
    if (status == GCV_OK)
        *out = -(total / (double)in->n_rows);
    return status;
}

/* balanced_accuracy_score: the mean recall over the labels of y_true.
 * A label that only y_pred has gets no recall, and is left out of the
 * mean with a warning, as in scikit-learn. */
static enum gcv_status score_balanced_accuracy(const struct gcv_scorer *scorer,
                                               const struct gcv_scorer_input *in, double *out,
                                               struct gcv_error *err)
{
    struct label_counts counts = {0};
    double *labels = NULL, *recalls = NULL;
    size_t k, n_kept = 0;
    enum gcv_status status;

    if ((status = unique_labels(in->y_true, in->y_pred, in->n_rows, &labels, &k, err)) != GCV_OK)
        return status;
    if ((status = count_labels(in, labels, k, &counts, err)) != GCV_OK)
        goto cleanup;
    recalls = malloc(k * sizeof *recalls);
    if (recalls == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
        goto cleanup;
    }

    for (size_t j = 0; j < k; j++)
        if (counts.actual[j] > 0)
            recalls[n_kept++] = counts.tp[j] / counts.actual[j];
    if (n_kept < k)
        gcv_log_warn("%s: a scored fold predicts a class that none of its true rows has, so "
                     "that class is left out of the mean recall, as scikit-learn does",
                     scorer->name);
    *out = gcv_stats_mean(recalls, n_kept, 1);

cleanup:
    free(recalls);
    free(counts.tp);
    free(labels);
    return status;
}

/* matthews_corrcoef: the multiclass Matthews correlation coefficient
 * from the confusion matrix over the labels of y_true and
 * y_pred: (c s - t.p) / sqrt((s^2 - p.p)(s^2 - t.t)), with t and p the true
 * and predicted counts per label, c the correct rows and s all rows; 0.0
 * when a factor of the denominator is 0. Every term is an integer. */
static enum gcv_status score_matthews(const struct gcv_scorer *scorer,
                                      const struct gcv_scorer_input *in, double *out,
                                      struct gcv_error *err)
{
    struct label_counts counts = {0};
    double *labels = NULL;
    double correct = 0.0, samples = 0.0, t_dot_p = 0.0, p_dot_p = 0.0, t_dot_t = 0.0;
    double cov_ytyp, cov_ypyp, cov_ytyt;
    size_t k;
    enum gcv_status status;

    (void)scorer;
    if ((status = unique_labels(in->y_true, in->y_pred, in->n_rows, &labels, &k, err)) != GCV_OK)
        return status;
    if ((status = count_labels(in, labels, k, &counts, err)) != GCV_OK)
        goto cleanup;

    for (size_t j = 0; j < k; j++) {
        correct += counts.tp[j];
        samples += counts.predicted[j];
        t_dot_p += counts.actual[j] * counts.predicted[j];
        p_dot_p += counts.predicted[j] * counts.predicted[j];
        t_dot_t += counts.actual[j] * counts.actual[j];
    }
    cov_ytyp = correct * samples - t_dot_p;
    cov_ypyp = samples * samples - p_dot_p;
    cov_ytyt = samples * samples - t_dot_t;
    if (cov_ypyp * cov_ytyt == 0.0)
        *out = 0.0;
    else
        *out = cov_ytyp / sqrt(cov_ytyt * cov_ypyp);

cleanup:
    free(counts.tp);
    free(labels);
    return status;
}

enum prf_metric {
    PRF_PRECISION,
    PRF_RECALL,
    PRF_F1,
    PRF_JACCARD,
};

enum prf_average {
    AVERAGE_BINARY,   /* the positive class alone */
    AVERAGE_MICRO,    /* counts summed over the labels first */
    AVERAGE_MACRO,    /* the plain mean over the labels */
    AVERAGE_WEIGHTED, /* the mean weighted by each label's true rows */
};

#define PRF_VARIANT(metric, average) ((int)(metric) * 4 + (int)(average))

/* Per-label values of metric from the counts of label j, and whether the
 * value divided by zero in a way scikit-learn warns about for this
 * metric. */
static double prf_value(enum prf_metric metric, double tp, double predicted, double actual,
                        bool *undefined)
{
    double precision = predicted > 0 ? tp / predicted : 0.0;
    double recall = actual > 0 ? tp / actual : 0.0;
    double denominator;

    switch (metric) {
    case PRF_PRECISION:
        *undefined = predicted == 0;
        return precision;
    case PRF_RECALL:
        *undefined = actual == 0;
        return recall;
    case PRF_F1:
        /* F-beta with beta = 1: (1 + beta^2) p r / (beta^2 p + r), written
         * as scikit-learn evaluates it. It warns only when a label has
         * neither true nor predicted rows. */
        *undefined = actual == 0 && predicted == 0;
        denominator = precision + recall;
        if (denominator == 0.0)
            denominator = 1.0;
        return 2.0 * precision * recall / denominator;
    case PRF_JACCARD:
        /* tp / (tp + fp + fn), and fp + fn + tp = predicted + actual - tp. */
        denominator = tp + (predicted - tp) + (actual - tp);
        *undefined = denominator == 0;
        return denominator > 0 ? tp / denominator : 0.0;
    }
    *undefined = false;
    return 0.0;
}

static void warn_prf(const struct gcv_scorer *scorer, enum prf_metric metric)
{
    static const char *const reasons[] = {
        [PRF_PRECISION] = "no predicted rows, so its precision",
        [PRF_RECALL] = "no true rows, so its recall",
        [PRF_F1] = "neither true nor predicted rows, so its F1 score",
        [PRF_JACCARD] = "neither true nor predicted rows, so its Jaccard score",
    };
    gcv_log_warn("%s: a scored fold has a class with %s is set to 0.0, as scikit-learn does "
                 "(UndefinedMetricWarning)", scorer->name, reasons[metric]);
}

/* precision_score, recall_score, f1_score and jaccard_score with
 * zero_division="warn" (precision_recall_fscore_support and jaccard_score
 * in sklearn/metrics/_classification.py). The labels are those of y_true
 * and y_pred together. The binary average scores the positive class alone
 * and raises, as scikit-learn does, when those labels are more than two or
 * are two without the positive class. */
static enum gcv_status score_prf(const struct gcv_scorer *scorer,
                                 const struct gcv_scorer_input *in, double *out,
                                 struct gcv_error *err)
{
    enum prf_metric metric = (enum prf_metric)(scorer->variant / 4);
    enum prf_average average = (enum prf_average)(scorer->variant % 4);
    struct label_counts counts = {0};
    double *labels = NULL, *values = NULL;
    double tp = 0.0, predicted = 0.0, actual = 0.0, weight_sum = 0.0;
    size_t k, positive;
    bool undefined = false, any_undefined = false;
    enum gcv_status status;

    if ((status = unique_labels(in->y_true, in->y_pred, in->n_rows, &labels, &k, err)) != GCV_OK)
        return status;
    if ((status = count_labels(in, labels, k, &counts, err)) != GCV_OK)
        goto cleanup;

    if (average == AVERAGE_BINARY) {
        if (k > 2) {
            status = gcv_error_set(err, GCV_ERR_FIT, "%s: the scored rows have %zu classes, but "
                                   "the binary average needs two; use %s_macro, %s_micro or "
                                   "%s_weighted", scorer->name, k, scorer->name, scorer->name,
                                   scorer->name);
            goto cleanup;
        }
        if (in->pos_label < 0) {
            status = gcv_error_set(err, GCV_ERR_FIT, "%s needs pos_label: the class whose "
                                   "score is reported", scorer->name);
            goto cleanup;
        }
        positive = label_index(labels, k, (double)in->pos_label);
        if (positive == k && k == 2) {
            status = gcv_error_set(err, GCV_ERR_FIT, "%s: pos_label (class code %d) is not one "
                                   "of the two classes of the scored rows", scorer->name,
                                   (int)in->pos_label);
            goto cleanup;
        }
        /* A positive class absent from the rows has all counts 0. */
        if (positive < k) {
            tp = counts.tp[positive];
            predicted = counts.predicted[positive];
            actual = counts.actual[positive];
        }
        *out = prf_value(metric, tp, predicted, actual, &undefined);
        if (undefined)
            warn_prf(scorer, metric);
        goto cleanup;
    }

    if (average == AVERAGE_MICRO) {
        for (size_t j = 0; j < k; j++) {
            tp += counts.tp[j];
            predicted += counts.predicted[j];
            actual += counts.actual[j];
        }
        *out = prf_value(metric, tp, predicted, actual, &undefined);
        if (undefined)
            warn_prf(scorer, metric);
        goto cleanup;
    }

    values = malloc(k * sizeof *values);
    if (values == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
        goto cleanup;
    }
    for (size_t j = 0; j < k; j++) {
        values[j] = prf_value(metric, counts.tp[j], counts.predicted[j], counts.actual[j],
                              &undefined);
        any_undefined = any_undefined || undefined;
        weight_sum += counts.actual[j];
    }
    if (any_undefined)
        warn_prf(scorer, metric);

    /* Weighted by true rows; with none at all, precision, recall and F1
     * are 0.0 and Jaccard takes the plain mean, as in scikit-learn. */
    if (average == AVERAGE_MACRO || (weight_sum == 0.0 && metric == PRF_JACCARD))
        *out = gcv_stats_mean(values, k, 1);
    else if (weight_sum == 0.0)
        *out = 0.0;
    else
        status = weighted_average(values, counts.actual, k, out, err);

cleanup:
    free(values);
    free(counts.tp);
    free(labels);
    return status;
}

/* ---- Ranking: ROC AUC and average precision ----------------------------- */

struct ranked_row {
    double score;
    size_t row;
};

/* Greatest score first. Among equal scores the later row comes first, as
 * numpy's stable argsort reversed orders them; only the groups of equal
 * scores matter for the curves. */
static int compare_ranked(const void *a, const void *b)
{
    const struct ranked_row *x = a, *y = b;

    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->row < y->row) - (x->row > y->row);
}

/* The points of scikit-learn's _binary_clf_curve: for each distinct score,
 * greatest first, the positive rows tps[i] and negative rows fps[i] scored
 * at least that. *tps and *fps ([*n_points] each, one block freed through
 * *tps) are owned by the caller. Fails for a non-finite score. */
static enum gcv_status binary_curve(const char *name, const bool *positive, const double *score,
                                    size_t n, double **tps, double **fps, size_t *n_points,
                                    struct gcv_error *err)
{
    struct ranked_row *ranked = malloc((n > 0 ? n : 1) * sizeof *ranked);
    double *block = malloc(2 * (n > 0 ? n : 1) * sizeof *block);
    double positives = 0.0;
    size_t m = 0;

    *tps = NULL;
    if (ranked == NULL || block == NULL) {
        free(ranked);
        free(block);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(score[i])) {
            free(ranked);
            free(block);
            return gcv_error_set(err, GCV_ERR_FIT, "%s: the score of row %zu is not finite",
                                 name, i);
        }
        ranked[i].score = score[i];
        ranked[i].row = i;
    }
    qsort(ranked, n, sizeof *ranked, compare_ranked);

    for (size_t i = 0; i < n; i++) {
        positives += positive[ranked[i].row] ? 1.0 : 0.0;
        if (i + 1 == n || ranked[i + 1].score != ranked[i].score) {
            block[m] = positives;
            block[n + m] = (double)(i + 1) - positives;
            m++;
        }
    }
    memmove(block + m, block + n, m * sizeof *block);
    free(ranked);
    *tps = block;
    *fps = block + m;
    *n_points = m;
    return GCV_OK;
}


/* _binary_roc_auc_score: the area under roc_curve's curve with
 * drop_intermediate=True (the points where neither count changes its step
 * are dropped), by numpy's trapezoid rule. Fails unless both classes
 * occur, as scikit-learn does. */
static enum gcv_status binary_roc_auc(const char *name, const bool *positive,
                                      const double *score, size_t n, double *out,
                                      struct gcv_error *err)
{
    double *tps = NULL, *fps, *fpr, *tpr, *terms;
    size_t m, q = 0, n_positive = 0;
    enum gcv_status status;

    for (size_t i = 0; i < n; i++)
        n_positive += positive[i];
    if (n_positive == 0 || n_positive == n)
        return gcv_error_set(err, GCV_ERR_FIT, "%s: only one class is present in the scored "
                             "rows, so ROC AUC is undefined", name);
    if ((status = binary_curve(name, positive, score, n, &tps, &fps, &m, err)) != GCV_OK)
        return status;
    fpr = malloc(3 * (m + 1) * sizeof *fpr);
    if (fpr == NULL) {
        free(tps);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", n);
    }
    tpr = fpr + (m + 1);
    terms = tpr + (m + 1);

    /* The rates from (0, 0) through the kept points. */
    fpr[q] = 0.0;
    tpr[q++] = 0.0;
    for (size_t i = 0; i < m; i++) {
        bool bends = m <= 2 || i == 0 || i + 1 == m ||
                     (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) != 0.0 ||
                     (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) != 0.0;
        if (bends) {
            fpr[q] = fps[i] / fps[m - 1];
            tpr[q++] = tps[i] / tps[m - 1];
        }
    }

    /* numpy.trapz(tpr, fpr): diff(x) * (y[1:] + y[:-1]) / 2, summed. */
    for (size_t i = 0; i + 1 < q; i++)
        terms[i] = (fpr[i + 1] - fpr[i]) * (tpr[i + 1] + tpr[i]) / 2.0;
    *out = gcv_stats_sum(terms, q - 1, 1);

    free(fpr);
    free(tps);
    return GCV_OK;
}

/* average_precision_score of one binary problem: the step integral
 * -sum(diff(recall) * precision[:-1]) of precision_recall_curve, whose
 * points run from the lowest threshold up and end at (recall 0, precision
 * 1). Without a positive row, recall is 1.0 at every threshold, with
 * scikit-learn's warning. */
static enum gcv_status binary_average_precision(const char *name, const bool *positive,
                                                const double *score, size_t n, double *out,
                                                struct gcv_error *err)
{
    double *tps = NULL, *fps, *precision, *recall, *terms;
    size_t m;
    enum gcv_status status;

    if ((status = binary_curve(name, positive, score, n, &tps, &fps, &m, err)) != GCV_OK)
        return status;
    precision = malloc(3 * (m + 1) * sizeof *precision);
    if (precision == NULL) {
        free(tps);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", n);
    }
    recall = precision + (m + 1);
    terms = recall + (m + 1);

    if (tps[m - 1] == 0.0)
        gcv_log_warn("%s: a scored fold has no row of the positive class, so recall is set to "
                     "1.0 at every threshold, as scikit-learn does", name);
    /* Reversed, lowest threshold first, then the closing point. */
    for (size_t j = 0; j < m; j++) {
        size_t i = m - 1 - j;
        precision[j] = tps[i] / (tps[i] + fps[i]);
        recall[j] = tps[m - 1] == 0.0 ? 1.0 : tps[i] / tps[m - 1];
    }
    precision[m] = 1.0;
    recall[m] = 0.0;
    for (size_t j = 0; j < m; j++)
        terms[j] = (recall[j + 1] - recall[j]) * precision[j];
    *out = -gcv_stats_sum(terms, m, 1);

    free(precision);
    free(tps);
    return GCV_OK;
}

/* ---- Continuous outputs ------------------------------------------------- */

/* Returns the column of the positive class in the predict_proba of a
 * model fitted on two classes, as scikit-learn's _select_proba_binary
 * picks it: pos_label's for a scorer that takes pos_label when the spec
 * sets it, else classes_[1]. */
static enum gcv_status binary_proba_column(const struct gcv_scorer *scorer,
                                           const struct gcv_scorer_input *in, size_t *column,
                                           struct gcv_error *err)
{
    if (in->n_classes != 2)
        return gcv_error_set(err, GCV_ERR_FIT, "%s: predict_proba has %zu columns, but a "
                             "binary score needs a model fitted on two classes", scorer->name,
                             in->n_classes);
    *column = 1;
    if (scorer->uses_pos_label && in->pos_label_given) {
        if (in->pos_label != in->classes[0] && in->pos_label != in->classes[1])
            return gcv_error_set(err, GCV_ERR_FIT, "%s: pos_label (class code %d) is not a "
                                 "class the model was fitted on", scorer->name,
                                 (int)in->pos_label);
        *column = in->pos_label == in->classes[0] ? 0 : 1;
    }
    return GCV_OK;
}

/* Writes into scores[n_rows] what scikit-learn's _ThresholdScorer passes to
 * its metric for a binary y: the decision values (negated when the spec's
 * pos_label is classes_[0] and the scorer takes pos_label), or, for an
 * estimator without decision_function, the positive class's
 * probabilities. */
static enum gcv_status threshold_scores(const struct gcv_scorer *scorer,
                                        const struct gcv_scorer_input *in, double *scores,
                                        struct gcv_error *err)
{
    size_t column;
    enum gcv_status status;

    if (in->has_decision_function && in->decision == NULL)
        return gcv_error_set(err, GCV_ERR_FIT, "%s needs the decision values of a model fitted "
                             "on two classes, but this model was fitted on %zu", scorer->name,
                             in->n_classes);
    if (in->decision != NULL) {
        bool negate = false;
        if (scorer->uses_pos_label && in->pos_label_given) {
            if (in->pos_label != in->classes[0] && in->pos_label != in->classes[1])
                return gcv_error_set(err, GCV_ERR_FIT, "%s: pos_label (class code %d) is not "
                                     "a class the model was fitted on", scorer->name,
                                     (int)in->pos_label);
            negate = in->pos_label == in->classes[0];
        }
        for (size_t i = 0; i < in->n_rows; i++)
            scores[i] = negate ? -in->decision[i] : in->decision[i];
        return GCV_OK;
    }
    if ((status = binary_proba_column(scorer, in, &column, err)) != GCV_OK)
        return status;
    for (size_t i = 0; i < in->n_rows; i++)
        scores[i] = in->proba[i * in->n_classes + column];
    return GCV_OK;
}

/* The distinct true labels, and scores filled for a threshold scorer after
 * scikit-learn's check that y is binary. Both owned by the caller. */
static enum gcv_status prepare_threshold(const struct gcv_scorer *scorer,
                                         const struct gcv_scorer_input *in, double **labels,
                                         size_t *k, double **scores, struct gcv_error *err)
{
    enum gcv_status status;

    *scores = NULL;
    if ((status = unique_labels(in->y_true, NULL, in->n_rows, labels, k, err)) != GCV_OK)
        return status;
    if (*k > 2)
        return gcv_error_set(err, GCV_ERR_FIT, "%s: the scored rows have %zu classes, but this "
                             "score needs a binary target", scorer->name, *k);
    *scores = malloc(in->n_rows * sizeof **scores);
    if (*scores == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
    return threshold_scores(scorer, in, *scores, err);
}

/* roc_auc (needs_threshold): binary ROC AUC with the greater label of the
 * scored rows as the positive class, whichever class pos_label names,
 * because the area does not depend on it. */
static enum gcv_status score_roc_auc(const struct gcv_scorer *scorer,
                                     const struct gcv_scorer_input *in, double *out,
                                     struct gcv_error *err)
{
    double *labels = NULL, *scores = NULL;
    bool *positive = NULL;
    size_t k;
    enum gcv_status status;

    if ((status = prepare_threshold(scorer, in, &labels, &k, &scores, err)) != GCV_OK)
        goto cleanup;
    positive = malloc(in->n_rows * sizeof *positive);
    if (positive == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
        goto cleanup;
    }
    for (size_t i = 0; i < in->n_rows; i++)
        positive[i] = in->y_true[i] == labels[k - 1];
    status = binary_roc_auc(scorer->name, positive, scores, in->n_rows, out, err);

cleanup:
    free(positive);
    free(scores);
    free(labels);
    return status;
}

/* average_precision (needs_threshold): the positive class is pos_label's,
 * label 1 by default. */
static enum gcv_status score_average_precision(const struct gcv_scorer *scorer,
                                               const struct gcv_scorer_input *in, double *out,
                                               struct gcv_error *err)
{
    double *labels = NULL, *scores = NULL;
    bool *positive = NULL;
    size_t k;
    enum gcv_status status;

    if (in->pos_label < 0)
        return gcv_error_set(err, GCV_ERR_FIT, "%s needs pos_label: the class whose precision "
                             "is averaged", scorer->name);
    if ((status = prepare_threshold(scorer, in, &labels, &k, &scores, err)) != GCV_OK)
        goto cleanup;
    if (k == 2 && label_index(labels, k, (double)in->pos_label) == k) {
        status = gcv_error_set(err, GCV_ERR_FIT, "%s: pos_label (class code %d) is not one of "
                               "the two classes of the scored rows", scorer->name,
                               (int)in->pos_label);
        goto cleanup;
    }
    positive = malloc(in->n_rows * sizeof *positive);
    if (positive == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
        goto cleanup;
    }
    for (size_t i = 0; i < in->n_rows; i++)
        positive[i] = in->y_true[i] == (double)in->pos_label;
    status = binary_average_precision(scorer->name, positive, scores, in->n_rows, out, err);

cleanup:
    free(positive);
    free(scores);
    free(labels);
    return status;
}

/* top_k_accuracy (needs_threshold) as scikit-learn 1.2.1 scores it: its
 * threshold scorer accepts a binary y only, and then k = 2 covers both
 * classes, so a fold with both classes scores 1.0 with a warning, and a
 * fold with one class fails. */
static enum gcv_status score_top_k_accuracy(const struct gcv_scorer *scorer,
                                            const struct gcv_scorer_input *in, double *out,
                                            struct gcv_error *err)
{
    double *labels = NULL, *scores = NULL;
    size_t k;
    enum gcv_status status;

    if ((status = prepare_threshold(scorer, in, &labels, &k, &scores, err)) != GCV_OK)
        goto cleanup;
    if (k != 2) {
        status = gcv_error_set(err, GCV_ERR_FIT, "%s: the scored rows have %zu class, but the "
                               "decision values score 2", scorer->name, k);
        goto cleanup;
    }
    gcv_log_warn("%s: k=2 is not below the 2 classes of y, so every fold scores 1.0, as in "
                 "scikit-learn 1.2.1 (UndefinedMetricWarning)", scorer->name);
    *out = 1.0;

cleanup:
    free(scores);
    free(labels);
    return status;
}

/* The view of predict_proba that scikit-learn's _ProbaScorer passes to its
 * metric: for a binary y and a model fitted on at most two classes, the
 * positive class's column alone (columns 1); otherwise every column. */
struct proba_view {
    double *labels;      /* [n_labels] distinct true labels, owned */
    size_t n_labels;
    double *column;      /* [n_rows] the positive class's probabilities, owned, or NULL */
    const double *proba; /* [n_rows * columns] borrowed from the input */
    size_t columns;
};

static enum gcv_status prepare_proba(const struct gcv_scorer *scorer,
                                     const struct gcv_scorer_input *in, struct proba_view *view,
                                     struct gcv_error *err)
{
    size_t column;
    enum gcv_status status;

    memset(view, 0, sizeof *view);
    view->proba = in->proba;
    view->columns = in->n_classes;
    if ((status = unique_labels(in->y_true, NULL, in->n_rows, &view->labels, &view->n_labels,
                                err)) != GCV_OK)
        return status;
    if (view->n_labels > 2 || in->n_classes > 2)
        return GCV_OK;

    if ((status = binary_proba_column(scorer, in, &column, err)) != GCV_OK)
        return status;
    view->column = malloc(in->n_rows * sizeof *view->column);
    if (view->column == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
    for (size_t i = 0; i < in->n_rows; i++)
        view->column[i] = in->proba[i * in->n_classes + column];
    view->columns = 1;
    return GCV_OK;
}

static void proba_view_free(struct proba_view *view)
{
    free(view->column);
    free(view->labels);
}

enum roc_multiclass {
    ROC_OVR_MACRO,
    ROC_OVR_WEIGHTED,
    ROC_OVO_MACRO,
    ROC_OVO_WEIGHTED,
};

/* _multiclass_roc_auc_score, one-vs-rest: the ROC AUC of each class
 * against the others from its column, averaged plainly or weighted by the
 * class's true rows. */
static enum gcv_status roc_auc_ovr(const struct gcv_scorer *scorer,
                                   const struct gcv_scorer_input *in,
                                   const struct proba_view *view, bool *positive,
                                   double *column, double *out, struct gcv_error *err)
{
    size_t k = view->n_labels;
    double *areas = malloc(2 * k * sizeof *areas);
    double *weights = areas + k;
    enum gcv_status status = GCV_OK;

    if (areas == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
    for (size_t c = 0; c < k && status == GCV_OK; c++) {
        weights[c] = 0.0;
        for (size_t i = 0; i < in->n_rows; i++) {
            positive[i] = in->y_true[i] == view->labels[c];
            weights[c] += positive[i];
            column[i] = view->proba[i * view->columns + c];
        }
        status = binary_roc_auc(scorer->name, positive, column, in->n_rows, &areas[c], err);
    }
    if (status == GCV_OK && scorer->variant == ROC_OVR_WEIGHTED)
        status = weighted_average(areas, weights, k, out, err);
    else if (status == GCV_OK)
        *out = gcv_stats_mean(areas, k, 1);
    free(areas);
    return status;
}

/* _average_multiclass_ovo_score, the one-vs-one average of Hand and Till
 * (2001) that scikit-learn cites. Each pair of classes (a, b) scores the
 * mean of two ROC AUCs over the rows of a and b: a against b from a's
 * column, and b against a from b's column. The pairs are averaged plainly
 * or weighted by their share of the rows. */
static enum gcv_status roc_auc_ovo(const struct gcv_scorer *scorer,
                                   const struct gcv_scorer_input *in,
                                   const struct proba_view *view, bool *positive,
                                   double *column, double *out, struct gcv_error *err)
{
    size_t k = view->n_labels, n_pairs = k * (k - 1) / 2, pair = 0;
    double *pair_areas = malloc(2 * n_pairs * sizeof *pair_areas);
    double *prevalence = pair_areas + n_pairs;
    enum gcv_status status = GCV_OK;

    if (pair_areas == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
    for (size_t a = 0; a < k && status == GCV_OK; a++) {
        for (size_t b = a + 1; b < k && status == GCV_OK; b++, pair++) {
            double area_a = NAN, area_b = NAN;
            size_t m = 0;

            for (size_t i = 0; i < in->n_rows; i++) {
                if (in->y_true[i] == view->labels[a] || in->y_true[i] == view->labels[b]) {
                    positive[m] = in->y_true[i] == view->labels[a];
                    column[m++] = view->proba[i * view->columns + a];
                }
            }
            status = binary_roc_auc(scorer->name, positive, column, m, &area_a, err);
            m = 0;
            for (size_t i = 0; i < in->n_rows && status == GCV_OK; i++) {
                if (in->y_true[i] == view->labels[a] || in->y_true[i] == view->labels[b]) {
                    positive[m] = in->y_true[i] == view->labels[b];
                    column[m++] = view->proba[i * view->columns + b];
                }
            }
            if (status == GCV_OK)
                status = binary_roc_auc(scorer->name, positive, column, m, &area_b, err);
            pair_areas[pair] = (area_a + area_b) / 2;
            prevalence[pair] = (double)m / (double)in->n_rows;
        }
    }
    if (status == GCV_OK && scorer->variant == ROC_OVO_WEIGHTED)
        status = weighted_average(pair_areas, prevalence, n_pairs, out, err);
    else if (status == GCV_OK)
        *out = gcv_stats_mean(pair_areas, n_pairs, 1);
    free(pair_areas);
    return status;
}

/* roc_auc_ovr, roc_auc_ovo and their _weighted forms (needs_proba). On a
 * binary y the probabilities of classes_[1] give the binary ROC AUC. */
static enum gcv_status score_roc_auc_multiclass(const struct gcv_scorer *scorer,
                                                const struct gcv_scorer_input *in, double *out,
                                                struct gcv_error *err)
{
    struct proba_view view;
    bool *positive = NULL;
    double *column = NULL;
    enum gcv_status status;

    if ((status = prepare_proba(scorer, in, &view, err)) != GCV_OK)
        goto cleanup;
    positive = malloc(in->n_rows * sizeof *positive);
    column = malloc(in->n_rows * sizeof *column);
    if (positive == NULL || column == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
        goto cleanup;
    }

    if (view.column != NULL) {
        for (size_t i = 0; i < in->n_rows; i++)
            positive[i] = in->y_true[i] == view.labels[view.n_labels - 1];
        status = binary_roc_auc(scorer->name, positive, view.column, in->n_rows, out, err);
        goto cleanup;
    }

    /* Multiclass: the rows must be probabilities, one column per class of
     * the scored rows (numpy.allclose(1, row sums)). */
    for (size_t i = 0; i < in->n_rows; i++) {
        double sum = gcv_stats_sum(&view.proba[i * view.columns], view.columns, 1);
        if (!(fabs(1.0 - sum) <= 1e-8 + 1e-5 * fabs(sum))) {
            status = gcv_error_set(err, GCV_ERR_FIT, "%s: the probabilities of row %zu sum to "
                                   "%.17g, not 1", scorer->name, i, sum);
            goto cleanup;
        }
    }
    if (view.n_labels != view.columns) {
        status = gcv_error_set(err, GCV_ERR_FIT, "%s: the scored rows have %zu classes, but the "
                               "model was fitted on %zu", scorer->name, view.n_labels,
                               view.columns);
        goto cleanup;
    }
    if (scorer->variant == ROC_OVR_MACRO || scorer->variant == ROC_OVR_WEIGHTED)
        status = roc_auc_ovr(scorer, in, &view, positive, column, out, err);
    else
        status = roc_auc_ovo(scorer, in, &view, positive, column, out, err);

cleanup:
    free(column);
    free(positive);
    proba_view_free(&view);
    return status;
}

/* log_loss, negated (needs_proba): the mean of -log p over the rows, p the
 * probability of the true class after clipping to [eps, 1 - eps] (eps of
 * float64) and dividing each row by its sum. On a binary y the classes_[1]
 * column q gives the rows (1 - q, q). Fails unless the scored rows have
 * as many classes as the model, and at least two. */
static enum gcv_status score_log_loss(const struct gcv_scorer *scorer,
                                      const struct gcv_scorer_input *in, double *out,
                                      struct gcv_error *err)
{
    const double low = DBL_EPSILON, high = 1.0 - DBL_EPSILON;
    struct proba_view view;
    double *losses = NULL, *row = NULL;
    size_t columns;
    enum gcv_status status;

    if ((status = prepare_proba(scorer, in, &view, err)) != GCV_OK)
        goto cleanup;
    if (view.n_labels < 2) {
        status = gcv_error_set(err, GCV_ERR_FIT, "%s: the scored rows have one class, and log "
                               "loss needs the labels of at least two", scorer->name);
        goto cleanup;
    }
    columns = view.column != NULL ? 2 : view.columns;
    if (view.n_labels != columns) {
        status = gcv_error_set(err, GCV_ERR_FIT, "%s: the scored rows have %zu classes, but the "
                               "model was fitted on %zu", scorer->name, view.n_labels, columns);
        goto cleanup;
    }
    losses = malloc(in->n_rows * sizeof *losses);
    row = malloc(columns * sizeof *row);
    if (losses == NULL || row == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
        goto cleanup;
    }

    for (size_t i = 0; i < in->n_rows; i++) {
        size_t truth = label_index(view.labels, view.n_labels, in->y_true[i]);
        double sum;

        if (view.column != NULL) {
            row[1] = fmin(fmax(view.column[i], low), high);
            row[0] = 1.0 - row[1];
        } else {
            for (size_t c = 0; c < columns; c++)
                row[c] = fmin(fmax(view.proba[i * columns + c], low), high);
        }
        sum = gcv_stats_sum(row, columns, 1);
        losses[i] = -log(row[truth] / sum);
    }
    *out = -gcv_stats_mean(losses, in->n_rows, 1);

cleanup:
    free(row);
    free(losses);
    proba_view_free(&view);
    return status;
}

/* brier_score_loss, negated (needs_proba): the mean of (t - p)^2, t 1 for a
 * row of the positive class and p its probability. Binary y only. */
static enum gcv_status score_brier(const struct gcv_scorer *scorer,
                                   const struct gcv_scorer_input *in, double *out,
                                   struct gcv_error *err)
{
    struct proba_view view;
    double *squares = NULL;
    enum gcv_status status;

    if (in->pos_label < 0)
        return gcv_error_set(err, GCV_ERR_FIT, "%s needs pos_label: the class whose "
                             "probability is scored", scorer->name);
    if ((status = prepare_proba(scorer, in, &view, err)) != GCV_OK)
        goto cleanup;
    if (view.column == NULL) {
        status = gcv_error_set(err, GCV_ERR_FIT, "%s: the scored rows have %zu classes and the "
                               "model %zu, but the Brier score needs a binary target",
                               scorer->name, view.n_labels, in->n_classes);
        goto cleanup;
    }
    squares = malloc(in->n_rows * sizeof *squares);
    if (squares == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
        goto cleanup;
    }
    for (size_t i = 0; i < in->n_rows; i++) {
        double truth = in->y_true[i] == (double)in->pos_label ? 1.0 : 0.0;
        if (view.column[i] > 1.0 || view.column[i] < 0.0) {
            status = gcv_error_set(err, GCV_ERR_FIT, "%s: the probability of row %zu is %.17g, "
                                   "outside [0, 1]", scorer->name, i, view.column[i]);
            goto cleanup;
        }
        squares[i] = (truth - view.column[i]) * (truth - view.column[i]);
    }
    *out = -gcv_stats_mean(squares, in->n_rows, 1);

cleanup:
    free(squares);
    proba_view_free(&view);
    return status;
}

/* ---- Regression ---------------------------------------------------------- */

enum regression_error {
    ERROR_ABSOLUTE,            /* |y_pred - y_true| */
    ERROR_SQUARED,             /* (y_true - y_pred)^2 */
    ERROR_ROOT_SQUARED,        /* the square root of the mean of the squares */
    ERROR_ABSOLUTE_PERCENTAGE, /* |y_pred - y_true| / max(|y_true|, eps) */
    ERROR_SQUARED_LOG,         /* (log1p(y_true) - log1p(y_pred))^2 */
};

/* mean_absolute_error, mean_squared_error (squared or not),
 * mean_absolute_percentage_error and mean_squared_log_error, negated: the
 * mean of the per-row errors. The squared log error fails for a negative
 * target or prediction, as scikit-learn's raises. */
static enum gcv_status score_mean_error(const struct gcv_scorer *scorer,
                                        const struct gcv_scorer_input *in, double *out,
                                        struct gcv_error *err)
{
    double *errors = malloc(in->n_rows * sizeof *errors);
    double difference;

    if (errors == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", in->n_rows);
    for (size_t i = 0; i < in->n_rows; i++) {
        double truth = in->y_true[i], prediction = in->y_pred[i];

        switch ((enum regression_error)scorer->variant) {
        case ERROR_ABSOLUTE:
            errors[i] = fabs(prediction - truth);
            break;
        case ERROR_SQUARED:
        case ERROR_ROOT_SQUARED:
            errors[i] = (truth - prediction) * (truth - prediction);
            break;
        case ERROR_ABSOLUTE_PERCENTAGE:
            errors[i] = fabs(prediction - truth) / fmax(fabs(truth), DBL_EPSILON);
            break;
        case ERROR_SQUARED_LOG:
            if (truth < 0 || prediction < 0) {
                free(errors);
                return gcv_error_set(err, GCV_ERR_FIT, "%s: row %zu has a negative %s (%g), "
                                     "and the squared log error needs values >= 0",
                                     scorer->name, i, truth < 0 ? "target" : "prediction",
                                     truth < 0 ? truth : prediction);
            }
            difference = log1p(truth) - log1p(prediction);
            errors[i] = difference * difference;
            break;
        }
    }
    *out = gcv_stats_mean(errors, in->n_rows, 1);
    if (scorer->variant == ERROR_ROOT_SQUARED)
        *out = sqrt(*out);
    *out = -*out;
    free(errors);
    return GCV_OK;
}

/* median_absolute_error, negated: numpy.median of |y_pred - y_true|, the
 * mean of the two middle values for an even count. */
static enum gcv_status score_median_absolute_error(const struct gcv_scorer *scorer,
                                                   const struct gcv_scorer_input *in,
                                                   double *out, struct gcv_error *err)
{
    size_t n = in->n_rows;
    double *errors = malloc(n * sizeof *errors);

    (void)scorer;
    if (errors == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", n);
    for (size_t i = 0; i < n; i++)
        errors[i] = fabs(in->y_pred[i] - in->y_true[i]);
    qsort(errors, n, sizeof *errors, compare_doubles);
    *out = n % 2 == 1 ? errors[n / 2] : (errors[n / 2 - 1] + errors[n / 2]) / 2.0;
    *out = -*out;
    free(errors);
    return GCV_OK;
}

/* max_error, negated: the greatest |y_true - y_pred|. */
static enum gcv_status score_max_error(const struct gcv_scorer *scorer,
                                       const struct gcv_scorer_input *in, double *out,
                                       struct gcv_error *err)
{
    double greatest = 0.0;

    (void)scorer;
    (void)err;
    for (size_t i = 0; i < in->n_rows; i++)
        greatest = fmax(greatest, fabs(in->y_true[i] - in->y_pred[i]));
    *out = -greatest;
    return GCV_OK;
}

/* explained_variance_score with force_finite=True: 1 - var(y_true - y_pred)
 * / var(y_true), each variance a mean of squared deviations; 1.0 when the
 * residual variance is 0, and 0.0 when only var(y_true) is. */
static enum gcv_status score_explained_variance(const struct gcv_scorer *scorer,
                                                const struct gcv_scorer_input *in, double *out,
                                                struct gcv_error *err)
{
    size_t n = in->n_rows;
    double *values = calloc(n, sizeof *values);
    double residual_mean, numerator, true_mean, denominator;

    (void)scorer;
    if (values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring %zu rows", n);
    for (size_t i = 0; i < n; i++)
        values[i] = in->y_true[i] - in->y_pred[i];
    residual_mean = gcv_stats_mean(values, n, 1);
    for (size_t i = 0; i < n; i++) {
        double deviation = in->y_true[i] - in->y_pred[i] - residual_mean;
        values[i] = deviation * deviation;
    }
    numerator = gcv_stats_mean(values, n, 1);
    true_mean = gcv_stats_mean(in->y_true, n, 1);
    for (size_t i = 0; i < n; i++)
        values[i] = (in->y_true[i] - true_mean) * (in->y_true[i] - true_mean);
    denominator = gcv_stats_mean(values, n, 1);
    free(values);

    if (numerator == 0.0)
        *out = 1.0;
    else if (denominator == 0.0)
        *out = 0.0;
    else
        *out = 1.0 - numerator / denominator;
    return GCV_OK;
}

/* r2_score: 1 - sum((y - y_pred)^2) / sum((y - mean(y))^2), with
 * scikit-learn 1.2's values for a constant y_true (1.0 when the prediction
 * is exact, else 0.0). scikit-learn returns NaN with a warning for fewer
 * than two rows; here that score fails, and error_score replaces it. */
static enum gcv_status score_r2(const struct gcv_scorer *scorer,
                                const struct gcv_scorer_input *in, double *out,
                                struct gcv_error *err)
{
    size_t n = in->n_rows;
    double *squares;
    double numerator, denominator, mean;

    (void)scorer;
    if (n < 2)
        return gcv_error_set(err, GCV_ERR_FIT, "r2 needs at least two scored rows, got %zu", n);
    squares = malloc(n * sizeof *squares);
    if (squares == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory scoring r2");

    for (size_t i = 0; i < n; i++)
        squares[i] = (in->y_true[i] - in->y_pred[i]) * (in->y_true[i] - in->y_pred[i]);
    numerator = gcv_stats_sum(squares, n, 1);
    mean = gcv_stats_mean(in->y_true, n, 1);
    for (size_t i = 0; i < n; i++)
        squares[i] = (in->y_true[i] - mean) * (in->y_true[i] - mean);
    denominator = gcv_stats_sum(squares, n, 1);
    free(squares);

    if (denominator == 0.0)
        *out = numerator == 0.0 ? 1.0 : 0.0;
    else
        *out = 1.0 - numerator / denominator;
    return GCV_OK;
}

/* ---- The table ------------------------------------------------------------ */

#define CLASSIFY GCV_SCORER_CLASSIFICATION
#define REGRESS GCV_SCORER_REGRESSION
#define LABELS GCV_SCORER_NEEDS_LABELS
#define THRESHOLD GCV_SCORER_NEEDS_THRESHOLD
#define PROBA GCV_SCORER_NEEDS_PROBA

/* The binary form takes pos_label and a two-class y; the others average
 * over the labels of the scored rows. */
#define PRF_SCORERS(name, metric)                                                         \
    {name, CLASSIFY, LABELS, true, true, score_prf, PRF_VARIANT(metric, AVERAGE_BINARY)}, \
    {name "_micro", CLASSIFY, LABELS, false, false, score_prf,                            \
     PRF_VARIANT(metric, AVERAGE_MICRO)},                                                 \
    {name "_macro", CLASSIFY, LABELS, false, false, score_prf,                            \
     PRF_VARIANT(metric, AVERAGE_MACRO)},                                                 \
    {name "_weighted", CLASSIFY, LABELS, false, false, score_prf,                         \
     PRF_VARIANT(metric, AVERAGE_WEIGHTED)}

/* In the order of scikit-learn's get_scorer_names() within each target. */
static const struct gcv_scorer scorers[] = {
    {"accuracy", CLASSIFY, LABELS, false, false, score_accuracy, 0},
    {"average_precision", CLASSIFY, THRESHOLD, true, true, score_average_precision, 0},
    {"balanced_accuracy", CLASSIFY, LABELS, false, false, score_balanced_accuracy, 0},
    PRF_SCORERS("f1", PRF_F1),
    PRF_SCORERS("jaccard", PRF_JACCARD),
    {"matthews_corrcoef", CLASSIFY, LABELS, false, false, score_matthews, 0},
    {"neg_brier_score", CLASSIFY, PROBA, true, true, score_brier, 0},
    {"neg_log_loss", CLASSIFY, PROBA, false, false, score_log_loss, 0},
    {"neg_mean_cost", CLASSIFY, LABELS, false, false, score_mean_cost, 0},
    PRF_SCORERS("precision", PRF_PRECISION),
    PRF_SCORERS("recall", PRF_RECALL),
    {"roc_auc", CLASSIFY, THRESHOLD, true, false, score_roc_auc, 0},
    {"roc_auc_ovo", CLASSIFY, PROBA, false, false, score_roc_auc_multiclass, ROC_OVO_MACRO},
    {"roc_auc_ovo_weighted", CLASSIFY, PROBA, false, false, score_roc_auc_multiclass,
     ROC_OVO_WEIGHTED},
    {"roc_auc_ovr", CLASSIFY, PROBA, false, false, score_roc_auc_multiclass, ROC_OVR_MACRO},
    {"roc_auc_ovr_weighted", CLASSIFY, PROBA, false, false, score_roc_auc_multiclass,
     ROC_OVR_WEIGHTED},
    {"top_k_accuracy", CLASSIFY, THRESHOLD, true, false, score_top_k_accuracy, 0},

    {"explained_variance", REGRESS, LABELS, false, false, score_explained_variance, 0},
    {"max_error", REGRESS, LABELS, false, false, score_max_error, 0},
    {"neg_mean_absolute_error", REGRESS, LABELS, false, false, score_mean_error,
     ERROR_ABSOLUTE},
    {"neg_mean_absolute_percentage_error", REGRESS, LABELS, false, false, score_mean_error,
     ERROR_ABSOLUTE_PERCENTAGE},
    {"neg_mean_squared_error", REGRESS, LABELS, false, false, score_mean_error, ERROR_SQUARED},
    {"neg_mean_squared_log_error", REGRESS, LABELS, false, false, score_mean_error,
     ERROR_SQUARED_LOG},
    {"neg_median_absolute_error", REGRESS, LABELS, false, false, score_median_absolute_error,
     0},
    {"neg_root_mean_squared_error", REGRESS, LABELS, false, false, score_mean_error,
     ERROR_ROOT_SQUARED},
    {"r2", REGRESS, LABELS, false, false, score_r2, 0},
};

#define N_SCORERS (sizeof scorers / sizeof scorers[0])

enum gcv_status gcv_scorer_score(const struct gcv_scorer *scorer,
                                 const struct gcv_scorer_input *in, double *out,
                                 struct gcv_error *err)
{
    bool has_output;

    if (in->n_rows == 0)
        return gcv_error_set(err, GCV_ERR_FIT, "%s of an empty set of rows is undefined",
                             scorer->name);
    switch (scorer->needs) {
    case GCV_SCORER_NEEDS_LABELS:
        has_output = in->y_pred != NULL;
        break;
    case GCV_SCORER_NEEDS_THRESHOLD:
        has_output = in->classes != NULL && (in->has_decision_function || in->proba != NULL);
        break;
    case GCV_SCORER_NEEDS_PROBA:
        has_output = in->proba != NULL && in->classes != NULL;
        break;
    default:
        has_output = false;
    }
    if (!has_output)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "%s: the model output it needs was not "
                             "computed", scorer->name);
    return scorer->score(scorer, in, out, err);
}

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

const char *gcv_scorer_suggest(const char *name, enum gcv_scorer_target target)
{
    const char *closest = NULL;
    size_t closest_distance = strlen(name) / 3 + 1;

    for (size_t i = 0; i < N_SCORERS; i++) {
        size_t distance;

        if (scorers[i].target != target)
            continue;
        distance = gcv_suggest_distance(name, scorers[i].name);
        if (distance <= closest_distance && (closest == NULL || distance < closest_distance)) {
            closest = scorers[i].name;
            closest_distance = distance;
        }
    }
    return closest;
}
