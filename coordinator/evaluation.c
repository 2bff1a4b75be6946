#include "evaluation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/scorer.h"
#include "../common/stats.h"
#include "output.h"

void gcv_evaluation_confusion_matrix(const int32_t *y_true, const int32_t *y_pred,
                                     size_t n_rows, size_t n_classes, size_t *matrix)
{
    memset(matrix, 0, n_classes * n_classes * sizeof *matrix);
    for (size_t i = 0; i < n_rows; i++) {
        if (y_true[i] < 0 || (size_t)y_true[i] >= n_classes || y_pred[i] < 0 ||
            (size_t)y_pred[i] >= n_classes)
            continue;
        matrix[(size_t)y_true[i] * n_classes + (size_t)y_pred[i]]++;
    }
}

/* Returns num / den, or 0.0 when den is 0 (zero_division="warn"). */
static double ratio(double num, double den)
{
    return den == 0.0 ? 0.0 : num / den;
}

/* F1 as scikit-learn 1.2.1 writes it, (1 + beta^2) p r / (beta^2 p + r)
 * with a zero denominator replaced by 1. */
static double f1_score(double precision, double recall)
{
    double den = precision + recall;

    return 2.0 * precision * recall / (den == 0.0 ? 1.0 : den);
}

/* Sets *macro and *weighted to numpy's mean and support-weighted average
 * of values[n_classes]: a pairwise sum, then one division. terms has room
 * for n_classes values. */
static void average(const double *values, const struct gcv_report_row *rows, size_t n_classes,
                    size_t total, double *terms, double *macro, double *weighted)
{
    *macro = gcv_stats_sum(values, n_classes, 1) / (double)n_classes;
    for (size_t k = 0; k < n_classes; k++)
        terms[k] = values[k] * (double)rows[k].support;
    *weighted = gcv_stats_sum(terms, n_classes, 1) / (double)total;
}

enum gcv_status gcv_evaluation_classification_report(const size_t *matrix, size_t n_classes,
                                                     struct gcv_report_row *rows,
                                                     struct gcv_report_row *macro,
                                                     struct gcv_report_row *weighted,
                                                     double *accuracy, struct gcv_error *err)
{
    double *values = calloc(2 * n_classes + 1, sizeof *values);  /* [2 * n_classes] */
    double *terms = values + n_classes;
    size_t total = 0, correct = 0;

    if (values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a report of %zu classes",
                             n_classes);

    for (size_t k = 0; k < n_classes; k++) {
        size_t tp = matrix[k * n_classes + k], predicted = 0, support = 0;

        for (size_t j = 0; j < n_classes; j++) {
            support += matrix[k * n_classes + j];
            predicted += matrix[j * n_classes + k];
        }
        rows[k].precision = ratio((double)tp, (double)predicted);
        rows[k].recall = ratio((double)tp, (double)support);
        rows[k].f1 = f1_score(rows[k].precision, rows[k].recall);
        rows[k].support = support;
        total += support;
        correct += tp;
    }

    /* The averages of each metric over the classes. With no row at all
     * the weighted average is 0/0, NaN, as numpy gives. */
    for (size_t k = 0; k < n_classes; k++)
        values[k] = rows[k].precision;
    average(values, rows, n_classes, total, terms, &macro->precision, &weighted->precision);
    for (size_t k = 0; k < n_classes; k++)
        values[k] = rows[k].recall;
    average(values, rows, n_classes, total, terms, &macro->recall, &weighted->recall);
    for (size_t k = 0; k < n_classes; k++)
        values[k] = rows[k].f1;
    average(values, rows, n_classes, total, terms, &macro->f1, &weighted->f1);
    macro->support = weighted->support = total;
    *accuracy = ratio((double)correct, (double)total);
    free(values);
    return GCV_OK;
}

void gcv_evaluation_curve_free(struct gcv_curve *curve)
{
    if (curve == NULL)
        return;
    free(curve->x);
    free(curve->y);
    free(curve->thresholds);
    memset(curve, 0, sizeof *curve);
}

/* A row's score and class, sorted by score for the curves. */
struct scored_row {
    double score;
    bool positive;
};

static int compare_descending(const void *a, const void *b)
{
    double x = ((const struct scored_row *)a)->score, y = ((const struct scored_row *)b)->score;

    return (x < y) - (x > y);
}

/* Counts, for each distinct score taken as threshold from the greatest
 * down, the positive (tps) and negative (fps) rows scoring at least that
 * much, as scikit-learn's _binary_clf_curve does. Fills tps, fps and
 * thresholds [*n_thresholds], each allocated with room for n_rows + 2
 * values and owned by the caller. */
static enum gcv_status count_by_threshold(const bool *positive, const double *score,
                                          size_t n_rows, double **tps, double **fps,
                                          double **thresholds, size_t *n_thresholds,
                                          struct gcv_error *err)
{
    struct scored_row *sorted = malloc((n_rows + 1) * sizeof *sorted);
    size_t count = 0, n_true = 0;

