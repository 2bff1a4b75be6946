/* The evaluation report of the refit model on the holdout rows, as
 * scikit-learn 1.2.1's sklearn.metrics computes it: the confusion matrix
 * and the classification report of a classifier, for a binary classifier
 * with decision values or probabilities the ROC and precision-recall
 * curves with their AUC and average precision, the mean cost under the
 * spec's cost_matrix, and r2, MAE and RMSE of a regressor.
 *
 * The metric functions work on class codes (common/dataset.h) and are
 * free of MPI and files, so that they can be checked against scikit-learn
 * alone; gcv_evaluation_write and gcv_evaluation_print turn the results
 * into the output folder's files and the terminal's tables. */
#ifndef GCV_EVALUATION_H
#define GCV_EVALUATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/dataset.h"
#include "../common/status.h"

/* One row of the classification report: a class, or one of the averages. */
struct gcv_report_row {
    double precision;
    double recall;
    double f1;
    size_t support;
};

/* A curve of sklearn.metrics.roc_curve (x = fpr, y = tpr) or
 * precision_recall_curve (x = recall, y = precision). */
struct gcv_curve {
    double *x;           /* [n_points], owned */
    double *y;           /* [n_points], owned */
    double *thresholds;  /* [n_thresholds], owned */
    size_t n_points;
    size_t n_thresholds; /* n_points for ROC, n_points - 1 for precision-recall */
};

/* What the report found on the holdout rows; freed with
 * gcv_evaluation_free. */
struct gcv_evaluation {
    bool done;                   /* a classifier was evaluated */
    bool regression_done;        /* a regressor was evaluated: r2, mae and rmse are set */
    double r2;                   /* sklearn.metrics.r2_score */
    double mae;                  /* mean_absolute_error */
    double rmse;                 /* mean_squared_error(squared=False) */
    size_t n_rows;
    size_t n_classes;
    size_t *confusion;           /* [n_classes * n_classes] row-major, rows true class,
                                    columns predicted class; owned */
    struct gcv_report_row *rows; /* [n_classes] per class, owned */
    struct gcv_report_row macro;
    struct gcv_report_row weighted;
    double accuracy;
    bool all_labels_present;     /* every class occurs in y_true or y_pred, so the report
                                    names the micro average "accuracy" as scikit-learn does */

    bool has_curves;             /* binary, with decision values or probabilities */
    int32_t positive;            /* class code of the positive class */
    struct gcv_curve roc;
    struct gcv_curve pr;
    double roc_auc;
    double average_precision;
    double operating_fpr;        /* of predict, the estimator's default threshold */
    double operating_tpr;
    double operating_precision;

    bool has_cost;               /* the spec gives a cost_matrix */
    double total_cost;           /* sum of the cost of every holdout row */
    double mean_cost;            /* total_cost / n_rows, the negation of neg_mean_cost */

    bool has_tuned;              /* a tuned decision threshold was applied as well */
    double default_threshold;    /* predict's cut: 0 for decision values, 0.5 for
                                    probabilities */
    double tuned_threshold;      /* a row is positive when its score is >= this */
    struct gcv_evaluation *tuned; /* the report of the tuned labels, without curves;
                                     owned, NULL unless has_tuned */
    double tuned_fpr;            /* the tuned operating point on the curves */
    double tuned_tpr;
    double tuned_precision;
};

/* Counts y_pred against y_true (class codes, [n_rows] each) into
 * matrix[n_classes * n_classes], rows true class, as
 * sklearn.metrics.confusion_matrix with labels = all n_classes classes.
 * Codes outside 0..n_classes-1 are not counted. */
void gcv_evaluation_confusion_matrix(const int32_t *y_true, const int32_t *y_pred,
                                     size_t n_rows, size_t n_classes, size_t *matrix);

/* Fills rows[n_classes], macro, weighted and accuracy from a confusion
 * matrix as sklearn.metrics.classification_report(output_dict=True) with
 * its default zero_division: a ratio whose denominator is 0 is 0.0. Fails
 * only with GCV_ERR_NOMEM. */
enum gcv_status gcv_evaluation_classification_report(const size_t *matrix, size_t n_classes,
                                                     struct gcv_report_row *rows,
                                                     struct gcv_report_row *macro,
                                                     struct gcv_report_row *weighted,
                                                     double *accuracy, struct gcv_error *err);

/* Computes sklearn.metrics.roc_curve(positive, score,
 * drop_intermediate=True) over n_rows rows into *curve (owned by the
 * caller, gcv_evaluation_curve_free): positive[i] says row i is of the
 * positive class, score[i] is its score. fpr (or tpr) is NaN throughout
 * when the rows have no negative (or positive) row, as scikit-learn warns. */
