/* The interface every estimator implements, and the registry that finds an
 * estimator by its scikit-learn class name.
 *
 * An estimator is one table of operations. The coordinator uses only
 * params_parse (to validate every candidate before any fit runs); workers use
 * the rest. Adding an estimator is one source file and one registry line. */
#ifndef GCV_ESTIMATOR_H
#define GCV_ESTIMATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/model_file.h"
#include "../common/param.h"
#include "../common/status.h"

enum gcv_estimator_kind {
    GCV_ESTIMATOR_CLASSIFIER,
    GCV_ESTIMATOR_REGRESSOR,
    GCV_ESTIMATOR_TRANSFORMER, /* a scaler: only a pipeline step before the final estimator */
};

/* The rows an estimator fits on or predicts, as a view into the dataset.
 * Every pointer is borrowed from the caller and stays valid for the call. */
struct gcv_rows {
    const double *X;        /* [n_total * n_features], row-major, all rows of the dataset */
    size_t n_features;
    const size_t *index;    /* [n_rows] row numbers into X, in fold order */
    size_t n_rows;
    const int32_t *y_class; /* [n_total] class codes 0..n_classes-1, or NULL for regression */
    const double *y_value;  /* [n_total] targets, or NULL for classification */
    size_t n_classes;       /* classes of the whole dataset; a fold may lack some */
    double deadline;        /* fit only: CLOCK_MONOTONIC seconds (gcv_task_clock) after
                               which fit may give up with GCV_ERR_TIMEOUT; 0 for none */
};

struct gcv_estimator_ops {
    const char *name;              /* scikit-learn class name, "SVC" */
    enum gcv_estimator_kind kind;

    /* Checks every parameter in params (names, types, ranges) and converts
     * them into the estimator's own struct, filling defaults for the rest.
     * On success *out is owned by the caller and freed with params_free.
     * On failure err names the parameter, the value, its spec location and
     * what is accepted; the status is GCV_ERR_PARAM. */
    enum gcv_status (*params_parse)(const struct gcv_param_set *params, void **out,
                                    struct gcv_error *err);
    void (*params_free)(void *params);

    /* Fits on train. On success *model is owned by the caller and freed with
     * model_free. A failure that belongs to this fit alone (no convergence, a
     * singular matrix) returns GCV_ERR_FIT; the search goes on. A fit that
     * checks train->deadline and finds it passed returns GCV_ERR_TIMEOUT. */
    enum gcv_status (*fit)(const void *params, const struct gcv_rows *train, void **model,
                           struct gcv_error *err);

    /* Predicts rows (their y fields are ignored) into out[rows->n_rows]: class
     * codes of the dataset for classifiers, target values for regressors.
     * NULL for transformers. */
    enum gcv_status (*predict)(const void *model, const struct gcv_rows *rows, double *out,
                               struct gcv_error *err);

    void (*model_free)(void *model);

    /* Transformers only, NULL otherwise: writes the transformed rows into
     * out[rows->n_rows * rows->n_features], row-major. Every transformer of
     * gridcv keeps the number of features. */
    enum gcv_status (*transform)(const void *model, const struct gcv_rows *rows, double *out,
                                 struct gcv_error *err);

    /* Transformers only, NULL otherwise: returns a copy of a fitted
     * model, owned by the caller, or NULL when memory runs out. A pipeline
     * fits its transformers once per fold and transformer parameters and
     * gives each of its models copies (worker/estimators/pipeline.c). */
    void *(*model_copy)(const void *model);

    /* Optional: returns a one-line warning about a fitted model, such as
     * scikit-learn's ConvergenceWarning when the solver stopped at max_iter,
     * or NULL when there is none. The text lives as long as the model. NULL
     * when the estimator never warns. */
    const char *(*fit_warning)(const void *model);

    /* Optional, with predict_proba: fails with GCV_ERR_PARAM when models
     * fitted with the parsed setting params will have no predict_proba
     * (SVC without probability=true), and err names the parameter to set.
     * NULL when every setting has predict_proba. */
    enum gcv_status (*check_predict_proba)(const void *params, struct gcv_error *err);