    *tps = malloc((n_rows + 2) * sizeof **tps);
    *fps = malloc((n_rows + 2) * sizeof **fps);
    *thresholds = malloc((n_rows + 2) * sizeof **thresholds);
    if (sorted == NULL || *tps == NULL || *fps == NULL || *thresholds == NULL) {
        free(sorted);
        free(*tps);
        free(*fps);
        free(*thresholds);
        *tps = *fps = *thresholds = NULL;
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory sorting %zu scores", n_rows);
    }
    for (size_t i = 0; i < n_rows; i++)
        sorted[i] = (struct scored_row){score[i], positive[i]};
    qsort(sorted, n_rows, sizeof *sorted, compare_descending);

    for (size_t i = 0; i < n_rows; i++) {
        n_true += sorted[i].positive;
        if (i + 1 < n_rows && sorted[i + 1].score == sorted[i].score)
            continue;
        (*tps)[count] = (double)n_true;
        (*fps)[count] = (double)(i + 1 - n_true);
        (*thresholds)[count] = sorted[i].score;
        count++;
    }
    *n_thresholds = count;
    free(sorted);
    return GCV_OK;
}

enum gcv_status gcv_evaluation_roc_curve(const bool *positive, const double *score,
                                         size_t n_rows, struct gcv_curve *curve,
                                         struct gcv_error *err)
{
    double *tps = NULL, *fps = NULL, *thresholds = NULL;
    size_t n = 0, kept = 0;
    enum gcv_status status;

    memset(curve, 0, sizeof *curve);
    if (n_rows == 0)
        return gcv_error_set(err, GCV_ERR_FIT, "roc_curve needs at least one row, got 0");
    status = count_by_threshold(positive, score, n_rows, &tps, &fps, &thresholds, &n, err);
    if (status != GCV_OK)
        return status;

    /* drop_intermediate: keep the ends and every point where the curve
     * bends, that is where the second difference of fps or tps is not 0.
     * Writing in place is safe because kept <= i and the test reads the
     * original values of i - 1 and i + 1 only. */
    if (n > 2) {
        double prev_tps = tps[0], prev_fps = fps[0];

        kept = 1;
        for (size_t i = 1; i + 1 < n; i++) {
            bool bends = fps[i + 1] - 2.0 * fps[i] + prev_fps != 0.0 ||
                         tps[i + 1] - 2.0 * tps[i] + prev_tps != 0.0;

            prev_tps = tps[i];
            prev_fps = fps[i];
            if (bends) {
                tps[kept] = tps[i];
                fps[kept] = fps[i];
                thresholds[kept] = thresholds[i];
                kept++;
            }
        }
        tps[kept] = tps[n - 1];
        fps[kept] = fps[n - 1];
        thresholds[kept] = thresholds[n - 1];
        n = kept + 1;
    }

    /* A first point at (0, 0) with a threshold above every score. */
    memmove(tps + 1, tps, n * sizeof *tps);
    memmove(fps + 1, fps, n * sizeof *fps);
    memmove(thresholds + 1, thresholds, n * sizeof *thresholds);
    tps[0] = fps[0] = 0.0;
    thresholds[0] = thresholds[1] + 1.0;
    n++;

    for (size_t i = 0; i < n; i++) {
        fps[i] = fps[n - 1] > 0 ? fps[i] / fps[n - 1] : NAN;
        tps[i] = tps[n - 1] > 0 ? tps[i] / tps[n - 1] : NAN;
    }
    curve->x = fps;
    curve->y = tps;
    curve->thresholds = thresholds;
    curve->n_points = curve->n_thresholds = n;
    return GCV_OK;
}

enum gcv_status gcv_evaluation_pr_curve(const bool *positive, const double *score,
                                        size_t n_rows, struct gcv_curve *curve,
                                        struct gcv_error *err)
{
    double *tps = NULL, *fps = NULL, *thresholds = NULL, *precision = NULL, *recall = NULL;
    size_t n = 0;
    enum gcv_status status;

    memset(curve, 0, sizeof *curve);
    if (n_rows == 0)
        return gcv_error_set(err, GCV_ERR_FIT, "precision_recall_curve needs at least one row, "
                             "got 0");
    status = count_by_threshold(positive, score, n_rows, &tps, &fps, &thresholds, &n, err);
    if (status != GCV_OK)
        return status;
    precision = malloc((n + 1) * sizeof *precision);
    recall = malloc((n + 1) * sizeof *recall);
    if (precision == NULL || recall == NULL) {
        free(precision);
        free(recall);
        free(tps);
        free(fps);
        free(thresholds);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a curve of %zu points", n);
    }

    /* Reversed, so that recall decreases, and closed by the point
     * (recall 0, precision 1), which has no threshold. Without a positive
     * row recall is 1 throughout, as scikit-learn sets it. */
    for (size_t i = 0; i < n; i++) {
        size_t j = n - 1 - i;
        double predicted = tps[j] + fps[j];

        precision[i] = predicted != 0.0 ? tps[j] / predicted : 0.0;
        recall[i] = tps[n - 1] == 0.0 ? 1.0 : tps[j] / tps[n - 1];
    }
    precision[n] = 1.0;
    recall[n] = 0.0;
    for (size_t i = 0; i < n / 2; i++) {
        double t = thresholds[i];

        thresholds[i] = thresholds[n - 1 - i];
        thresholds[n - 1 - i] = t;
    }
    free(tps);
    free(fps);
    curve->x = recall;
    curve->y = precision;
    curve->thresholds = thresholds;
    curve->n_points = n + 1;
    curve->n_thresholds = n;
    return GCV_OK;
}

