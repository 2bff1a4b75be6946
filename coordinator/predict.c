#include "predict.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/model_file.h"
#include "../common/param.h"
#include "output.h"

/* The outputs of a model for a set of rows. */
struct predictions {
    size_t n_rows;
    bool classifier;
    double *predicted;       /* [n_rows] class codes (as doubles) or targets, owned */
    double *decision;        /* [n_rows] decision_function of a binary model, positive for
                                decision_classes[1], owned; NULL without one */
    int32_t decision_classes[2];
    double *proba;           /* [n_rows * n_proba] predict_proba, row-major, owned; NULL
                                without it */
    int32_t *proba_classes;  /* [n_proba] class codes of the columns of proba, owned */
    size_t n_proba;
    double *tuned;           /* [n_rows] class codes cut at the model's tuned threshold,
                                owned; NULL without one */
};

static void predictions_free(struct predictions *out)
{
    free(out->predicted);
    free(out->decision);
    free(out->proba);
    free(out->proba_classes);
    free(out->tuned);
    memset(out, 0, sizeof *out);
}

/* Predicts rows with model, and computes decision_function (for a model
 * fitted on two classes) and predict_proba where estimator has them. rows
 * is borrowed; *out is owned by the caller (predictions_free). */
static enum gcv_status compute_predictions(const struct gcv_estimator_ops *estimator,
                                           const void *model, const struct gcv_rows *rows,
                                           struct predictions *out, struct gcv_error *err)
{
    const size_t n = rows->n_rows;
    const size_t k = rows->n_classes > 0 ? rows->n_classes : 1;
    int32_t *classes = malloc(k * sizeof *classes);
    double *decision = NULL;
    size_t n_fitted = 0;
    enum gcv_status status;

    memset(out, 0, sizeof *out);
    out->n_rows = n;
    out->classifier = estimator->kind == GCV_ESTIMATOR_CLASSIFIER;
    out->predicted = malloc((n > 0 ? n : 1) * sizeof *out->predicted);
    if (classes == NULL || out->predicted == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n);
        goto cleanup;
    }
    if ((status = estimator->predict(model, rows, out->predicted, err)) != GCV_OK)
        goto cleanup;

    /* decision_function has one column only for a model of two classes. */
    if (out->classifier && estimator->decision_function != NULL) {
        decision = malloc((n > 0 ? n : 1) * sizeof *decision);
        if (decision == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n);
            goto cleanup;
        }
        status = estimator->decision_function(model, rows, decision, classes, &n_fitted, err);
        if (status != GCV_OK)
            goto cleanup;
        if (n_fitted == 2) {
            out->decision = decision;
            decision = NULL;
            out->decision_classes[0] = classes[0];
            out->decision_classes[1] = classes[1];
        }
    }

    if (out->classifier && estimator->predict_proba != NULL) {
        out->proba = malloc((n > 0 ? n : 1) * k * sizeof *out->proba);
        out->proba_classes = malloc(k * sizeof *out->proba_classes);
        if (out->proba == NULL || out->proba_classes == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n);
            goto cleanup;
        }
        status = estimator->predict_proba(model, rows, out->proba, out->proba_classes,
                                          &out->n_proba, err);

        /* GCV_ERR_FIT: this model has no predict_proba, as SVC fitted with
         * probability=false, so the output has no such columns. */
        if (status == GCV_ERR_FIT) {
            free(out->proba);
            out->proba = NULL;
            out->n_proba = 0;
            status = GCV_OK;
        }
    }

cleanup:
    free(classes);
    free(decision);
    if (status != GCV_OK)
        predictions_free(out);
    return status;
}

/* Cuts the positive class's score of every row at the tuned threshold of
 * header into out->tuned, as the holdout evaluation does: a decision value
 * (positive for decision_classes[1], so negated for the lower class) or a
 * probability. Leaves out->tuned NULL when header has no threshold or the
 * model gave no such score. */
static enum gcv_status apply_threshold(const struct gcv_model_header *header,
                                       struct predictions *out, struct gcv_error *err)
{
    const int32_t positive = header->threshold_positive;
    size_t column = 0;

