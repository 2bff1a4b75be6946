/* Pipeline: transformers, then a final estimator (see pipeline.h).
 *
 * Fit: the first step is fitted on the training rows as they are. Each
 * transformer writes a contiguous copy of the rows, and the next step is
 * fitted on that copy, with the targets gathered alongside. Predict: the rows
 * go through every fitted transformer, then the final estimator predicts.
 * Cost: each transformer adds one pass over the rows and one copy of
 * them, once per fold and transformer parameters while the fold cache
 * keeps them (see fitted_prefix below). */
#include "pipeline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fold_cache.h"
#include "param_check.h"

#define PIPELINE_MAX_STEPS 16
#define STEP_NAME_MAX 64

/* The estimator table of a pipeline, with the storage its pointers refer
 * to. ops comes first, so a pointer to it is a pointer to the whole. */
struct pipeline_ops {
    struct gcv_estimator_ops ops;
    char name[GCV_ESTIMATOR_NAME_MAX];
    const struct gcv_estimator_ops *steps[PIPELINE_MAX_STEPS];
    char step_names[PIPELINE_MAX_STEPS][STEP_NAME_MAX];
    char path_param[STEP_NAME_MAX + 64]; /* "<final step>__<its path_param>", or "" */
};

static const struct pipeline_ops *as_pipeline(const struct gcv_estimator_ops *ops)
{
    return (const struct pipeline_ops *)ops;
}

const char *gcv_pipeline_step_name(const struct gcv_estimator_ops *pipeline, size_t step)
{
    return as_pipeline(pipeline)->step_names[step];
}

/* ----- parameters -------------------------------------------------------- */

static void pipeline_params_free(void *params_pointer)
{
    struct gcv_pipeline_params *params = params_pointer;

    if (params == NULL)
        return;
    for (size_t s = 0; s < params->n_steps && params->step_params != NULL; s++)
        if (params->step_params[s] != NULL)
            params->steps[s]->params_free(params->step_params[s]);
    free(params->step_params);
    free(params->prefix_key);
    free(params);
}

/* Checks a parameter of the Pipeline itself: memory (only null, as the
 * fold cache keeps fitted transformers) and verbose (no effect). Returns
 * GCV_ERR_PARAM for any other name, with err untouched, so the caller can
 * report it. */
static enum gcv_status parse_own_param(const struct gcv_param *param, bool *handled,
                                       struct gcv_error *err)
{
    *handled = true;
    if (strcmp(param->name, "verbose") == 0) {
        bool verbose;
        return gcv_param_check_bool("Pipeline", param, &verbose, err);
    }
    if (strcmp(param->name, "memory") == 0) {
        if (param->value.kind == GCV_VALUE_NULL)
            return GCV_OK;
        return gcv_param_check_unsupported(param, "gridcv keeps fitted transformers in its "
                                           "fold cache (--fold-cache-mb) instead; use null",
                                           err);
    }
    *handled = false;
    return GCV_ERR_PARAM;
}

static int compare_param_names(const void *a, const void *b)
{
    const struct gcv_param *const *x = a;
    const struct gcv_param *const *y = b;

    return strcmp((*x)->name, (*y)->name);
}

/* Writes one transformer's class name and parameter set into stream,
 * sorted by name, each name and string with its length and each value
 * with its type, so that two different sets never give the same text.
 * Reals are written in hexadecimal (%a), which keeps every bit. */
static bool write_step_key(FILE *stream, const char *name, const struct gcv_param_set *set)
{
    const struct gcv_param **sorted = malloc((set->count > 0 ? set->count : 1) *
                                             sizeof *sorted); /* [set->count] */

    if (sorted == NULL)
        return false;
    for (size_t i = 0; i < set->count; i++)
        sorted[i] = &set->items[i];
    qsort(sorted, set->count, sizeof *sorted, compare_param_names);

    fprintf(stream, "%s(", name);
    for (size_t i = 0; i < set->count; i++) {
        const struct gcv_value *value = &sorted[i]->value;

        fprintf(stream, "%zu:%s=", strlen(sorted[i]->name), sorted[i]->name);
        switch (value->kind) {
        case GCV_VALUE_NULL:
            fprintf(stream, "null;");
            break;
        case GCV_VALUE_BOOL:
            fprintf(stream, "bool:%d;", value->boolean ? 1 : 0);
            break;
        case GCV_VALUE_INT:
            fprintf(stream, "int:%lld;", value->integer);
            break;
        case GCV_VALUE_REAL:
            fprintf(stream, "real:%a;", value->real);
            break;
        case GCV_VALUE_STRING:
            fprintf(stream, "string%zu:%s;", strlen(value->string), value->string);
            break;
        }
    }
    fprintf(stream, ")");
    free(sorted);
    return true;
}

/* Writes the key of the transformers steps[0 .. n_transformers), with the
 * parameter sets step_sets, into parsed->prefix_key and parsed->prefix_hash
 * (64-bit FNV-1a of the text, its top 53 bits). Equal sets parse into equal
 * parameters, so equal keys mean equal fitted transformers. A default
 * written out in one setting and left out in another gives two keys,
 * which costs a fit that could have been shared, never a wrong result. */