/* numpy.trapz: each trapezoid, then a pairwise sum. terms has room for
 * n_points - 1 values. */
static double trapezoid_area(const struct gcv_curve *curve, double *terms)
{
    for (size_t i = 0; i + 1 < curve->n_points; i++)
        terms[i] = (curve->x[i + 1] - curve->x[i]) * (curve->y[i + 1] + curve->y[i]) / 2.0;
    return gcv_stats_sum(terms, curve->n_points > 0 ? curve->n_points - 1 : 0, 1);
}

enum gcv_status gcv_evaluation_auc(const struct gcv_curve *curve, double *area,
                                   struct gcv_error *err)
{
    double *terms = malloc((curve->n_points + 1) * sizeof *terms);

    if (terms == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a curve of %zu points",
                             curve->n_points);
    *area = trapezoid_area(curve, terms);
    free(terms);
    return GCV_OK;
}

enum gcv_status gcv_evaluation_average_precision(const struct gcv_curve *pr, double *ap,
                                                 struct gcv_error *err)
{
    double *terms = malloc((pr->n_points + 1) * sizeof *terms);

    if (terms == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a curve of %zu points",
                             pr->n_points);
    for (size_t i = 0; i + 1 < pr->n_points; i++)
        terms[i] = (pr->x[i + 1] - pr->x[i]) * pr->y[i];
    *ap = -gcv_stats_sum(terms, pr->n_points > 0 ? pr->n_points - 1 : 0, 1);
    free(terms);
    return GCV_OK;
}

void gcv_evaluation_free(struct gcv_evaluation *eval)
{
    if (eval == NULL)
        return;
    free(eval->confusion);
    free(eval->rows);
    if (eval->tuned != NULL) {
        gcv_evaluation_free(eval->tuned);
        free(eval->tuned);
    }
    gcv_evaluation_curve_free(&eval->roc);
    gcv_evaluation_curve_free(&eval->pr);
    memset(eval, 0, sizeof *eval);
}

/* Fills the curves, their areas and the operating point of predict. */
static enum gcv_status compute_curves(const int32_t *y_true, const int32_t *y_pred,
                                      size_t n_rows, int32_t positive, const double *score,
                                      struct gcv_evaluation *eval, struct gcv_error *err)
{
    bool *is_positive = malloc((n_rows + 1) * sizeof *is_positive);
    size_t tp = 0, fp = 0, n_pos = 0;
    enum gcv_status status;

    if (is_positive == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu rows", n_rows);
    for (size_t i = 0; i < n_rows; i++) {
        is_positive[i] = y_true[i] == positive;
        n_pos += is_positive[i];
        tp += is_positive[i] && y_pred[i] == positive;
        fp += !is_positive[i] && y_pred[i] == positive;
    }
    status = gcv_evaluation_roc_curve(is_positive, score, n_rows, &eval->roc, err);
    if (status == GCV_OK)
        status = gcv_evaluation_pr_curve(is_positive, score, n_rows, &eval->pr, err);
    free(is_positive);
    if (status == GCV_OK)
        status = gcv_evaluation_auc(&eval->roc, &eval->roc_auc, err);
    if (status == GCV_OK)
        status = gcv_evaluation_average_precision(&eval->pr, &eval->average_precision, err);
    if (status != GCV_OK)
        return status;

    eval->has_curves = true;
    eval->positive = positive;
    eval->operating_tpr = n_pos > 0 ? (double)tp / (double)n_pos : NAN;
    eval->operating_fpr = n_rows > n_pos ? (double)fp / (double)(n_rows - n_pos) : NAN;
    eval->operating_precision = ratio((double)tp, (double)(tp + fp));
    return GCV_OK;
}

enum gcv_status gcv_evaluation_compute(const int32_t *y_true, const int32_t *y_pred,
                                       size_t n_rows, size_t n_classes, int32_t positive,
                                       const double *positive_score, const double *cost_matrix,
                                       struct gcv_evaluation *eval, struct gcv_error *err)
{
    bool *seen = NULL;  /* [n_classes] the class occurs in y_true or y_pred */
    enum gcv_status status;

    memset(eval, 0, sizeof *eval);
    eval->confusion = malloc((n_classes * n_classes + 1) * sizeof *eval->confusion);
    eval->rows = malloc((n_classes + 1) * sizeof *eval->rows);
    seen = calloc(n_classes + 1, sizeof *seen);
    if (eval->confusion == NULL || eval->rows == NULL || seen == NULL) {
        free(seen);
        gcv_evaluation_free(eval);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for a report of %zu classes",
                             n_classes);
    }
    eval->n_rows = n_rows;
    eval->n_classes = n_classes;
    gcv_evaluation_confusion_matrix(y_true, y_pred, n_rows, n_classes, eval->confusion);
    status = gcv_evaluation_classification_report(eval->confusion, n_classes, eval->rows,
                                                  &eval->macro, &eval->weighted,
                                                  &eval->accuracy, err);
    if (status != GCV_OK) {
        free(seen);
        gcv_evaluation_free(eval);
        return status;
    }