    if (!header->has_threshold || !out->classifier)
        return GCV_OK;
    if (header->threshold_from_proba) {
        while (column < out->n_proba && out->proba_classes[column] != positive)
            column++;
        if (out->proba == NULL || column == out->n_proba)
            return GCV_OK;
    } else if (out->decision == NULL) {
        return GCV_OK;
    }
    out->tuned = malloc((out->n_rows > 0 ? out->n_rows : 1) * sizeof *out->tuned);
    if (out->tuned == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu labels", out->n_rows);
    for (size_t r = 0; r < out->n_rows; r++) {
        double score;

        if (header->threshold_from_proba)
            score = out->proba[r * out->n_proba + column];
        else
            score = out->decision_classes[0] == positive ? -out->decision[r] : out->decision[r];
        out->tuned[r] = score >= header->threshold ? (double)positive
                                                   : (double)header->threshold_negative;
    }
    return GCV_OK;
}

/* ----- CSV --------------------------------------------------------------- */

/* Writes text as one CSV field, quoted when it contains a comma, a quote
 * or a line break (RFC 4180). */
static void csv_field(FILE *stream, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, stream);
        return;
    }
    fputc('"', stream);
    for (; *text != '\0'; text++) {
        if (*text == '"')
            fputc('"', stream);
        fputc(*text, stream);
    }
    fputc('"', stream);
}

/* Checks that every class code the model put out names one of the labels
 * of the file's "classes": an estimator's own codes come from its arrays,
 * so a code outside them means the file is damaged. */
static enum gcv_status check_class_codes(const struct gcv_model_header *labels,
                                         const struct predictions *out, const char *model_path,
                                         struct gcv_error *err)
{
    const size_t n_codes = 2 * out->n_rows + out->n_proba;

    if (!out->classifier)
        return GCV_OK;
    for (size_t i = 0; i < n_codes; i++) {
        double code;

        if (i < out->n_rows)
            code = out->predicted[i];
        else if (i < 2 * out->n_rows)
            code = out->tuned != NULL ? out->tuned[i - out->n_rows] : 0;
        else
            code = out->proba_classes[i - 2 * out->n_rows];
        if (code < 0 || code >= (double)labels->n_classes)
            return gcv_error_set(err, GCV_ERR_DATA, "%s: the model gives class code %g, but its "
                                 "\"classes\" array has %zu labels: the file is damaged; "
                                 "write it again with gridcv run", model_path, code,
                                 labels->n_classes);
    }
    return GCV_OK;
}

/* Writes the label of class code as the data gave it. */
static void csv_label(FILE *stream, const struct gcv_model_header *labels, int32_t code)
{
    if (code < 0 || (size_t)code >= labels->n_classes)
        fprintf(stream, "%d", (int)code);
    else if (labels->label_kind == GCV_LABELS_STRING)
        csv_field(stream, labels->class_strings[code]);
    else
        fprintf(stream, "%lld", labels->class_integers[code]);
}

/* Writes x as the shortest decimal that reads back as the same double, so
 * equal text means equal bits. */
static void csv_number(FILE *stream, double x)
{
    char text[64];

    gcv_format_double(x, false, text, sizeof text);
    fputs(text, stream);
}

/* Writes a header line, then one line per row: prediction, then
 * tuned_prediction, decision_function and one proba_<label> column per
 * class where the model has them. */