static enum gcv_status make_prefix_key(const struct gcv_estimator_ops *const *steps,
                                       const struct gcv_param_set *step_sets,
                                       size_t n_transformers,
                                       struct gcv_pipeline_params *parsed,
                                       struct gcv_error *err)
{
    size_t length = 0;
    FILE *stream = open_memstream(&parsed->prefix_key, &length);
    bool written = stream != NULL;
    uint64_t hash = 0xCBF29CE484222325ULL;

    for (size_t s = 0; s < n_transformers && written; s++)
        written = write_step_key(stream, steps[s]->name, &step_sets[s]);
    if (stream != NULL && ferror(stream))
        written = false;
    if (stream != NULL && fclose(stream) != 0)
        written = false;
    if (!written) {
        free(parsed->prefix_key);
        parsed->prefix_key = NULL;
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for pipeline parameters");
    }
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)parsed->prefix_key[i];
        hash *= 0x100000001B3ULL;
    }
    parsed->prefix_hash = (double)(hash >> 11);
    return GCV_OK;
}

enum gcv_status gcv_pipeline_params_parse(const struct gcv_estimator_ops *pipeline,
                                          const struct gcv_param_set *params, void **out,
                                          struct gcv_error *err)
{
    const struct pipeline_ops *table = as_pipeline(pipeline);
    const size_t n_steps = pipeline->n_steps;
    struct gcv_param_set step_sets[PIPELINE_MAX_STEPS] = {{0}};
    struct gcv_pipeline_params *parsed = calloc(1, sizeof *parsed);
    enum gcv_status status = GCV_OK;

    *out = NULL;
    if (parsed != NULL)
        parsed->step_params = calloc(n_steps, sizeof *parsed->step_params);
    if (parsed == NULL || parsed->step_params == NULL) {
        free(parsed);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for pipeline parameters");
    }
    parsed->n_steps = n_steps;
    parsed->steps = pipeline->steps;

    /* Each "step__name" to the set of its step, as "name". */
    for (size_t i = 0; i < params->count && status == GCV_OK; i++) {
        const struct gcv_param *param = &params->items[i];
        const char *separator = strstr(param->name, "__");
        size_t s = 0;
        bool handled;

        if (separator != NULL) {
            const size_t prefix = (size_t)(separator - param->name);
            while (s < n_steps && (strlen(table->step_names[s]) != prefix ||
                                   strncmp(table->step_names[s], param->name, prefix) != 0))
                s++;
        }
        if (separator != NULL && s < n_steps) {
            status = gcv_param_set_put(&step_sets[s], separator + 2, &param->value, param->where,
                                       err);
            continue;
        }
        status = parse_own_param(param, &handled, err);
        if (!handled) {
            char accepted[GCV_ESTIMATOR_NAME_MAX];
            size_t used = 0;

            for (size_t k = 0; k < n_steps && used < sizeof accepted; k++)
                used += (size_t)snprintf(accepted + used, sizeof accepted - used, "%s__<%s "
                                         "parameter>, ", table->step_names[k],
                                         table->steps[k]->name);
            if (used < sizeof accepted)
                snprintf(accepted + used, sizeof accepted - used, "memory, verbose");
            status = gcv_param_check_unknown(pipeline->name, param, accepted, err);
        }
    }

    /* Each step checks its own parameters. */
    for (size_t s = 0; s < n_steps && status == GCV_OK; s++) {
        status = pipeline->steps[s]->params_parse(&step_sets[s], &parsed->step_params[s], err);
        if (status != GCV_OK)
            gcv_error_prefix(err, "pipeline step %s: ", table->step_names[s]);
    }
    if (status == GCV_OK && n_steps > 1)
        status = make_prefix_key(pipeline->steps, step_sets, n_steps - 1, parsed, err);

    for (size_t s = 0; s < n_steps; s++)
        gcv_param_set_clear(&step_sets[s]);
    if (status != GCV_OK) {
        pipeline_params_free(parsed);
        return status;
    }
    *out = parsed;
    return GCV_OK;
}

/* ----- model ------------------------------------------------------------- */

/* Frees the fitted models step_models[n_steps] of steps, each with its
 * step's model_free, then the array. Accepts NULL entries and array. */
static void free_step_models(const struct gcv_estimator_ops *const *steps, void **step_models,
                             size_t n_steps)
{
    for (size_t s = 0; s < n_steps && step_models != NULL; s++)
        if (step_models[s] != NULL)
            steps[s]->model_free(step_models[s]);
    free(step_models);
}

static void pipeline_model_free(void *model_pointer)
{
    struct gcv_pipeline_model *model = model_pointer;

    if (model == NULL)
        return;
    free_step_models(model->steps, model->step_models, model->n_steps);
    free(model);
}

/* The first warning of any step (the final estimator's ConvergenceWarning,
 * in practice). */
static const char *pipeline_fit_warning(const void *model_pointer)
{
    const struct gcv_pipeline_model *model = model_pointer;

    for (size_t s = 0; s < model->n_steps; s++) {
        const char *warning;

        if (model->steps[s]->fit_warning == NULL)
            continue;
        if ((warning = model->steps[s]->fit_warning(model->step_models[s])) != NULL)
            return warning;
    }
    return NULL;
}