    /* scikit-learn calls the micro average "accuracy" only when the labels
     * are exactly those of y_true and y_pred. */
    for (size_t i = 0; i < n_rows; i++) {
        if (y_true[i] >= 0 && (size_t)y_true[i] < n_classes)
            seen[y_true[i]] = true;
        if (y_pred[i] >= 0 && (size_t)y_pred[i] < n_classes)
            seen[y_pred[i]] = true;
    }
    eval->all_labels_present = true;
    for (size_t k = 0; k < n_classes; k++)
        eval->all_labels_present = eval->all_labels_present && seen[k];
    free(seen);
    eval->done = true;

    /* The cost as neg_mean_cost sums it: over the confusion matrix. */
    if (cost_matrix != NULL) {
        status = gcv_scorer_total_cost(eval->confusion, cost_matrix, n_classes,
                                       &eval->total_cost, err);
        if (status != GCV_OK) {
            gcv_evaluation_free(eval);
            return status;
        }
        eval->has_cost = true;
        eval->mean_cost = n_rows > 0 ? eval->total_cost / (double)n_rows : NAN;
    }

    if (positive_score != NULL && n_classes == 2) {
        status = compute_curves(y_true, y_pred, n_rows, positive, positive_score, eval, err);
        if (status != GCV_OK) {
            gcv_evaluation_free(eval);
            return status;
        }
    }
    return GCV_OK;
}

enum gcv_status gcv_evaluation_add_threshold(struct gcv_evaluation *eval, const int32_t *y_true,
                                             const int32_t *y_tuned, double default_threshold,
                                             double threshold, const double *cost_matrix,
                                             struct gcv_error *err)
{
    struct gcv_evaluation *tuned;
    size_t p, q, tp, fp, fn;
    enum gcv_status status;

    if (!eval->has_curves || eval->n_classes != 2)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "a tuned threshold needs a binary "
                             "evaluation with curves");
    tuned = calloc(1, sizeof *tuned);
    if (tuned == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the tuned report");
    status = gcv_evaluation_compute(y_true, y_tuned, eval->n_rows, 2, eval->positive, NULL,
                                    cost_matrix, tuned, err);
    if (status != GCV_OK) {
        free(tuned);
        return status;
    }

    /* The operating point from the tuned confusion matrix, rows true class. */
    p = (size_t)eval->positive;
    q = 1 - p;
    tp = tuned->confusion[p * 2 + p];
    fn = tuned->confusion[p * 2 + q];
    fp = tuned->confusion[q * 2 + p];
    eval->tuned_tpr = tp + fn > 0 ? (double)tp / (double)(tp + fn) : NAN;
    eval->tuned_fpr = fp + tuned->confusion[q * 2 + q] > 0
                          ? (double)fp / (double)(fp + tuned->confusion[q * 2 + q])
                          : NAN;
    eval->tuned_precision = ratio((double)tp, (double)(tp + fp));
    eval->tuned = tuned;
    eval->default_threshold = default_threshold;
    eval->tuned_threshold = threshold;
    eval->has_tuned = true;
    return GCV_OK;
}

enum gcv_status gcv_evaluation_compute_regression(const double *y_true, const double *y_pred,
                                                  size_t n_rows, struct gcv_evaluation *eval,
                                                  struct gcv_error *err)
{
    static const char *const names[3] = {"r2", "neg_mean_absolute_error",
                                         "neg_root_mean_squared_error"};
    struct gcv_scorer_input in = {.n_rows = n_rows, .y_true = y_true, .y_pred = y_pred};
    double scores[3];

    memset(eval, 0, sizeof *eval);
    eval->n_rows = n_rows;

    /* A metric that scikit-learn leaves undefined (r2 of one row) is NaN,
     * which is no reason to fail a search that has finished. */
    for (size_t m = 0; m < 3; m++) {
        struct gcv_error metric_err = {GCV_OK, ""};
        enum gcv_status status;

        scores[m] = NAN;
        status = gcv_scorer_score(gcv_scorer_find(names[m]), &in, &scores[m], &metric_err);
        if (status != GCV_OK && status != GCV_ERR_FIT) {
            *err = metric_err;
            return status;
        }
    }
    eval->r2 = scores[0];
    eval->mae = -scores[1];
    eval->rmse = -scores[2];
    eval->regression_done = true;
    return GCV_OK;
}

/* Writes the dataset's label of class code k into buf. */
static void format_label(const struct gcv_dataset *data, size_t k, char *buf, size_t len)
{
    if (data->label_kind == GCV_LABELS_STRING)
        snprintf(buf, len, "%s", data->class_strings[k]);
    else if (data->label_kind == GCV_LABELS_INTEGER)
        snprintf(buf, len, "%lld", data->class_integers[k]);
    else
        snprintf(buf, len, "%zu", k);
}

/* Writes a label as a CSV field, quoted when it contains a comma, a quote
 * or a line break. */
static void write_csv_label(FILE *stream, const char *label)
{
    if (strpbrk(label, ",\"\n\r") == NULL) {
        fputs(label, stream);
        return;
    }
    fputc('"', stream);
    for (; *label != '\0'; label++) {
        if (*label == '"')
            fputc('"', stream);
        fputc(*label, stream);
    }
    fputc('"', stream);
}

/* Writes x with 17 significant digits, enough to read back the same
 * double; NaN as an empty field, as pandas writes it. */
static void write_csv_number(FILE *stream, double x)
{
    if (!isnan(x))
        fprintf(stream, "%.17g", x);
}