static void write_csv(FILE *stream, const struct gcv_model_header *labels,
                      const struct predictions *out)
{
    fputs("prediction", stream);
    if (out->tuned != NULL)
        fputs(",tuned_prediction", stream);
    if (out->decision != NULL)
        fputs(",decision_function", stream);
    for (size_t c = 0; c < out->n_proba && out->proba != NULL; c++) {
        char name[600];
        char label[512];

        if (labels->label_kind == GCV_LABELS_STRING && out->proba_classes[c] >= 0 &&
            (size_t)out->proba_classes[c] < labels->n_classes)
            snprintf(label, sizeof label, "%s", labels->class_strings[out->proba_classes[c]]);
        else if (out->proba_classes[c] >= 0 && (size_t)out->proba_classes[c] < labels->n_classes)
            snprintf(label, sizeof label, "%lld",
                     labels->class_integers[out->proba_classes[c]]);
        else
            snprintf(label, sizeof label, "%d", (int)out->proba_classes[c]);
        snprintf(name, sizeof name, "proba_%s", label);
        fputc(',', stream);
        csv_field(stream, name);
    }
    fputc('\n', stream);

    for (size_t r = 0; r < out->n_rows; r++) {
        if (out->classifier)
            csv_label(stream, labels, (int32_t)out->predicted[r]);
        else
            csv_number(stream, out->predicted[r]);
        if (out->tuned != NULL) {
            fputc(',', stream);
            csv_label(stream, labels, (int32_t)out->tuned[r]);
        }
        if (out->decision != NULL) {
            fputc(',', stream);
            csv_number(stream, out->decision[r]);
        }
        for (size_t c = 0; c < out->n_proba && out->proba != NULL; c++) {
            fputc(',', stream);
            csv_number(stream, out->proba[r * out->n_proba + c]);
        }
        fputc('\n', stream);
    }
}

/* ----- HDF5 -------------------------------------------------------------- */

/* Writes the labels of codes[n] as the 1-D dataset name: int64 for integer
 * labels, variable-length UTF-8 strings for string labels. */
static enum gcv_status put_labels(hid_t file, const char *name,
                                  const struct gcv_model_header *labels, const int32_t *codes,
                                  size_t n, struct gcv_error *err)
{
    enum gcv_status status = GCV_OK;

    for (size_t i = 0; i < n; i++)
        if (codes[i] < 0 || (size_t)codes[i] >= labels->n_classes)
            return gcv_error_set(err, GCV_ERR_INTERNAL, "class code %d outside [0, %zu)",
                                 (int)codes[i], labels->n_classes);

    if (labels->label_kind == GCV_LABELS_INTEGER) {
        long long *values = malloc((n > 0 ? n : 1) * sizeof *values);
        hsize_t dims[1] = {(hsize_t)n};
        hid_t space = H5Screate_simple(1, dims, NULL), dataset = H5I_INVALID_HID;

        if (values == NULL)
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu labels", n);
        for (size_t i = 0; values != NULL && i < n; i++)
            values[i] = labels->class_integers[codes[i]];
        if (status == GCV_OK && space >= 0)
            dataset = H5Dcreate2(file, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT);
        if (status == GCV_OK && (dataset < 0 || (n > 0 && H5Dwrite(dataset, H5T_NATIVE_LLONG,
                                                                   H5S_ALL, H5S_ALL,
                                                                   H5P_DEFAULT, values) < 0)))
            status = gcv_error_set(err, GCV_ERR_IO, "cannot write dataset \"%s\"", name);
        if (dataset >= 0)
            H5Dclose(dataset);
        if (space >= 0)
            H5Sclose(space);
        free(values);
        return status;
    }

    {
        const char **texts = malloc((n > 0 ? n : 1) * sizeof *texts);
        hsize_t dims[1] = {(hsize_t)n};
        hid_t space = H5Screate_simple(1, dims, NULL), dataset = H5I_INVALID_HID;
        hid_t type = H5Tcopy(H5T_C_S1);

        if (texts == NULL)
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu labels", n);
        for (size_t i = 0; texts != NULL && i < n; i++)
            texts[i] = labels->class_strings[codes[i]];
        if (type >= 0) {
            H5Tset_size(type, H5T_VARIABLE);
            H5Tset_cset(type, H5T_CSET_UTF8);
        }
        if (status == GCV_OK && space >= 0 && type >= 0)
            dataset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT);
        if (status == GCV_OK &&
            (dataset < 0 ||
             (n > 0 && H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, texts) < 0)))
            status = gcv_error_set(err, GCV_ERR_IO, "cannot write dataset \"%s\"", name);
        if (dataset >= 0)
            H5Dclose(dataset);
        if (type >= 0)
            H5Tclose(type);
        if (space >= 0)
            H5Sclose(space);
        free(texts);
        return status;
    }
}