/* Passes rows through the fitted transformers model->step_models[0..n):
 * on success *X_out is a malloc'd [rows->n_rows * n_features] copy of the
 * transformed rows, row-major, owned by the caller. */
static enum gcv_status transform_rows(const struct gcv_pipeline_model *model, size_t n,
                                      const struct gcv_rows *rows, double **X_out,
                                      size_t *identity, struct gcv_error *err)
{
    const size_t count = rows->n_rows;
    const size_t d = rows->n_features;
    struct gcv_rows current = *rows;
    double *X = NULL;
    enum gcv_status status = GCV_OK;

    *X_out = NULL;
    for (size_t s = 0; s < n; s++) {
        double *next = malloc((count * d > 0 ? count * d : 1) * sizeof *next);

        if (next == NULL) {
            free(X);
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory transforming %zu rows",
                                 count);
        }
        status = model->steps[s]->transform(model->step_models[s], &current, next, err);
        free(X);
        X = next;
        if (status != GCV_OK) {
            free(X);
            return status;
        }
        current.X = X;
        current.index = identity;
    }
    *X_out = X;
    return GCV_OK;
}

/* ----- fitted transformers, shared through the fold cache ---------------- */

/* The transformers of a pipeline fitted on one fold's training rows, and
 * those rows as the last transformer wrote them. They depend only on the
 * rows and on the transformers' parameters, so every setting of the fold
 * that differs only in the final step's parameters would fit the same. The
 * fold cache keeps one (GCV_FOLD_CACHE_PIPELINE_PREFIX), found by the
 * training rows and prefix_hash and confirmed by the key text. A fit takes
 * it out of the cache and copies the models into its own pipeline model.
 * It then fits the final step on X and stores it again, so the final
 * step's own use of the cache cannot evict X while it reads it. The
 * computation is the same with or without the cache, so the bits of every
 * model are too. */
struct fitted_prefix {
    char *key;          /* the prefix_key of the parameters it was fitted with, owned */
    double hash;        /* their prefix_hash */
    const struct gcv_estimator_ops *steps[PIPELINE_MAX_STEPS]; /* [n_steps], a copy of the
                                                                  pipeline's, which the
                                                                  cache may outlive */
    size_t n_steps;     /* the transformers: every step but the last */
    void **step_models; /* [n_steps] each owned, freed with steps[s]->model_free */
    double *X;          /* [n_rows * n_features] the rows the last transformer wrote,
                           row-major, owned */
    size_t n_rows;
    size_t n_features;
};

static void fitted_prefix_free(void *pointer)
{
    struct fitted_prefix *prefix = pointer;

    if (prefix == NULL)
        return;
    free_step_models(prefix->steps, prefix->step_models, prefix->n_steps);
    free(prefix->X);
    free(prefix->key);
    free(prefix);
}

/* The bytes of prefix, for the fold cache's budget. Each model counts as
 * two arrays of n_features doubles, the most that a scaler of scalers.h
 * keeps. */
static size_t fitted_prefix_bytes(const struct fitted_prefix *prefix)
{
    const size_t model_bytes = sizeof *prefix->step_models + 2 * prefix->n_features *
                                                                 sizeof(double);

    return sizeof *prefix + strlen(prefix->key) + 1 + prefix->n_steps * model_bytes +
           prefix->n_rows * prefix->n_features * sizeof *prefix->X;
}

/* Returns true when prefix contains the transformers of params fitted on
 * rows of train's shape. The fold cache found it by train's rows. */
static bool fitted_prefix_matches(const struct fitted_prefix *prefix,
                                  const struct gcv_pipeline_params *params,
                                  const struct gcv_rows *train)
{
    if (prefix->n_steps != params->n_steps - 1 || prefix->n_rows != train->n_rows ||
        prefix->n_features != train->n_features || strcmp(prefix->key, params->prefix_key) != 0)
        return false;
    for (size_t s = 0; s < prefix->n_steps; s++)
        if (prefix->steps[s] != params->steps[s])
            return false;
    return true;
}

/* Hands prefix to the fold cache as the transformers fitted on train, or
 * frees it when the cache is off or has no room for it. Accepts NULL. */
static void keep_fitted_prefix(struct fitted_prefix *prefix, const struct gcv_rows *train)
{
    struct gcv_fold_rows rows;
    size_t bytes;

    if (prefix == NULL)
        return;
    bytes = fitted_prefix_bytes(prefix);

    /* The rows are looked up again, because the final step's fit may have
     * evicted them since the prefix was taken. */
    if (!gcv_fold_cache_rows_key(train->X, train->index, train->n_rows, train->n_features,
                                 &rows) ||
        !gcv_fold_cache_reserve(&rows, 0, bytes)) {
        fitted_prefix_free(prefix);
        return;
    }
    gcv_fold_cache_store(&rows, GCV_FOLD_CACHE_PIPELINE_PREFIX, 0, prefix->hash, prefix, bytes,
                         fitted_prefix_free);
}