static enum gcv_status write_confusion(const struct gcv_evaluation *eval,
                                       const struct gcv_dataset *data, const char *folder,
                                       const char *name, struct gcv_error *err)
{
    struct gcv_output_file file;
    char label[256];
    enum gcv_status status;

    if ((status = gcv_output_open(&file, folder, name, err)) != GCV_OK)
        return status;
    fputs("true\\predicted", file.stream);
    for (size_t j = 0; j < eval->n_classes; j++) {
        format_label(data, j, label, sizeof label);
        fputc(',', file.stream);
        write_csv_label(file.stream, label);
    }
    fputc('\n', file.stream);
    for (size_t i = 0; i < eval->n_classes; i++) {
        format_label(data, i, label, sizeof label);
        write_csv_label(file.stream, label);
        for (size_t j = 0; j < eval->n_classes; j++)
            fprintf(file.stream, ",%zu", eval->confusion[i * eval->n_classes + j]);
        fputc('\n', file.stream);
    }
    return gcv_output_commit(&file, err);
}

static void write_report_row(FILE *stream, const char *name, const struct gcv_report_row *row)
{
    write_csv_label(stream, name);
    fputc(',', stream);
    write_csv_number(stream, row->precision);
    fputc(',', stream);
    write_csv_number(stream, row->recall);
    fputc(',', stream);
    write_csv_number(stream, row->f1);
    fprintf(stream, ",%zu\n", row->support);
}

/* The rows of classification_report(output_dict=True) in its order. The
 * "accuracy" entry is one number, written in the f1-score column with the
 * total support, as the text report prints it. When some class occurs in
 * neither y_true nor y_pred, scikit-learn reports a "micro avg" row
 * instead, whose three values all equal the accuracy here because every
 * prediction is one of the labels. */
static enum gcv_status write_report(const struct gcv_evaluation *eval,
                                    const struct gcv_dataset *data, const char *folder,
                                    const char *name, struct gcv_error *err)
{
    struct gcv_output_file file;
    char label[256];
    enum gcv_status status;

    if ((status = gcv_output_open(&file, folder, name, err)) != GCV_OK)
        return status;
    fputs("label,precision,recall,f1-score,support\n", file.stream);
    for (size_t k = 0; k < eval->n_classes; k++) {
        format_label(data, k, label, sizeof label);
        write_report_row(file.stream, label, &eval->rows[k]);
    }
    if (eval->all_labels_present) {
        fputs("accuracy,,,", file.stream);
        write_csv_number(file.stream, eval->accuracy);
        fprintf(file.stream, ",%zu\n", eval->n_rows);
    } else {
        struct gcv_report_row micro = {eval->accuracy, eval->accuracy, eval->accuracy,
                                       eval->n_rows};
        write_report_row(file.stream, "micro avg", &micro);
    }
    write_report_row(file.stream, "macro avg", &eval->macro);
    write_report_row(file.stream, "weighted avg", &eval->weighted);
    return gcv_output_commit(&file, err);
}

/* Writes a curve as CSV in scikit-learn's order of its outputs: x, y and
 * the threshold (roc_curve), or y, x and the threshold with y_first
 * (precision_recall_curve). A first comment line names the positive class
 * and the area. A point
 * without a threshold (the last of a precision-recall curve) leaves the
 * field empty. */
static enum gcv_status write_curve_csv(const struct gcv_curve *curve, const char *folder,
                                       const char *name, const char *header, bool y_first,
                                       const char *comment, struct gcv_error *err)
{
    struct gcv_output_file file;
    enum gcv_status status;

    if ((status = gcv_output_open(&file, folder, name, err)) != GCV_OK)
        return status;
    fprintf(file.stream, "# %s\n%s\n", comment, header);
    for (size_t i = 0; i < curve->n_points; i++) {
        write_csv_number(file.stream, y_first ? curve->y[i] : curve->x[i]);
        fputc(',', file.stream);
        write_csv_number(file.stream, y_first ? curve->x[i] : curve->y[i]);
        fputc(',', file.stream);
        if (i < curve->n_thresholds)
            write_csv_number(file.stream, curve->thresholds[i]);
        fputc('\n', file.stream);
    }
    return gcv_output_commit(&file, err);
}

/* Writes text with the XML special characters escaped. */
static void write_escaped(FILE *stream, const char *text)
{
    for (; *text != '\0'; text++) {
        switch (*text) {
        case '&': fputs("&amp;", stream); break;
        case '<': fputs("&lt;", stream); break;
        case '>': fputs("&gt;", stream); break;
        case '"': fputs("&quot;", stream); break;
        default: fputc(*text, stream);
        }
    }
}

/* The frame of a curve plot: a square plot area for x and y in [0, 1]. */
#define PLOT_LEFT 70.0
#define PLOT_TOP 50.0
#define PLOT_SIZE 360.0

static double plot_x(double x) { return PLOT_LEFT + x * PLOT_SIZE; }
static double plot_y(double y) { return PLOT_TOP + (1.0 - y) * PLOT_SIZE; }

/* An operating point marked on a curve plot. */
struct marked_point {
    double x, y;
    const char *label;
    const char *color;
};

/* Writes a curve as SVG with axes and ticks every 0.2, a dashed reference
 * line from (x0, y0) to (x1, y1), and the operating points[n_points]
 * marked: predict's, and a tuned threshold's when there is one. A point
 * with a NaN coordinate is left out. */