/* Writes values[n_rows * n_columns] as a float64 dataset, 1-D when
 * n_columns is 0, else 2-D. */
static enum gcv_status put_matrix(hid_t file, const char *name, const double *values,
                                  size_t n_rows, size_t n_columns, struct gcv_error *err)
{
    hsize_t dims[2] = {(hsize_t)n_rows, (hsize_t)n_columns};
    hid_t space = H5Screate_simple(n_columns > 0 ? 2 : 1, dims, NULL);
    hid_t dataset = H5I_INVALID_HID;
    enum gcv_status status = GCV_OK;

    if (space >= 0)
        dataset = H5Dcreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    if (dataset < 0 || (n_rows > 0 && H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                                               H5P_DEFAULT, values) < 0))
        status = gcv_error_set(err, GCV_ERR_IO, "cannot write dataset \"%s\"", name);
    if (dataset >= 0)
        H5Dclose(dataset);
    if (space >= 0)
        H5Sclose(space);
    return status;
}

/* Writes the datasets predictions, decision_function, predict_proba and
 * classes (the labels of the predict_proba columns, else of the model) into
 * a new HDF5 file at path, under a temporary name renamed when complete. */
static enum gcv_status write_hdf5(const char *path, const struct gcv_model_header *labels,
                                  const struct predictions *out, struct gcv_error *err)
{
    char temp[4096 + 16];
    const char *slash = strrchr(path, '/');
    int32_t *codes = NULL;
    hid_t file;
    enum gcv_status status = GCV_OK;
    int len;

    if (slash != NULL)
        len = snprintf(temp, sizeof temp, "%.*s/.%s.partial", (int)(slash - path), path,
                       slash + 1);
    else
        len = snprintf(temp, sizeof temp, ".%s.partial", path);
    if (len < 0 || (size_t)len >= sizeof temp)
        return gcv_error_set(err, GCV_ERR_USAGE, "--out path of %zu characters is too long",
                             strlen(path));
    file = H5Fcreate(temp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return gcv_error_set(err, GCV_ERR_IO, "cannot write %s: HDF5 could not create its "
                             "temporary file %s", path, temp);

    if (out->classifier) {
        codes = malloc((out->n_rows > 0 ? out->n_rows : 1) * sizeof *codes);
        if (codes == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu labels",
                                   out->n_rows);
            goto cleanup;
        }
        for (size_t r = 0; r < out->n_rows; r++)
            codes[r] = (int32_t)out->predicted[r];
        status = put_labels(file, "predictions", labels, codes, out->n_rows, err);
        if (status == GCV_OK && out->tuned != NULL) {
            for (size_t r = 0; r < out->n_rows; r++)
                codes[r] = (int32_t)out->tuned[r];
            status = put_labels(file, "tuned_predictions", labels, codes, out->n_rows, err);
        }
    } else {
        status = put_matrix(file, "predictions", out->predicted, out->n_rows, 0, err);
    }
    if (status == GCV_OK && out->decision != NULL)
        status = put_matrix(file, "decision_function", out->decision, out->n_rows, 0, err);
    if (status == GCV_OK && out->proba != NULL)
        status = put_matrix(file, "predict_proba", out->proba, out->n_rows, out->n_proba, err);
    if (status == GCV_OK && out->classifier) {
        int32_t *all = NULL;

        if (out->proba == NULL) {
            all = malloc(labels->n_classes * sizeof *all);
            for (size_t c = 0; all != NULL && c < labels->n_classes; c++)
                all[c] = (int32_t)c;
        }
        if (out->proba == NULL && all == NULL)
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the class labels");
        else
            status = put_labels(file, "classes", labels,
                                out->proba != NULL ? out->proba_classes : all,
                                out->proba != NULL ? out->n_proba : labels->n_classes, err);
        free(all);
    }

cleanup:
    free(codes);
    if (H5Fclose(file) < 0 && status == GCV_OK)
        status = gcv_error_set(err, GCV_ERR_IO, "writing %s failed", temp);
    if (status == GCV_OK && rename(temp, path) != 0)
        status = gcv_error_set(err, GCV_ERR_IO, "cannot rename %s to %s: %s", temp, path,
                               strerror(errno));
    if (status != GCV_OK)
        unlink(temp);
    return status;
}