/* Fits the transformers of params in turn: the first on train, each later
 * one on the rows the one before wrote, seen through gathered (rows
 * 0..n-1 with train's targets in fold order). On success *out is owned by
 * the caller (fitted_prefix_free or keep_fitted_prefix). */
static enum gcv_status fit_prefix(const struct gcv_pipeline_params *params,
                                  const struct gcv_rows *train, const struct gcv_rows *gathered,
                                  struct fitted_prefix **out, struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    struct fitted_prefix *prefix = calloc(1, sizeof *prefix);
    struct gcv_rows current = *train;
    enum gcv_status status = GCV_OK;

    *out = NULL;
    if (prefix != NULL) {
        prefix->n_steps = params->n_steps - 1;
        for (size_t s = 0; s < prefix->n_steps; s++)
            prefix->steps[s] = params->steps[s];
        prefix->n_rows = n;
        prefix->n_features = d;
        prefix->hash = params->prefix_hash;
        prefix->key = strdup(params->prefix_key);
        prefix->step_models = calloc(prefix->n_steps, sizeof *prefix->step_models);
    }
    if (prefix == NULL || prefix->key == NULL || prefix->step_models == NULL) {
        fitted_prefix_free(prefix);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting a pipeline on %zu rows",
                             n);
    }

    /* Each transformer: fit on the current rows, then transform them. */
    for (size_t s = 0; s < prefix->n_steps; s++) {
        const struct gcv_estimator_ops *step = params->steps[s];
        double *next;

        status = step->fit(params->step_params[s], &current, &prefix->step_models[s], err);
        if (status != GCV_OK)
            goto cleanup;
        next = malloc((n * d > 0 ? n * d : 1) * sizeof *next);
        if (next == NULL) {
            status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory transforming %zu rows", n);
            goto cleanup;
        }
        status = step->transform(prefix->step_models[s], &current, next, err);
        free(prefix->X);
        prefix->X = next;
        if (status != GCV_OK)
            goto cleanup;
        current = *gathered;
        current.X = prefix->X;
    }

cleanup:
    if (status != GCV_OK) {
        fitted_prefix_free(prefix);
        return status;
    }
    *out = prefix;
    return GCV_OK;
}

/* Takes the transformers of params fitted on train out of the fold cache,
 * or fits them (fit_prefix) when the cache has none. On success *out is
 * owned by the caller until keep_fitted_prefix. */
static enum gcv_status acquire_prefix(const struct gcv_pipeline_params *params,
                                      const struct gcv_rows *train,
                                      const struct gcv_rows *gathered,
                                      struct fitted_prefix **out, struct gcv_error *err)
{
    struct gcv_fold_rows rows;
    struct fitted_prefix *prefix = NULL;

    if (gcv_fold_cache_rows_key(train->X, train->index, train->n_rows, train->n_features, &rows))
        prefix = gcv_fold_cache_take(&rows, GCV_FOLD_CACHE_PIPELINE_PREFIX, 0,
                                     params->prefix_hash);

    /* Other transformers under the same hash: the ones fitted now replace
     * them in the cache. */
    if (prefix != NULL && !fitted_prefix_matches(prefix, params, train)) {
        fitted_prefix_free(prefix);
        prefix = NULL;
    }
    if (prefix != NULL) {
        *out = prefix;
        return GCV_OK;
    }
    return fit_prefix(params, train, gathered, out, err);
}

/* The training rows after a pipeline's transformers, and the buffers
 * that contain them. */
struct transformed {
    struct gcv_rows rows;  /* the final estimator's training rows */
    const struct gcv_rows *train; /* the rows the transformers were fitted on, borrowed */
    size_t *identity;      /* [n] 0..n-1, owned */
    int32_t *y_class;      /* [n] gathered class codes, owned, or NULL */
    double *y_value;       /* [n] gathered targets, owned, or NULL */
    struct fitted_prefix *prefix; /* the fitted transformers, whose X is rows.X, owned until
                                     transformed_release; NULL without transformers */
};

/* Frees the buffers of t and hands its fitted transformers back to the
 * fold cache (keep_fitted_prefix). */
static void transformed_release(struct transformed *t)
{
    keep_fitted_prefix(t->prefix, t->train);
    t->prefix = NULL;
    free(t->identity);
    free(t->y_class);
    free(t->y_value);
}

/* Creates models[n_models] with their transformers fitted on train and
 * writes the rows the final estimator fits on into *out. The transformers
 * are fitted once, or found in the fold cache (acquire_prefix), and every
 * model gets copies of them (model_copy). They do not depend on the final
 * estimator's parameters, which alone may differ between params[i]. On
 * failure every models[i] is NULL. */
static enum gcv_status fit_transformers(const struct gcv_pipeline_params *const *params,
                                        size_t n_models, const struct gcv_rows *train,
                                        struct gcv_pipeline_model **models,
                                        struct transformed *out, struct gcv_error *err)
{
    const size_t n = train->n_rows;
    const size_t d = train->n_features;
    const size_t last = params[0]->n_steps - 1;
    struct gcv_rows gathered;
    enum gcv_status status = GCV_OK;