    /* Optional, classifiers only; NULL when the estimator has no
     * decision_function. Writes the class codes the model was fitted on,
     * ascending (scikit-learn's classes_), into classes[*n_classes], which
     * has room for rows->n_classes. For a model fitted on two classes it
     * also writes scikit-learn's decision_function of rows into
     * out[rows->n_rows], positive for classes[1]. With more classes out is
     * left alone, because no scorer of scikit-learn 1.2.1 accepts
     * multiclass decision values. */
    enum gcv_status (*decision_function)(const void *model, const struct gcv_rows *rows,
                                         double *out, int32_t *classes, size_t *n_classes,
                                         struct gcv_error *err);

    /* Optional, classifiers only; NULL when the estimator has no
     * predict_proba. Writes scikit-learn's predict_proba of rows into
     * out[rows->n_rows * *n_classes], row-major, one column per class the
     * model was fitted on, and those class codes, ascending, into
     * classes[*n_classes]. out has room for rows->n_rows * rows->n_classes
     * values and classes for rows->n_classes. */
    enum gcv_status (*predict_proba)(const void *model, const struct gcv_rows *rows,
                                     double *out, int32_t *classes, size_t *n_classes,
                                     struct gcv_error *err);

    /* Optional, for warm starts along a path (the spec's "warm_start"):
     * the parameter whose values a chain of fits walks through ("C",
     * "alpha", "svc__C" in a pipeline), or NULL when the estimator has no
     * warm start. path_increasing: the chain runs from the smallest value
     * to the largest (C), else from the largest to the smallest (alpha),
     * so each fit starts from a solution with more regularization. */
    const char *path_param;
    bool path_increasing;

    /* With path_param: fits as fit does, but starts the solver from
     * previous, a model of this estimator fitted on the same rows with
     * the same parameters except path_param. previous is borrowed for the
     * call. The result reaches the same optimum within the solver's
     * tolerance, not the same bits as a fit from zero. */
    enum gcv_status (*fit_from)(const void *params, const struct gcv_rows *train,
                                const void *previous, void **model, struct gcv_error *err);

    /* Optional, with path_param: fits the n settings params[n], which
     * differ only in path_param, on the same rows, sharing work between
     * the fits, and gives each the model fit would give it, within
     * rounding (LogisticRegression runs its fits in lockstep, lockstep.h).
     * models[i], statuses[i] and errors[i] are fit's model, status and
     * error for setting i. Returns GCV_ERR_NOMEM, with err, when the batch
     * could not run at all; then every models[i] is NULL and statuses[i]
     * is unset. NULL when the estimator has no batch fit. */
    enum gcv_status (*fit_batch)(const void *const *params, size_t n,
                                 const struct gcv_rows *train, void **models,
                                 enum gcv_status *statuses, struct gcv_error *errors,
                                 struct gcv_error *err);

    /* Optional, NULL when the estimator cannot be saved. Writes the
     * fitted model's arrays and scalars into the open HDF5 group with the
     * helpers of common/model_file.h. group is borrowed, and the caller
     * creates and closes it. What save writes is enough for load to rebuild
     * a model whose predict, decision_function and predict_proba give the
     * same bits. */
    enum gcv_status (*save)(const void *model, hid_t group, struct gcv_error *err);

    /* Optional, present exactly when save is: rebuilds a model from a group
     * that save wrote. On success *model is owned by the caller and freed
     * with model_free. A missing or inconsistent array or scalar is
     * GCV_ERR_DATA, naming it. A loaded model predicts but carries no fit
     * diagnostics: fit_warning returns NULL for it. */
    enum gcv_status (*load)(hid_t group, void **model, struct gcv_error *err);

    /* Pipelines only: the steps, transformers first and the final
     * estimator last. A pipeline's params_parse is NULL, because parsing
     * needs the steps: parse through gcv_estimator_params_parse. */
    const struct gcv_estimator_ops *const *steps; /* [n_steps], or NULL */
    size_t n_steps;
};

/* The longest estimator name gcv_estimator_resolve accepts, with its NUL. */
#define GCV_ESTIMATOR_NAME_MAX 512

/* Returns the estimator named name, or NULL when gcv_estimator_resolve
 * finds none. name is a registered class name ("SVC") or a pipeline of
 * them, written "make_pipeline(StandardScaler, SVC)". */
const struct gcv_estimator_ops *gcv_estimator_find(const char *name);

/* Finds the estimator named name, as gcv_estimator_find, with the reason
 * in err (GCV_ERR_SPEC) when there is none: an unknown name (the message
 * lists the known ones), a transformer used alone or as the last step of a
 * pipeline, or a classifier or regressor before the last step. A pipeline
 * is built on its first lookup and stays registered until the process
 * ends, so *out is never freed by the caller. */