/* ----- saving after the refit -------------------------------------------- */

/* Writes the parameters of candidate as a JSON object into a new string
 * *out, owned by the caller. */
static enum gcv_status params_json(const struct gcv_param_set *params, char **out,
                                   struct gcv_error *err)
{
    size_t size = 0;
    FILE *stream = open_memstream(out, &size);
    char text[512];

    if (stream == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the best parameters");
    fputc('{', stream);
    for (size_t i = 0; i < params->count; i++) {
        if (i > 0)
            fputs(", ", stream);
        gcv_output_json_string(stream, params->items[i].name);
        gcv_value_format_json(&params->items[i].value, text, sizeof text);
        fprintf(stream, ": %s", text);
    }
    fputc('}', stream);
    if (fclose(stream) != 0) {
        free(*out);
        *out = NULL;
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the best parameters");
    }
    return GCV_OK;
}

/* Fills header with the labels of data (borrowed) for writing. */
static void header_from_data(const struct gcv_dataset *data, struct gcv_model_header *header)
{
    memset(header, 0, sizeof *header);
    header->format_version = GCV_MODEL_FORMAT_VERSION;
    header->n_features = data->n_features;
    header->label_kind = data->is_classification ? data->label_kind : GCV_LABELS_NONE;
    header->n_classes = data->is_classification ? data->n_classes : 0;
    header->class_integers = data->class_integers;
    header->class_strings = data->class_strings;
}

enum gcv_status gcv_predict_save_refit(const char *folder, const struct gcv_spec *spec,
                                       size_t best_index,
                                       const struct gcv_estimator_ops *estimator,
                                       const void *model, const struct gcv_dataset *data,
                                       const size_t *holdout, size_t n_holdout,
                                       const struct gcv_threshold_result *threshold,
                                       struct gcv_error *err)
{
    struct gcv_model_header header;
    struct predictions out = {0};
    struct gcv_output_file file;
    char path[4096];
    char *best_params = NULL;
    enum gcv_status status;

    if (estimator->save == NULL) {
        gcv_log_warn("%s cannot be saved yet: no %s written", estimator->name,
                     GCV_PREDICT_MODEL_FILE);
        return GCV_OK;
    }

    /* model.h5, with the tuned threshold when there is one. */
    header_from_data(data, &header);
    if (threshold != NULL && threshold->done) {
        header.has_threshold = true;
        header.threshold = threshold->threshold;
        header.threshold_from_proba = threshold->from_proba;
        header.threshold_positive = threshold->positive;
        header.threshold_negative = threshold->negative;
    }
    header.estimator = (char *)estimator->name;
    status = params_json(&spec->grid.candidates[best_index], &best_params, err);
    if (status != GCV_OK)
        return status;
    header.best_params = best_params;
    snprintf(path, sizeof path, "%s/%s", folder, GCV_PREDICT_MODEL_FILE);
    status = gcv_model_file_write(path, &header, estimator->save, model, err);
    free(best_params);
    if (status != GCV_OK || n_holdout == 0)
        return status;