enum gcv_status gcv_evaluation_roc_curve(const bool *positive, const double *score,
                                         size_t n_rows, struct gcv_curve *curve,
                                         struct gcv_error *err);

/* Computes sklearn.metrics.precision_recall_curve(positive, score) into
 * *curve, as gcv_evaluation_roc_curve does. */
enum gcv_status gcv_evaluation_pr_curve(const bool *positive, const double *score,
                                        size_t n_rows, struct gcv_curve *curve,
                                        struct gcv_error *err);

/* Sets *area to the area under the curve by the trapezoidal rule, as
 * sklearn.metrics.auc (numpy.trapz) computes it. Fails only with
 * GCV_ERR_NOMEM. */
enum gcv_status gcv_evaluation_auc(const struct gcv_curve *curve, double *area,
                                   struct gcv_error *err);

/* Sets *ap to the average precision of a precision-recall curve, the sum
 * of precision[i] * (recall[i] - recall[i + 1]), as
 * sklearn.metrics.average_precision_score computes it. Fails only with
 * GCV_ERR_NOMEM. */
enum gcv_status gcv_evaluation_average_precision(const struct gcv_curve *pr, double *ap,
                                                 struct gcv_error *err);

/* Frees the arrays of the curve and zeroes it. Accepts NULL. */
void gcv_evaluation_curve_free(struct gcv_curve *curve);

/* Evaluates predictions of n_rows holdout rows: y_true and y_pred are class
 * codes; positive_score[n_rows] is the score of class code positive, or
 * NULL without one, and then no curve is drawn; cost_matrix
 * [n_classes * n_classes] (rows true class) gives the cost per row, or is
 * NULL. Fills *eval, owned by the caller (gcv_evaluation_free). */
enum gcv_status gcv_evaluation_compute(const int32_t *y_true, const int32_t *y_pred,
                                       size_t n_rows, size_t n_classes, int32_t positive,
                                       const double *positive_score, const double *cost_matrix,
                                       struct gcv_evaluation *eval, struct gcv_error *err);

/* Adds the labels y_tuned[eval->n_rows] of a tuned decision threshold
 * (coordinator/threshold.h) to a binary evaluation with curves: their
 * confusion matrix, classification report and cost under cost_matrix (or
 * NULL), and their operating point on the curves. default_threshold and
 * threshold are recorded for the report. Fails with GCV_ERR_NOMEM, or
 * GCV_ERR_INTERNAL when eval has no curves. */
enum gcv_status gcv_evaluation_add_threshold(struct gcv_evaluation *eval, const int32_t *y_true,
                                             const int32_t *y_tuned, double default_threshold,
                                             double threshold, const double *cost_matrix,
                                             struct gcv_error *err);

/* Evaluates the predictions y_pred[n_rows] of a regressor against y_true
 * with the r2, neg_mean_absolute_error and neg_root_mean_squared_error
 * scorers, so the numbers are scikit-learn's. A metric that scikit-learn
 * leaves undefined (r2 of one row) is NaN. Fills *eval, owned by the
 * caller (gcv_evaluation_free). */
enum gcv_status gcv_evaluation_compute_regression(const double *y_true, const double *y_pred,
                                                  size_t n_rows, struct gcv_evaluation *eval,
                                                  struct gcv_error *err);

/* Writes holdout_metrics.csv for a regressor, or confusion_matrix.csv and
 * classification_report.csv for a classifier, with a cost
 * matrix holdout_cost.csv, and with curves roc_curve.csv, precision_recall_curve.csv, roc_curve.svg and
 * precision_recall_curve.svg, into folder. With a tuned threshold it also
 * writes confusion_matrix_tuned.csv, classification_report_tuned.csv and
 * operating_points.csv (both thresholds with their points on the curves),
 * and the plots mark both points. Labels are the dataset's. */
enum gcv_status gcv_evaluation_write(const struct gcv_evaluation *eval,
                                     const struct gcv_dataset *data, const char *folder,
                                     struct gcv_error *err);

/* Prints the confusion matrix and the classification report as aligned
 * tables, and the AUC and average precision when there are curves. */
void gcv_evaluation_print(FILE *stream, const struct gcv_evaluation *eval,
                          const struct gcv_dataset *data);

/* Frees what the evaluation owns and zeroes it. Accepts NULL. */
void gcv_evaluation_free(struct gcv_evaluation *eval);

#endif