static enum gcv_status write_curve_svg(const struct gcv_curve *curve, const char *folder,
                                       const char *name, const char *title,
                                       const char *x_label, const char *y_label,
                                       const double reference[4], bool steps,
                                       const struct marked_point *points, size_t n_points,
                                       struct gcv_error *err)
{
    struct gcv_output_file file;
    double label_ys[2]; /* the label positions placed so far */
    FILE *s;
    enum gcv_status status;

    if (n_points > 2)
        return gcv_error_set(err, GCV_ERR_INTERNAL, "%zu operating points to mark, at most 2",
                             n_points);
    if ((status = gcv_output_open(&file, folder, name, err)) != GCV_OK)
        return status;
    s = file.stream;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"460\" height=\"470\" viewBox=\"0 0 460 470\" font-family=\"DejaVu Sans, "
          "Helvetica, Arial, sans-serif\">\n<title>", s);
    write_escaped(s, title);
    fputs("</title>\n<rect width=\"460\" height=\"470\" fill=\"white\"/>\n"
          "<text x=\"250\" y=\"30\" text-anchor=\"middle\" font-size=\"14\">", s);
    write_escaped(s, title);
    fputs("</text>\n", s);

    /* Axes, ticks and labels. */
    fprintf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            "stroke=\"black\"/>\n", PLOT_LEFT, PLOT_TOP, PLOT_SIZE, PLOT_SIZE);
    for (int t = 0; t <= 5; t++) {
        double v = t / 5.0;

        fprintf(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%.1f"
                "</text>\n", plot_x(v), PLOT_TOP + PLOT_SIZE + 16.0, v);
        fprintf(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%.1f"
                "</text>\n", PLOT_LEFT - 6.0, plot_y(v) + 4.0, v);
    }
    fprintf(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">%s</text>\n",
            plot_x(0.5), PLOT_TOP + PLOT_SIZE + 40.0, x_label);
    fprintf(s, "<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" "
            "transform=\"rotate(-90 20 %.1f)\">%s</text>\n", plot_y(0.5), plot_y(0.5), y_label);
    fprintf(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999999\" "
            "stroke-dasharray=\"4 4\"/>\n", plot_x(reference[0]), plot_y(reference[1]),
            plot_x(reference[2]), plot_y(reference[3]));

    /* Straight segments, or with steps a value held until the next point
     * (matplotlib's steps-post, as scikit-learn's PrecisionRecallDisplay
     * draws). */
    fputs("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"", s);
    for (size_t i = 0; i < curve->n_points; i++) {
        if (isnan(curve->x[i]) || isnan(curve->y[i]))
            continue;
        fprintf(s, "%.2f,%.2f ", plot_x(curve->x[i]), plot_y(curve->y[i]));
        if (steps && i + 1 < curve->n_points && !isnan(curve->x[i + 1]))
            fprintf(s, "%.2f,%.2f ", plot_x(curve->x[i + 1]), plot_y(curve->y[i]));
    }
    fputs("\"/>\n", s);

    for (size_t k = 0, placed = 0; k < n_points; k++) {
        const double point_x = points[k].x, point_y = points[k].y;
        const double direction = point_y < 0.1 ? -1.0 : 1.0;
        double label_y;

        if (isnan(point_x) || isnan(point_y))
            continue;
        fprintf(s, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"5\" fill=\"%s\"/>\n",
                plot_x(point_x), plot_y(point_y), points[k].color);

        /* The label sits inside the frame: left of a point in the right
         * half, above a point near the bottom, else below. A label that
         * would overlap the one before moves a line further away. */
        label_y = plot_y(point_y) + (direction < 0 ? -8.0 : 16.0);
        if (placed > 0 && fabs(label_y - label_ys[placed - 1]) < 14.0)
            label_y = label_ys[placed - 1] + 14.0 * direction;
        label_ys[placed++] = label_y;
        fprintf(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"11\" "
                "fill=\"%s\">", plot_x(point_x) + (point_x > 0.5 ? -8.0 : 8.0), label_y,
                point_x > 0.5 ? "end" : "start", points[k].color);
        write_escaped(s, points[k].label);
        fputs("</text>\n", s);
    }
    fputs("</svg>\n", s);
    return gcv_output_commit(&file, err);
}

static enum gcv_status write_curves(const struct gcv_evaluation *eval,
                                    const struct gcv_dataset *data, const char *folder,
                                    struct gcv_error *err)
{
    static const double diagonal[4] = {0.0, 0.0, 1.0, 1.0};
    double base_rate = 0.0;
    double baseline[4];
    char label[256], comment[512], title[512], tuned_label[64];
    struct marked_point points[2];
    const size_t n_points = eval->has_tuned ? 2 : 1;
    enum gcv_status status;

    format_label(data, (size_t)eval->positive, label, sizeof label);
    snprintf(tuned_label, sizeof tuned_label, "tuned threshold %.4g", eval->tuned_threshold);

    snprintf(comment, sizeof comment, "positive class %s, roc_auc %.17g", label, eval->roc_auc);
    status = write_curve_csv(&eval->roc, folder, "roc_curve.csv", "fpr,tpr,threshold", false,
                             comment,
                             err);
    if (status != GCV_OK)
        return status;
    snprintf(comment, sizeof comment, "positive class %s, average_precision %.17g", label,
             eval->average_precision);
    status = write_curve_csv(&eval->pr, folder, "precision_recall_curve.csv",
                             "precision,recall,threshold", true, comment, err);
    if (status != GCV_OK)
        return status;