    /* holdout_predictions.csv */
    const struct gcv_rows rows = {
        .X = data->X,
        .n_features = data->n_features,
        .index = holdout,
        .n_rows = n_holdout,
        .n_classes = data->is_classification ? data->n_classes : 0,
    };
    if ((status = compute_predictions(estimator, model, &rows, &out, err)) != GCV_OK ||
        (status = apply_threshold(&header, &out, err)) != GCV_OK) {
        predictions_free(&out);
        return status;
    }
    if ((status = gcv_output_open(&file, folder, GCV_PREDICT_HOLDOUT_FILE, err)) == GCV_OK) {
        write_csv(file.stream, &header, &out);
        status = gcv_output_commit(&file, err);
    }
    predictions_free(&out);
    return status;
}

/* ----- gridcv predict ---------------------------------------------------- */

/* Loads the model of the open model file into *model, with its estimator. */
static enum gcv_status load_model(const struct gcv_model_header *header, hid_t group,
                                  const char *path, const struct gcv_estimator_ops **estimator,
                                  void **model, struct gcv_error *err)
{
    enum gcv_status status;

    status = gcv_estimator_resolve(header->estimator, estimator, err);
    if (status != GCV_OK)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: the model's estimator \"%s\" is unknown "
                             "to this gridcv", path, header->estimator);
    if ((*estimator)->load == NULL)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: this gridcv cannot load a %s model", path,
                             header->estimator);
    if ((*estimator)->kind == GCV_ESTIMATOR_CLASSIFIER && header->label_kind == GCV_LABELS_NONE)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: the classifier %s has no class labels",
                             path, header->estimator);
    status = (*estimator)->load(group, model, err);
    if (status == GCV_ERR_DATA) {
        char reason[GCV_ERROR_MAX];

        snprintf(reason, sizeof reason, "%s", err->message);
        return gcv_error_set(err, status, "%s: /model: %s: the file is damaged; write it again "
                             "with gridcv run", path, reason);
    }
    if (status != GCV_OK)
        gcv_error_prefix(err, "%s: /model: ", path);
    return status;
}

/* Reads X alone from data_path as `gridcv run` reads data, and checks its
 * width against the model's. */
static enum gcv_status load_rows(const struct gcv_predict_options *options, size_t n_features,
                                 struct gcv_dataset *data, struct gcv_error *err)
{
    const char *paths[1] = {options->data_path};
    const struct gcv_dataset_source source = {
        .paths = paths,
        .n_paths = 1,
        .X = options->X_name,
        .paths_key = "DATA",
        .X_key = "--X",
    };
    enum gcv_status status;

    if ((status = gcv_dataset_load(&source, data, err)) != GCV_OK)
        return status;
    if (data->n_features != n_features)
        return gcv_error_set(err, GCV_ERR_DATA, "%s: dataset \"%s\" has %zu features, but the "
                             "model was fitted on %zu: give rows with the features of the "
                             "training data, in the same order", options->data_path,
                             options->X_name, data->n_features, n_features);
    return GCV_OK;
}

/* Checks --out before any row is read, and writes into resolved[len] the
 * path to write: path itself, or the file a symbolic link names, so that
 * the rename of the finished file replaces that file and keeps the link.
 * Rejects (GCV_ERR_USAGE) a folder, a FIFO or a device (the rename would
 * replace it, /dev/stdout included), a dangling link and a path whose
 * folder does not exist. */
static enum gcv_status check_out_path(const char *path, char *resolved, size_t len,
                                      struct gcv_error *err)
{
    struct stat info;
    char folder[4096];
    const char *slash = strrchr(path, '/');

    if (path[0] == '\0')
        return gcv_error_set(err, GCV_ERR_USAGE, "--out is empty; give a file path, or leave "
                             "--out out to write CSV to standard output");
    snprintf(resolved, len, "%s", path);
    if (lstat(path, &info) == 0) {
        if (S_ISLNK(info.st_mode)) {
            char *target = realpath(path, NULL);

            if (target == NULL || stat(target, &info) != 0) {
                free(target);
                return gcv_error_set(err, GCV_ERR_USAGE, "--out %s is a symbolic link to a "
                                     "missing file", path);
            }
            snprintf(resolved, len, "%s", target);
            free(target);
        }
        if (S_ISDIR(info.st_mode))
            return gcv_error_set(err, GCV_ERR_USAGE, "--out %s is a folder; give a file path "
                                 "such as %s/predictions.csv", path, path);
        if (!S_ISREG(info.st_mode))
            return gcv_error_set(err, GCV_ERR_USAGE, "--out %s is not a regular file (a device "
                                 "or a FIFO), which writing would replace; leave --out out, or "
                                 "give -, to write CSV to standard output", path);
        return GCV_OK;
    }
    if (errno != ENOENT)
        return gcv_error_set(err, GCV_ERR_USAGE, "--out %s cannot be used: %s", path,
                             strerror(errno));
    if (slash == NULL)
        return GCV_OK;
    snprintf(folder, sizeof folder, "%.*s", (int)(slash - path), path);
    if (folder[0] != '\0' && (stat(folder, &info) != 0 || !S_ISDIR(info.st_mode)))
        return gcv_error_set(err, GCV_ERR_USAGE, "--out %s: the folder %s does not exist; "
                             "create it first", path, folder);
    return GCV_OK;
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);

    return n >= m && strcmp(text + n - m, suffix) == 0;
}