    memset(out, 0, sizeof *out);
    out->rows = *train;
    out->train = train;
    out->identity = malloc((n > 0 ? n : 1) * sizeof *out->identity);
    for (size_t i = 0; i < n_models; i++) {
        models[i] = calloc(1, sizeof *models[i]);
        if (models[i] != NULL)
            models[i]->step_models = calloc(params[i]->n_steps, sizeof *models[i]->step_models);
        if (models[i] == NULL || models[i]->step_models == NULL) {
            status = GCV_ERR_NOMEM;
            if (models[i] != NULL)
                pipeline_model_free(models[i]);
            models[i] = NULL;
            continue;
        }
        models[i]->n_steps = params[i]->n_steps;
        models[i]->steps = params[i]->steps;
        models[i]->n_features = d;
    }
    if (status != GCV_OK || out->identity == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting a pipeline on %zu rows",
                               n);
        goto cleanup;
    }
    for (size_t r = 0; r < n; r++)
        out->identity[r] = r;
    if (last == 0)
        goto cleanup;

    /* Targets in fold order, for the steps after the first. */
    if (train->y_class != NULL &&
        (out->y_class = malloc((n > 0 ? n : 1) * sizeof *out->y_class)) != NULL)
        for (size_t r = 0; r < n; r++)
            out->y_class[r] = train->y_class[train->index[r]];
    if (train->y_value != NULL &&
        (out->y_value = malloc((n > 0 ? n : 1) * sizeof *out->y_value)) != NULL)
        for (size_t r = 0; r < n; r++)
            out->y_value[r] = train->y_value[train->index[r]];
    if ((train->y_class != NULL && out->y_class == NULL) ||
        (train->y_value != NULL && out->y_value == NULL)) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting a pipeline on %zu "
                               "rows", n);
        goto cleanup;
    }
    gathered = *train;
    gathered.index = out->identity;
    gathered.y_class = out->y_class;
    gathered.y_value = out->y_value;

    /* The transformers, then a copy of each for every model. */
    if ((status = acquire_prefix(params[0], train, &gathered, &out->prefix, err)) != GCV_OK)
        goto cleanup;
    for (size_t i = 0; i < n_models && status == GCV_OK; i++) {
        for (size_t s = 0; s < last && status == GCV_OK; s++) {
            models[i]->step_models[s] = params[i]->steps[s]->model_copy(
                out->prefix->step_models[s]);
            if (models[i]->step_models[s] == NULL)
                status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory copying a fitted %s",
                                       params[i]->steps[s]->name);
        }
    }
    out->rows = gathered;
    out->rows.X = out->prefix->X;

cleanup:
    if (status != GCV_OK) {
        for (size_t i = 0; i < n_models; i++) {
            pipeline_model_free(models[i]);
            models[i] = NULL;
        }
        transformed_release(out);
    }
    return status;
}

/* Fits every step; the final estimator starts from previous's final
 * model when previous is not NULL (a warm start along its path). The
 * transformers are fitted as usual, since they do not depend on the path
 * parameter. */
static enum gcv_status fit_path(const void *params_pointer, const struct gcv_rows *train,
                                const struct gcv_pipeline_model *previous, void **model_out,
                                struct gcv_error *err)
{
    const struct gcv_pipeline_params *params = params_pointer;
    const size_t last = params->n_steps - 1;
    struct gcv_pipeline_model *model = NULL;
    struct transformed current;
    enum gcv_status status;

    *model_out = NULL;
    if ((status = fit_transformers(&params, 1, train, &model, &current, err)) != GCV_OK)
        return status;