    snprintf(title, sizeof title, "ROC curve, positive class %s (AUC %.4f)", label,
             eval->roc_auc);
    points[0] = (struct marked_point){eval->operating_fpr, eval->operating_tpr,
                                      "default threshold", "#d62728"};
    points[1] = (struct marked_point){eval->tuned_fpr, eval->tuned_tpr, tuned_label, "#2ca02c"};
    status = write_curve_svg(&eval->roc, folder, "roc_curve.svg", title, "False positive rate",
                             "True positive rate", diagonal, false, points, n_points, err);
    if (status != GCV_OK)
        return status;

    /* The baseline of a precision-recall plot is the share of positive rows. */
    if (eval->n_rows > 0)
        base_rate = (double)eval->rows[eval->positive].support / (double)eval->n_rows;
    baseline[0] = 0.0;
    baseline[1] = base_rate;
    baseline[2] = 1.0;
    baseline[3] = base_rate;
    snprintf(title, sizeof title, "Precision-recall curve, positive class %s (AP %.4f)", label,
             eval->average_precision);
    points[0].x = eval->operating_tpr;
    points[0].y = eval->operating_precision;
    points[1].x = eval->tuned_tpr;
    points[1].y = eval->tuned_precision;
    return write_curve_svg(&eval->pr, folder, "precision_recall_curve.svg", title, "Recall",
                           "Precision", baseline, true, points, n_points, err);
}

/* The tuned threshold's confusion matrix and report, and
 * operating_points.csv: each threshold with its point on the ROC curve
 * (fpr, tpr) and on the precision-recall curve (recall = tpr, precision),
 * and its accuracy, positive-class f1 and mean cost (empty without a cost
 * matrix). */
static enum gcv_status write_tuned(const struct gcv_evaluation *eval,
                                   const struct gcv_dataset *data, const char *folder,
                                   struct gcv_error *err)
{
    const struct gcv_evaluation *tuned = eval->tuned;
    const size_t p = (size_t)eval->positive;
    struct gcv_output_file file;
    enum gcv_status status;

    if ((status = write_confusion(tuned, data, folder, "confusion_matrix_tuned.csv", err)) !=
        GCV_OK)
        return status;
    if ((status = write_report(tuned, data, folder, "classification_report_tuned.csv", err)) !=
        GCV_OK)
        return status;
    if ((status = gcv_output_open(&file, folder, "operating_points.csv", err)) != GCV_OK)
        return status;
    fputs("point,threshold,fpr,tpr,precision,accuracy,f1,mean_cost\n", file.stream);
    for (int k = 0; k < 2; k++) {
        const struct gcv_evaluation *report = k == 0 ? eval : tuned;

        fputs(k == 0 ? "default," : "tuned,", file.stream);
        write_csv_number(file.stream, k == 0 ? eval->default_threshold : eval->tuned_threshold);
        fputc(',', file.stream);
        write_csv_number(file.stream, k == 0 ? eval->operating_fpr : eval->tuned_fpr);
        fputc(',', file.stream);
        write_csv_number(file.stream, k == 0 ? eval->operating_tpr : eval->tuned_tpr);
        fputc(',', file.stream);
        write_csv_number(file.stream, k == 0 ? eval->operating_precision : eval->tuned_precision);
        fputc(',', file.stream);
        write_csv_number(file.stream, report->accuracy);
        fputc(',', file.stream);
        write_csv_number(file.stream, report->rows[p].f1);
        fputc(',', file.stream);
        write_csv_number(file.stream, report->has_cost ? report->mean_cost : NAN);
        fputc('\n', file.stream);
    }
    return gcv_output_commit(&file, err);
}

enum gcv_status gcv_evaluation_write(const struct gcv_evaluation *eval,
                                     const struct gcv_dataset *data, const char *folder,
                                     struct gcv_error *err)
{
    struct gcv_output_file file;
    enum gcv_status status;

    if (eval->regression_done) {
        if ((status = gcv_output_open(&file, folder, "holdout_metrics.csv", err)) != GCV_OK)
            return status;
        fputs("r2,mae,rmse,n_rows\n", file.stream);
        write_csv_number(file.stream, eval->r2);
        fputc(',', file.stream);
        write_csv_number(file.stream, eval->mae);
        fputc(',', file.stream);
        write_csv_number(file.stream, eval->rmse);
        fprintf(file.stream, ",%zu\n", eval->n_rows);
        return gcv_output_commit(&file, err);
    }
    if (!eval->done)
        return GCV_OK;
    if ((status = write_confusion(eval, data, folder, "confusion_matrix.csv", err)) != GCV_OK)
        return status;
    if ((status = write_report(eval, data, folder, "classification_report.csv", err)) != GCV_OK)
        return status;
    if (eval->has_tuned && (status = write_tuned(eval, data, folder, err)) != GCV_OK)
        return status;
    if (eval->has_cost) {
        if ((status = gcv_output_open(&file, folder, "holdout_cost.csv", err)) != GCV_OK)
            return status;
        fputs("total_cost,mean_cost,n_rows\n", file.stream);
        write_csv_number(file.stream, eval->total_cost);
        fputc(',', file.stream);
        write_csv_number(file.stream, eval->mean_cost);
        fprintf(file.stream, ",%zu\n", eval->n_rows);
        if ((status = gcv_output_commit(&file, err)) != GCV_OK)
            return status;
    }
    if (eval->has_curves)
        return write_curves(eval, data, folder, err);
    return GCV_OK;
}