int gcv_predict_run(const struct gcv_predict_options *options)
{
    struct gcv_error err = {0};
    struct gcv_model_header header = {0};
    struct gcv_dataset data = {0};
    struct predictions out = {0};
    const struct gcv_estimator_ops *estimator = NULL;
    size_t *index = NULL;
    void *model = NULL;
    hid_t file = H5I_INVALID_HID, group = H5I_INVALID_HID;
    const char *out_path = options->out_path;
    char resolved[4096];
    enum gcv_status status;

    /* "-" is standard output, as for most command-line tools. */
    if (out_path != NULL && strcmp(out_path, "-") == 0)
        out_path = NULL;
    if (out_path != NULL &&
        (status = check_out_path(out_path, resolved, sizeof resolved, &err)) != GCV_OK)
        goto cleanup;
    if (out_path != NULL)
        out_path = resolved;

    /* The model, then the rows. */
    status = gcv_model_file_open(options->model_path, &header, &file, &group, &err);
    if (status != GCV_OK)
        goto cleanup;
    status = load_model(&header, group, options->model_path, &estimator, &model, &err);
    H5Gclose(group);
    H5Fclose(file);
    if (status != GCV_OK ||
        (status = load_rows(options, header.n_features, &data, &err)) != GCV_OK)
        goto cleanup;

    /* Every row, in file order. */
    index = malloc(data.n_rows * sizeof *index);
    if (index == NULL) {
        status = gcv_error_set(&err, GCV_ERR_NOMEM, "out of memory for %zu rows", data.n_rows);
        goto cleanup;
    }
    for (size_t r = 0; r < data.n_rows; r++)
        index[r] = r;
    const struct gcv_rows rows = {
        .X = data.X,
        .n_features = data.n_features,
        .index = index,
        .n_rows = data.n_rows,
        .n_classes = header.n_classes,
    };
    if ((status = compute_predictions(estimator, model, &rows, &out, &err)) != GCV_OK ||
        (status = apply_threshold(&header, &out, &err)) != GCV_OK ||
        (status = check_class_codes(&header, &out, options->model_path, &err)) != GCV_OK)
        goto cleanup;

    /* Standard output, a CSV file or an HDF5 file. */
    if (out_path == NULL) {
        write_csv(stdout, &header, &out);
        if (fflush(stdout) != 0 || ferror(stdout))
            status = gcv_error_set(&err, GCV_ERR_IO, "writing the predictions to standard "
                                   "output failed");
    } else if (ends_with(out_path, ".csv")) {
        struct gcv_output_file csv;
        char folder[4096];
        const char *slash = strrchr(out_path, '/');

        if (slash != NULL)
            snprintf(folder, sizeof folder, "%.*s", (int)(slash - out_path), out_path);
        else
            snprintf(folder, sizeof folder, ".");
        status = gcv_output_open(&csv, folder[0] != '\0' ? folder : "/",
                                 slash != NULL ? slash + 1 : out_path, &err);
        if (status == GCV_OK) {
            write_csv(csv.stream, &header, &out);
            status = gcv_output_commit(&csv, &err);
        }
    } else {
        status = write_hdf5(out_path, &header, &out, &err);
    }

cleanup:
    if (status != GCV_OK)
        fprintf(stderr, "gridcv: error: predict: %s\n", err.message);
    predictions_free(&out);
    free(index);
    if (model != NULL)
        estimator->model_free(model);
    gcv_dataset_free(&data);
    gcv_model_header_free(&header);
    return gcv_status_exit_code(status);
}