    /* The final estimator, on the transformed rows. */
    if (previous != NULL)
        status = params->steps[last]->fit_from(params->step_params[last], &current.rows,
                                               previous->step_models[last],
                                               &model->step_models[last], err);
    else
        status = params->steps[last]->fit(params->step_params[last], &current.rows,
                                          &model->step_models[last], err);
    transformed_release(&current);
    if (status != GCV_OK) {
        pipeline_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

static enum gcv_status pipeline_fit(const void *params, const struct gcv_rows *train,
                                    void **model, struct gcv_error *err)
{
    return fit_path(params, train, NULL, model, err);
}

static enum gcv_status pipeline_fit_from(const void *params, const struct gcv_rows *train,
                                         const void *previous, void **model,
                                         struct gcv_error *err)
{
    return fit_path(params, train, previous, model, err);
}

/* The transformers once for all settings (fit_transformers), then the
 * final estimator's batch fit on the transformed rows. */
static enum gcv_status pipeline_fit_batch(const void *const *params_pointers, size_t n,
                                          const struct gcv_rows *train, void **models_out,
                                          enum gcv_status *statuses, struct gcv_error *errors,
                                          struct gcv_error *err)
{
    const struct gcv_pipeline_params *const *params =
        (const struct gcv_pipeline_params *const *)params_pointers;
    const size_t last = params[0]->n_steps - 1;
    const struct gcv_estimator_ops *final = params[0]->steps[last];
    struct gcv_pipeline_model **models = calloc(n > 0 ? n : 1, sizeof *models); /* [n] */
    const void **final_params = calloc(n > 0 ? n : 1, sizeof *final_params);   /* [n] */
    void **final_models = calloc(n > 0 ? n : 1, sizeof *final_models);         /* [n] */
    struct transformed current;
    enum gcv_status status;

    for (size_t i = 0; i < n; i++)
        models_out[i] = NULL;
    if (models == NULL || final_params == NULL || final_models == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory fitting %zu pipeline "
                               "settings", n);
        goto cleanup;
    }
    if ((status = fit_transformers(params, n, train, models, &current, err)) != GCV_OK)
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        final_params[i] = params[i]->step_params[last];
    status = final->fit_batch(final_params, n, &current.rows, final_models, statuses, errors,
                              err);
    transformed_release(&current);
    for (size_t i = 0; i < n; i++) {
        if (status == GCV_OK && statuses[i] == GCV_OK) {
            models[i]->step_models[last] = final_models[i];
            models_out[i] = models[i];
        } else {
            pipeline_model_free(models[i]);
        }
    }

cleanup:
    free(models);
    free(final_params);
    free(final_models);
    return status;
}

static enum gcv_status pipeline_predict(const void *model_pointer, const struct gcv_rows *rows,
                                        double *out, struct gcv_error *err)
{
    const struct gcv_pipeline_model *model = model_pointer;
    const size_t last = model->n_steps - 1;
    const size_t n = rows->n_rows;
    struct gcv_rows current = *rows;
    size_t *identity = NULL;   /* [n] 0..n-1 */
    double *X = NULL;          /* [n * n_features] transformed rows */
    enum gcv_status status;

    if (rows->n_features != model->n_features)
        return gcv_error_set(err, GCV_ERR_DATA, "the pipeline was fitted on %zu features, the "
                             "rows have %zu", model->n_features, rows->n_features);
    if (last > 0) {
        identity = malloc((n > 0 ? n : 1) * sizeof *identity);
        if (identity == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n);
        for (size_t r = 0; r < n; r++)
            identity[r] = r;
        if ((status = transform_rows(model, last, rows, &X, identity, err)) != GCV_OK)
            goto cleanup;
        current.X = X;
        current.index = identity;
    }
    status = model->steps[last]->predict(model->step_models[last], &current, out, err);

cleanup:
    free(X);
    free(identity);
    return status;
}

/* Passes rows through the fitted transformers of model and calls fn, the
 * final step's decision_function or predict_proba, on the result. */
static enum gcv_status pipeline_forward(const struct gcv_pipeline_model *model,
                                        const struct gcv_rows *rows,
                                        enum gcv_status (*fn)(const void *, const struct gcv_rows *,
                                                              double *, int32_t *, size_t *,
                                                              struct gcv_error *),
                                        double *out, int32_t *classes, size_t *n_classes,
                                        struct gcv_error *err)
{
    const size_t last = model->n_steps - 1;
    const size_t n = rows->n_rows;
    struct gcv_rows current = *rows;
    size_t *identity = NULL;   /* [n] 0..n-1 */
    double *X = NULL;          /* [n * n_features] transformed rows */
    enum gcv_status status;

    if (rows->n_features != model->n_features)
        return gcv_error_set(err, GCV_ERR_DATA, "the pipeline was fitted on %zu features, the "
                             "rows have %zu", model->n_features, rows->n_features);
    if (last > 0) {
        identity = malloc((n > 0 ? n : 1) * sizeof *identity);
        if (identity == NULL)
            return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory predicting %zu rows", n);
        for (size_t r = 0; r < n; r++)
            identity[r] = r;
        if ((status = transform_rows(model, last, rows, &X, identity, err)) != GCV_OK)
            goto cleanup;
        current.X = X;
        current.index = identity;
    }
    status = fn(model->step_models[last], &current, out, classes, n_classes, err);

cleanup:
    free(X);
    free(identity);
    return status;
}

/* gcv_estimator_ops.check_predict_proba: the final step's check, on its
 * own parsed parameters. */
static enum gcv_status pipeline_check_predict_proba(const void *params_pointer,
                                                    struct gcv_error *err)
{
    const struct gcv_pipeline_params *params = params_pointer;
    const size_t last = params->n_steps - 1;

    return params->steps[last]->check_predict_proba(params->step_params[last], err);
}

static enum gcv_status pipeline_decision_function(const void *model_pointer,
                                                  const struct gcv_rows *rows, double *out,
                                                  int32_t *classes, size_t *n_classes,
                                                  struct gcv_error *err)
{
    const struct gcv_pipeline_model *model = model_pointer;

    return pipeline_forward(model, rows, model->steps[model->n_steps - 1]->decision_function,
                            out, classes, n_classes, err);
}

static enum gcv_status pipeline_predict_proba(const void *model_pointer,
                                              const struct gcv_rows *rows, double *out,
                                              int32_t *classes, size_t *n_classes,
                                              struct gcv_error *err)
{
    const struct gcv_pipeline_model *model = model_pointer;