static void print_report_row(FILE *stream, int width, const char *name,
                             const struct gcv_report_row *row)
{
    fprintf(stream, "  %-*s  %9.3f  %6.3f  %8.3f  %7zu\n", width, name, row->precision,
            row->recall, row->f1, row->support);
}

/* Prints the holdout metrics at predict's threshold and at the tuned one,
 * side by side; label names the positive class. */
static void print_tuned(FILE *stream, const struct gcv_evaluation *eval, const char *label)
{
    const struct gcv_evaluation *tuned = eval->tuned;
    const size_t p = (size_t)eval->positive;

    fprintf(stream, "At the tuned threshold %.6g (default %g), positive class %s:\n",
            eval->tuned_threshold, eval->default_threshold, label);
    fprintf(stream, "  %-9s  %9s  %9s\n", "", "default", "tuned");
    fprintf(stream, "  %-9s  %9.3f  %9.3f\n", "accuracy", eval->accuracy, tuned->accuracy);
    fprintf(stream, "  %-9s  %9.3f  %9.3f\n", "precision", eval->rows[p].precision,
            tuned->rows[p].precision);
    fprintf(stream, "  %-9s  %9.3f  %9.3f\n", "recall", eval->rows[p].recall,
            tuned->rows[p].recall);
    fprintf(stream, "  %-9s  %9.3f  %9.3f\n", "f1", eval->rows[p].f1, tuned->rows[p].f1);
    if (eval->has_cost)
        fprintf(stream, "  %-9s  %9.4g  %9.4g\n", "mean cost", eval->mean_cost,
                tuned->mean_cost);
}

void gcv_evaluation_print(FILE *stream, const struct gcv_evaluation *eval,
                          const struct gcv_dataset *data)
{
    char label[256];
    int width = 12, cell = 3, label_width = 4;  /* "weighted avg" is 12 wide */

    if (eval->regression_done)
        fprintf(stream, "\nHoldout evaluation of the refit model (%zu rows): r2 %.6f, MAE %.6g, "
                "RMSE %.6g\n", eval->n_rows, eval->r2, eval->mae, eval->rmse);
    if (!eval->done)
        return;
    for (size_t k = 0; k < eval->n_classes; k++) {
        int n = 0;

        format_label(data, k, label, sizeof label);
        n = (int)strlen(label);
        width = n > width ? n : width;
        cell = n > cell ? n : cell;
        label_width = n > label_width ? n : label_width;
    }
    for (size_t k = 0; k < eval->n_classes * eval->n_classes; k++) {
        int n = snprintf(NULL, 0, "%zu", eval->confusion[k]);
        cell = n > cell ? n : cell;
    }

    /* The confusion matrix, rows true class. */
    fprintf(stream, "\nHoldout evaluation of the refit model (%zu rows)\n", eval->n_rows);
    fprintf(stream, "Confusion matrix (rows true class, columns predicted):\n  %-*s",
            label_width, "");
    for (size_t j = 0; j < eval->n_classes; j++) {
        format_label(data, j, label, sizeof label);
        fprintf(stream, "  %*s", cell, label);
    }
    fputc('\n', stream);
    for (size_t i = 0; i < eval->n_classes; i++) {
        format_label(data, i, label, sizeof label);
        fprintf(stream, "  %-*s", label_width, label);
        for (size_t j = 0; j < eval->n_classes; j++)
            fprintf(stream, "  %*zu", cell, eval->confusion[i * eval->n_classes + j]);
        fputc('\n', stream);
    }

    /* The classification report. */
    fprintf(stream, "Classification report:\n  %-*s  %9s  %6s  %8s  %7s\n", width, "",
            "precision", "recall", "f1-score", "support");
    for (size_t k = 0; k < eval->n_classes; k++) {
        format_label(data, k, label, sizeof label);
        print_report_row(stream, width, label, &eval->rows[k]);
    }
    if (eval->all_labels_present)
        fprintf(stream, "  %-*s  %9s  %6s  %8.3f  %7zu\n", width, "accuracy", "", "",
                eval->accuracy, eval->n_rows);
    else
        print_report_row(stream, width, "micro avg",
                         &(struct gcv_report_row){eval->accuracy, eval->accuracy,
                                                  eval->accuracy, eval->n_rows});
    print_report_row(stream, width, "macro avg", &eval->macro);
    print_report_row(stream, width, "weighted avg", &eval->weighted);
    if (eval->has_cost)
        fprintf(stream, "Cost: %g per row on average, %g in total (cost_matrix)\n",
                eval->mean_cost, eval->total_cost);

    if (eval->has_curves) {
        format_label(data, (size_t)eval->positive, label, sizeof label);
        fprintf(stream, "ROC AUC %.4f, average precision %.4f (positive class %s)\n",
                eval->roc_auc, eval->average_precision, label);
    }
    if (eval->has_tuned)
        print_tuned(stream, eval, label);
}
