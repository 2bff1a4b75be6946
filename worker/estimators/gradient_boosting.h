/* GradientBoostingClassifier and GradientBoostingRegressor of
 * scikit-learn 1.2.1 (sklearn/ensemble/_gb.py and _gb_losses.py), the
 * classic gradient boosting of regression trees built by tree.h.
 * Each stage fits one tree per class to the negative gradient of the loss,
 * or a single tree for a regressor or a binary classifier. */
#ifndef GCV_GRADIENT_BOOSTING_H
#define GCV_GRADIENT_BOOSTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../estimator.h"
#include "tree.h"

extern const struct gcv_estimator_ops gcv_gradient_boosting_classifier_ops;
extern const struct gcv_estimator_ops gcv_gradient_boosting_regressor_ops;

enum gcv_gb_loss {
    GCV_GB_LOG_LOSS,        /* classifier: binomial, or multinomial with K trees a stage */
    GCV_GB_EXPONENTIAL,     /* classifier, two classes: AdaBoost's loss */
    GCV_GB_SQUARED_ERROR,   /* regressor */
    GCV_GB_ABSOLUTE_ERROR,  /* regressor: leaves set to the median residual */
    GCV_GB_QUANTILE,        /* regressor: leaves set to the alpha-quantile residual */
    GCV_GB_HUBER,           /* regressor: squared error below the alpha-quantile of |y - F|,
                               absolute error above */
};

/* The parameters of a gradient boosting estimator. tree contains the
 * parameters every stage's DecisionTreeRegressor gets, random_state
 * included. */
struct gcv_gb_params {
    struct gcv_tree_params tree;
    enum gcv_gb_loss loss;
    double learning_rate;
    long long n_estimators;
    double subsample;       /* fraction of the training rows each stage fits on, (0, 1] */
    double alpha;           /* quantile of loss="quantile" and "huber", in (0, 1) */
    bool init_zero;         /* init="zero": raw predictions start at 0, not at the prior */
    long long n_iter_no_change; /* 0 for null: no early stopping */
    double validation_fraction; /* share of the training rows held out for early stopping */
    double tol;             /* the validation loss must drop by more than this */
};

/* A fitted gradient boosting model. Raw predictions are init_raw plus
 * learning_rate times the leaf values of every tree, one column per tree
 * of a stage. */
struct gcv_gb_model {
    struct gcv_gb_params params;
    bool classifier;
    size_t n_columns;        /* trees a stage, K: the classes when there are more than
                                2, else 1 */
    size_t n_stages;
    struct gcv_tree *trees;  /* [n_stages * n_columns], owned: tree k of stage i at
                                i * n_columns + k */
    double *init_raw;        /* [n_columns], owned: raw prediction of the init estimator */
    size_t n_features;
    size_t n_classes;        /* classes of the training rows, 0 for a regressor */
    int32_t *class_codes;    /* [n_classes] dataset code of each class index, owned */
};

/* Fits a gradient boosting model on train. classifier selects the
 * classifier's losses and class labels. With n_iter_no_change, the fit
 * holds out validation_fraction of the rows as train_test_split does and
 * stops once the loss on them has not dropped by more than tol for that
 * many stages. Returns GCV_ERR_FIT for a failure of this fit alone (fewer
 * than 2 classes in the rows, loss="exponential" on more than 2, a
 * validation split that scikit-learn rejects or that leaves a class out)
 * and GCV_ERR_TIMEOUT once train->deadline passes. On success *out is
 * owned by the caller (gcv_gb_model_free). */
enum gcv_status gcv_gb_fit(const struct gcv_gb_params *params, bool classifier,
                           const struct gcv_rows *train, struct gcv_gb_model **out,
                           struct gcv_error *err);

/* Writes the raw predictions of rows into raw[rows->n_rows *
 * model->n_columns], row-major. They are scikit-learn's _raw_predict,
 * which is the decision_function of a classifier. */
enum gcv_status gcv_gb_raw_predict(const struct gcv_gb_model *model,
                                   const struct gcv_rows *rows, double *raw,
                                   struct gcv_error *err);

/* Frees model and everything it owns. Accepts NULL. */
void gcv_gb_model_free(struct gcv_gb_model *model);

/* Implements gcv_estimator_ops.save: writes the stages' trees, the init raw
 * predictions, the loss, learning_rate and the class codes into group
 * (common/model_file.h). */
enum gcv_status gcv_gb_save(const void *model, hid_t group, struct gcv_error *err);

/* Implements gcv_estimator_ops.load: rebuilds a model from what
 * gcv_gb_save wrote. Rejects, as GCV_ERR_DATA, a loss that is not the
 * kind's, classes and trees a stage that do not fit together, and a
 * damaged tree. */
enum gcv_status gcv_gb_load(hid_t group, void **model, struct gcv_error *err);

/* Checks params for GradientBoostingClassifier (classifier) or
 * GradientBoostingRegressor against scikit-learn 1.2.1's constraints and
 * defaults, and returns a struct gcv_gb_params in *out, owned by the
 * caller (free). On failure the status is GCV_ERR_PARAM and err names the
 * parameter, its value and location, and what is accepted. */
enum gcv_status gcv_gb_params_parse(bool classifier, const struct gcv_param_set *params,
                                    void **out, struct gcv_error *err);

#endif