    return pipeline_forward(model, rows, model->steps[model->n_steps - 1]->predict_proba, out,
                            classes, n_classes, err);
}

/* ----- the table --------------------------------------------------------- */

/* ----- save and load ----------------------------------------------------- */

/* Returns 1 when every step has save and load, so the pipeline has them
 * too, else 0. */
static int every_step_saves(const struct gcv_estimator_ops *const *steps, size_t n_steps)
{
    for (size_t s = 0; s < n_steps; s++)
        if (steps[s]->save == NULL || steps[s]->load == NULL)
            return 0;
    return 1;
}

/* gcv_estimator_ops.save: n_steps, n_features, and one subgroup per step,
 * "step_0", "step_1", ..., with the step's class name as its attribute
 * "estimator" and its fitted model as the step's own save writes it. */
static enum gcv_status pipeline_save(const void *model_pointer, hid_t group,
                                     struct gcv_error *err)
{
    const struct gcv_pipeline_model *model = model_pointer;
    enum gcv_status status;
    char name[32];

    if ((status = gcv_model_file_put_size(group, "n_steps", model->n_steps, err)) != GCV_OK ||
        (status = gcv_model_file_put_size(group, "n_features", model->n_features, err)) !=
            GCV_OK)
        return status;
    for (size_t s = 0; s < model->n_steps && status == GCV_OK; s++) {
        hid_t step;

        snprintf(name, sizeof name, "step_%zu", s);
        step = H5Gcreate2(group, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (step < 0)
            return gcv_error_set(err, GCV_ERR_IO, "cannot create model group %s", name);
        status = gcv_model_file_put_string(step, "estimator", model->steps[s]->name, err);
        if (status == GCV_OK)
            status = model->steps[s]->save(model->step_models[s], step, err);
        H5Gclose(step);
    }
    return status;
}

static enum gcv_status pipeline_load_steps(hid_t group, void **model_out,
                                           struct gcv_error *err);

/* Reads the class names of the steps and finds the registered pipeline of
 * those steps, whose step list the loaded model borrows. */
static enum gcv_status find_saved_pipeline(hid_t group, size_t n_steps,
                                           const struct gcv_estimator_ops **pipeline,
                                           struct gcv_error *err)
{
    char name[GCV_ESTIMATOR_NAME_MAX] = "make_pipeline(";
    size_t used = strlen(name);
    enum gcv_status status = GCV_OK;

    for (size_t s = 0; s < n_steps && status == GCV_OK; s++) {
        char group_name[32];
        char *step_name = NULL;
        hid_t step;

        snprintf(group_name, sizeof group_name, "step_%zu", s);
        if (H5Lexists(group, group_name, H5P_DEFAULT) <= 0 ||
            (step = H5Gopen2(group, group_name, H5P_DEFAULT)) < 0)
            return gcv_error_set(err, GCV_ERR_DATA, "model group %s is missing", group_name);
        status = gcv_model_file_get_string(step, "estimator", &step_name, err);
        H5Gclose(step);
        if (status == GCV_OK)
            used += (size_t)snprintf(name + used, used < sizeof name ? sizeof name - used : 0,
                                     "%s%s", s > 0 ? ", " : "", step_name);
        free(step_name);
    }
    if (status != GCV_OK)
        return status;
    if (used + 2 > sizeof name)
        return gcv_error_set(err, GCV_ERR_DATA, "the pipeline's step names are longer than %d "
                             "characters", GCV_ESTIMATOR_NAME_MAX);
    strcat(name, ")");
    status = gcv_estimator_resolve(name, pipeline, err);
    if (status == GCV_OK && (*pipeline)->load != pipeline_load_steps)
        status = gcv_error_set(err, GCV_ERR_DATA, "%s cannot be loaded: a step has no load "
                               "operation", name);
    return status;
}

/* gcv_estimator_ops.load: the inverse of pipeline_save. */
static enum gcv_status pipeline_load_steps(hid_t group, void **model_out, struct gcv_error *err)
{
    const struct gcv_estimator_ops *pipeline = NULL;
    struct gcv_pipeline_model *model = calloc(1, sizeof *model);
    enum gcv_status status;
    char name[32];

