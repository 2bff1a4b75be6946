/* Saved models and `gridcv predict`.
 *
 * After the refit, gcv_predict_save_refit writes the refit model to the
 * output folder as model.h5 (common/model_file.h) and, when the data has
 * holdout rows, the refit model's predictions of them as
 * holdout_predictions.csv. gcv_predict_run is the body of `gridcv
 * predict MODEL DATA`: it loads model.h5, reads X from DATA as `gridcv
 * run` reads data, and writes the same columns for every row. Both
 * outputs go through one writer, so the predictions of the same rows by
 * the refit model and by the saved model are the same text. */
#ifndef GCV_PREDICT_H
#define GCV_PREDICT_H

#include <stddef.h>

#include "../common/dataset.h"
#include "../common/spec.h"
#include "../common/status.h"
#include "../worker/estimator.h"
#include "threshold.h"

/* The name of the model file in the output folder. */
#define GCV_PREDICT_MODEL_FILE "model.h5"

/* The name of the refit model's holdout predictions in the output folder. */
#define GCV_PREDICT_HOLDOUT_FILE "holdout_predictions.csv"

struct gcv_predict_options {
    const char *model_path;  /* a model.h5 */
    const char *data_path;   /* an HDF5 file, or a glob(3) pattern of shards */
    const char *X_name;      /* the dataset of X in data_path */
    const char *out_path;    /* NULL: CSV on standard output; "*.csv": CSV; else HDF5 */
};

/* Rank 0 after the refit: writes model (fitted by estimator with the
 * parameters of candidate best_index of spec on rows of data) to
 * folder/model.h5 and, when n_holdout > 0, its predictions of the rows
 * holdout[0..n_holdout) of data to folder/holdout_predictions.csv. A
 * tuned threshold (threshold->done; threshold may be NULL) is saved with
 * the model, and both outputs then add a tuned_prediction column: the
 * labels of that threshold. An estimator without save writes no model
 * file and logs a warning. Every pointer is borrowed for the call. */
enum gcv_status gcv_predict_save_refit(const char *folder, const struct gcv_spec *spec,
                                       size_t best_index,
                                       const struct gcv_estimator_ops *estimator,
                                       const void *model, const struct gcv_dataset *data,
                                       const size_t *holdout, size_t n_holdout,
                                       const struct gcv_threshold_result *threshold,
                                       struct gcv_error *err);

/* Runs `gridcv predict` in this process and returns its exit code. It is
 * 0 on success and 1 for a failure while predicting or writing. It is 2
 * for bad input: a missing or foreign model file, a newer format version,
 * data that cannot be read, or rows with another number of features than
 * the model's. The one error line goes to standard error. */
int gcv_predict_run(const struct gcv_predict_options *options);

#endif
