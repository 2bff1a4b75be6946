/* scikit-learn's Pipeline as make_pipeline builds it (sklearn/pipeline.py,
 * 1.2.1): transformers fitted and applied in turn, then a final classifier
 * or regressor, all behind the estimator interface.
 *
 * Steps are named as make_pipeline names them: the class name in lower
 * case, and "-1", "-2", ... after each occurrence of a name that appears
 * more than once ("standardscaler-1"). A step's parameter is set as
 * "step__name" ("svc__C", "standardscaler__with_mean"). Every step is
 * fitted on the training rows of the fold only, the later steps on the
 * rows as the earlier steps transformed them. The fitted transformers and
 * the rows they wrote are shared, through the fold cache
 * (worker/fold_cache.h), by the settings of a fold that differ only in the
 * final step's parameters.
 *
 * Not supported yet: replacing a step ("svc": ...), "passthrough" steps,
 * and memory other than null. */
#ifndef GCV_PIPELINE_H
#define GCV_PIPELINE_H

#include <stddef.h>

#include "../estimator.h"

/* The parameters of one candidate: one parsed struct per step. */
struct gcv_pipeline_params {
    size_t n_steps;
    const struct gcv_estimator_ops *const *steps; /* [n_steps], the pipeline's */
    void **step_params;  /* [n_steps] each owned, freed with steps[s]->params_free */
    char *prefix_key;    /* the transformers' class names and parameter values as text,
                            under which the fold cache keeps them fitted; owned, NULL
                            for a pipeline of one step */
    double prefix_hash;  /* a hash of prefix_key, an integer below 2^53 */
};

/* A fitted pipeline: one fitted model per step. */
struct gcv_pipeline_model {
    size_t n_steps;
    const struct gcv_estimator_ops *const *steps; /* [n_steps], the pipeline's */
    void **step_models;  /* [n_steps] each owned, freed with steps[s]->model_free */
    size_t n_features;   /* features of the rows the pipeline was fitted on */
};

/* Builds the estimator table of a pipeline of steps[0..n_steps), which the
 * caller has checked: transformers, then one classifier or regressor. Its
 * name is "make_pipeline(A, B)" and its kind that of the last step. On
 * success *out is owned by the caller (gcv_pipeline_ops_free). */
enum gcv_status gcv_pipeline_ops_create(const struct gcv_estimator_ops *const *steps,
                                        size_t n_steps, struct gcv_estimator_ops **out,
                                        struct gcv_error *err);

/* Frees a table of gcv_pipeline_ops_create. Accepts NULL. */
void gcv_pipeline_ops_free(struct gcv_estimator_ops *pipeline);

/* Returns the make_pipeline name of step s of pipeline ("svc"); the text
 * lives as long as the table. */
const char *gcv_pipeline_step_name(const struct gcv_estimator_ops *pipeline, size_t step);

/* Splits params by step ("svc__C" goes to step "svc" as "C") and parses
 * each step's share with that step's params_parse. Accepts "memory": null
 * and "verbose" (no effect), as Pipeline does. An error names the step.
 * On success *out is a struct gcv_pipeline_params owned by the caller
 * (pipeline->params_free). */
enum gcv_status gcv_pipeline_params_parse(const struct gcv_estimator_ops *pipeline,
                                          const struct gcv_param_set *params, void **out,
                                          struct gcv_error *err);

#endif