    *model_out = NULL;
    if (model == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a pipeline");
    if ((status = gcv_model_file_get_size(group, "n_steps", &model->n_steps, err)) != GCV_OK ||
        (status = gcv_model_file_get_size(group, "n_features", &model->n_features, err)) !=
            GCV_OK)
        goto cleanup;
    if (model->n_steps < 1 || model->n_steps > PIPELINE_MAX_STEPS) {
        status = gcv_error_set(err, GCV_ERR_DATA, "a pipeline has 1 to %d steps, got %zu",
                               PIPELINE_MAX_STEPS, model->n_steps);
        model->n_steps = 0;
        goto cleanup;
    }
    if ((status = find_saved_pipeline(group, model->n_steps, &pipeline, err)) != GCV_OK) {
        model->n_steps = 0;
        goto cleanup;
    }
    model->steps = pipeline->steps;
    model->step_models = calloc(model->n_steps, sizeof *model->step_models);
    if (model->step_models == NULL) {
        status = gcv_error_set(err, GCV_ERR_NOMEM, "out of memory loading a pipeline");
        goto cleanup;
    }
    for (size_t s = 0; s < model->n_steps && status == GCV_OK; s++) {
        hid_t step;

        snprintf(name, sizeof name, "step_%zu", s);
        step = H5Gopen2(group, name, H5P_DEFAULT);
        if (step < 0) {
            status = gcv_error_set(err, GCV_ERR_DATA, "model group %s is missing", name);
            break;
        }
        status = model->steps[s]->load(step, &model->step_models[s], err);
        if (status != GCV_OK)
            gcv_error_prefix(err, "%s (%s): ", name, model->steps[s]->name);
        H5Gclose(step);
    }

cleanup:
    if (status != GCV_OK) {
        pipeline_model_free(model);
        return status;
    }
    *model_out = model;
    return GCV_OK;
}

/* Names the steps as make_pipeline does (sklearn.pipeline._name_estimators):
 * the lower-cased class name, numbered from 1 when it occurs more than once. */
static void name_steps(struct pipeline_ops *table, size_t n_steps)
{
    char base[PIPELINE_MAX_STEPS][STEP_NAME_MAX];

    for (size_t s = 0; s < n_steps; s++) {
        size_t k = 0;
        for (const char *c = table->steps[s]->name; *c != '\0' && k + 1 < STEP_NAME_MAX; c++)
            base[s][k++] = (char)tolower((unsigned char)*c);
        base[s][k] = '\0';
    }
    for (size_t s = 0; s < n_steps; s++) {
        size_t total = 0, before = 0;

        for (size_t t = 0; t < n_steps; t++) {
            if (strcmp(base[t], base[s]) == 0) {
                total++;
                if (t < s)
                    before++;
            }
        }
        if (total > 1)
            snprintf(table->step_names[s], STEP_NAME_MAX, "%.50s-%zu", base[s], before + 1);
        else
            snprintf(table->step_names[s], STEP_NAME_MAX, "%s", base[s]);
    }
}

enum gcv_status gcv_pipeline_ops_create(const struct gcv_estimator_ops *const *steps,
                                        size_t n_steps, struct gcv_estimator_ops **out,
                                        struct gcv_error *err)
{
    struct pipeline_ops *table;
    size_t used;

    *out = NULL;
    if (n_steps == 0 || n_steps > PIPELINE_MAX_STEPS)
        return gcv_error_set(err, GCV_ERR_SPEC, "a pipeline needs 1 to %d steps, got %zu",
                             PIPELINE_MAX_STEPS, n_steps);
    for (size_t s = 0; s + 1 < n_steps; s++)
        if (steps[s]->transform == NULL || steps[s]->model_copy == NULL)
            return gcv_error_set(err, GCV_ERR_SPEC, "pipeline step %s has no transform or no "
                                 "model_copy operation, which every step but the last needs",
                                 steps[s]->name);
    table = calloc(1, sizeof *table);
    if (table == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory building a pipeline");

    used = (size_t)snprintf(table->name, sizeof table->name, "make_pipeline(");
    for (size_t s = 0; s < n_steps; s++) {
        table->steps[s] = steps[s];
        if (used < sizeof table->name)
            used += (size_t)snprintf(table->name + used, sizeof table->name - used, "%s%s",
                                     s > 0 ? ", " : "", steps[s]->name);
    }
    if (used < sizeof table->name)
        used += (size_t)snprintf(table->name + used, sizeof table->name - used, ")");
    if (used >= sizeof table->name) {
        free(table);
        return gcv_error_set(err, GCV_ERR_SPEC, "pipeline name of %zu characters is too long",
                             used);
    }
    name_steps(table, n_steps);
    if (steps[n_steps - 1]->path_param != NULL)
        snprintf(table->path_param, sizeof table->path_param, "%s__%s",
                 table->step_names[n_steps - 1], steps[n_steps - 1]->path_param);

    table->ops = (struct gcv_estimator_ops){
        .name = table->name,
        .kind = steps[n_steps - 1]->kind,
        .params_parse = NULL,
        .params_free = pipeline_params_free,
        .fit = pipeline_fit,
        .predict = pipeline_predict,
        .model_free = pipeline_model_free,
        .fit_warning = pipeline_fit_warning,
        .decision_function =
            steps[n_steps - 1]->decision_function != NULL ? pipeline_decision_function : NULL,
        .predict_proba = steps[n_steps - 1]->predict_proba != NULL ? pipeline_predict_proba : NULL,
        .check_predict_proba = steps[n_steps - 1]->check_predict_proba != NULL
                                   ? pipeline_check_predict_proba
                                   : NULL,
        .steps = table->steps,
        .n_steps = n_steps,
        .save = every_step_saves(steps, n_steps) ? pipeline_save : NULL,
        .load = every_step_saves(steps, n_steps) ? pipeline_load_steps : NULL,
        .path_param = table->path_param[0] != '\0' ? table->path_param : NULL,
        .path_increasing = steps[n_steps - 1]->path_increasing,
        .fit_from = table->path_param[0] != '\0' ? pipeline_fit_from : NULL,
        .fit_batch = steps[n_steps - 1]->fit_batch != NULL ? pipeline_fit_batch : NULL,
    };
    *out = &table->ops;
    return GCV_OK;
}

void gcv_pipeline_ops_free(struct gcv_estimator_ops *pipeline)
{
    free(pipeline);
}