enum gcv_status gcv_estimator_resolve(const char *name, const struct gcv_estimator_ops **out,
                                      struct gcv_error *err);

/* Checks params for estimator and converts them, as its params_parse does;
 * for a pipeline, the parameters are "step__name" and go to that step. On
 * success *out is owned by the caller and freed with
 * estimator->params_free. */
enum gcv_status gcv_estimator_params_parse(const struct gcv_estimator_ops *estimator,
                                           const struct gcv_param_set *params, void **out,
                                           struct gcv_error *err);

/* Writes the predicted class codes of n_rows rows into out[n_rows] from
 * their decision values decision[n_rows * n_columns], as scikit-learn's
 * linear classifiers predict: with one column, classes[1] when the value
 * is positive, else classes[0]; with several, the class of the greatest
 * value, the first on ties (numpy's argmax). classes has at least two
 * entries, and n_columns entries when n_columns > 1. */
void gcv_estimator_labels_from_decision(const double *decision, size_t n_rows,
                                        size_t n_columns, const int32_t *classes, double *out);

/* Writes the decision values of a linear model, X coef^T + intercept, for
 * rows into out[rows->n_rows * n_outputs], row-major, with coef
 * [n_outputs * n_features] row-major and intercept[n_outputs]. Rejects
 * rows of another width than n_features (GCV_ERR_DATA, naming the
 * estimator). */
enum gcv_status gcv_estimator_linear_decision(const char *estimator, const double *coef,
                                              const double *intercept, size_t n_features,
                                              size_t n_outputs, const struct gcv_rows *rows,
                                              double *out, struct gcv_error *err);

/* The fitted arrays of a linear classifier, as its save and load ops
 * write and read them: classes[n_classes], coef[n_rows * n_features],
 * row-major, and intercept[n_rows], with one row for two classes and one
 * per class otherwise. */
struct gcv_linear_arrays {
    size_t n_features;
    size_t n_classes;
    size_t n_rows;
    int32_t *classes;
    double *coef;
    double *intercept;
};

/* Writes arrays into the model group (common/model_file.h). */
enum gcv_status gcv_estimator_save_linear(const struct gcv_linear_arrays *arrays, hid_t group,
                                          struct gcv_error *err);

/* Reads what gcv_estimator_save_linear wrote into *arrays, whose arrays
 * the caller then owns (free), and rejects (GCV_ERR_DATA, naming the
 * estimator) a number of rows that does not fit the number of classes. On
 * failure the arrays read so far are also the caller's. */
enum gcv_status gcv_estimator_load_linear(hid_t group, const char *estimator,
                                          struct gcv_linear_arrays *arrays,
                                          struct gcv_error *err);

/* Computes the decision values of a classifier's model for rows into
 * values[rows->n_rows * columns], where the model gives the number of
 * columns. */
typedef enum gcv_status (*gcv_estimator_decision_fn)(const void *model,
                                                     const struct gcv_rows *rows,
                                                     double *values, struct gcv_error *err);

/* The predict op of a linear classifier: computes the decision values of
 * rows with decision(model, rows, values[n_rows * n_columns], err) and
 * writes their labels into out[n_rows] as
 * gcv_estimator_labels_from_decision does. */
enum gcv_status gcv_estimator_predict_linear(const void *model, const struct gcv_rows *rows,
                                             size_t n_columns, const int32_t *classes,
                                             gcv_estimator_decision_fn decision,
                                             double *out, struct gcv_error *err);

/* The decision_function op of a classifier fitted on fitted[n_fitted]:
 * copies those codes into classes and *n_classes and, with two of them,
 * writes the one decision column into out with decision(model, rows, out,
 * err). */
enum gcv_status gcv_estimator_decision_op(const void *model, const struct gcv_rows *rows,
                                          const int32_t *fitted, size_t n_fitted,
                                          gcv_estimator_decision_fn decision,
                                          double *out, int32_t *classes, size_t *n_classes,
                                          struct gcv_error *err);

/* Writes the names of the registered classifiers and regressors, then of
 * the transformers, comma-separated, into buf of size len (for "unknown
 * estimator" messages). */
void gcv_estimator_list_names(char *buf, size_t len);

#endif
