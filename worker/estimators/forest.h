/* Forests of decision trees as scikit-learn 1.2.1 fits them
 * (sklearn/ensemble/_forest.py): RandomForestClassifier,
 * RandomForestRegressor, ExtraTreesClassifier and ExtraTreesRegressor.
 *
 * Tree i gets the random_state RandomState(random_state)'s i-th
 * randint(0, 2^31 - 1), draws its bootstrap sample from a fresh
 * RandomState of that seed and grows with tree.h, so each tree depends
 * only on (random_state, i). The trees are built by a pool of POSIX
 * threads inside the rank (n_jobs, capped by the cores the rank was
 * given, see gcv_forest_cores_per_rank), and a forest is the same whatever
 * the number of threads or ranks. */
#ifndef GCV_FOREST_H
#define GCV_FOREST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/random.h"
#include "../estimator.h"
#include "tree.h"

extern const struct gcv_estimator_ops gcv_random_forest_classifier_ops;
extern const struct gcv_estimator_ops gcv_random_forest_regressor_ops;
extern const struct gcv_estimator_ops gcv_extra_trees_classifier_ops;
extern const struct gcv_estimator_ops gcv_extra_trees_regressor_ops;

enum gcv_forest_max_samples {
    GCV_FOREST_SAMPLES_ALL,       /* null */
    GCV_FOREST_SAMPLES_COUNT,     /* an integer */
    GCV_FOREST_SAMPLES_FRACTION,  /* a real in (0, 1] */
};

/* The parameters of a forest. tree comes first, so that a pointer to the
 * struct is also a pointer to its tree parameters. */
struct gcv_forest_params {
    struct gcv_tree_params tree;
    long long n_estimators;
    bool bootstrap;
    bool oob_score;
    long long n_jobs;             /* as written; 0 stands for null, one thread */
    enum gcv_forest_max_samples max_samples;
    long long max_samples_count;
    double max_samples_fraction;
};

/* A fitted forest. Trees can be appended later (warm start) by drawing
 * the next seeds from seed_stream. */
struct gcv_forest {
    struct gcv_forest_params params;
    bool classifier;
    struct gcv_tree *trees;       /* [n_trees], owned */
    uint32_t *seeds;              /* [n_trees] the random_state of each tree, owned */
    size_t n_trees;
    struct gcv_random seed_stream; /* RandomState(random_state) after drawing seeds[] */
    size_t n_features;
    size_t n_classes;             /* classes of the training rows, 0 for a regressor */
    int32_t *class_codes;         /* [n_classes] dataset code of each class index, owned */
    size_t n_threads;             /* threads the fit used */
    bool has_oob_score;
    double oob_score;             /* accuracy or R^2 on the out-of-bag rows (oob_score) */
    char warning[256];            /* fit warning, "" for none */
};

/* Fits a forest on train with params. classifier selects class labels
 * and probability voting, else targets and averaging. Returns
 * GCV_ERR_TIMEOUT once train->deadline passes and GCV_ERR_FIT for a
 * failure of this fit alone (max_samples above the training rows, Poisson
 * targets). On success *out is owned by the caller (gcv_forest_free). */
enum gcv_status gcv_forest_fit(const struct gcv_forest_params *params, bool classifier,
                               const struct gcv_rows *train, struct gcv_forest **out,
                               struct gcv_error *err);

/* Predicts rows into out[rows->n_rows]: the dataset class code of the
 * largest mean class probability over the trees (first on ties), or the
 * mean of the trees' predictions, summed in tree order so the result does
 * not depend on the threads. */
enum gcv_status gcv_forest_predict(const struct gcv_forest *forest, const struct gcv_rows *rows,
                                   double *out, struct gcv_error *err);

/* Writes the class probabilities of rows into proba[rows->n_rows *
 * forest->n_classes], row-major (predict_proba). Classifiers only. */
enum gcv_status gcv_forest_predict_proba(const struct gcv_forest *forest,
                                         const struct gcv_rows *rows, double *proba,
                                         struct gcv_error *err);

/* Frees forest and everything it owns. Accepts NULL. */
void gcv_forest_free(struct gcv_forest *forest);

/* Returns the cores this rank may use, at least 1. They are
 * GRIDCV_CORES_PER_RANK when set to a positive integer, else
 * SLURM_CPUS_PER_TASK when set. Else they are the CPUs of the process's
 * affinity mask divided by the ranks on this node that fit models, which
 * Open MPI gives in OMPI_COMM_WORLD_LOCAL_SIZE and MPICH in
 * MPI_LOCALNRANKS: all of them, except rank 0 when every rank of the job
 * is on this node (OMPI_COMM_WORLD_SIZE or PMI_SIZE equal to the local
 * ranks), because rank 0 only hands out tasks while the workers fit. */
size_t gcv_forest_cores_per_rank(void);

/* Returns the threads a fit with n_jobs (0 for null) uses for n_trees
 * trees on a rank with cores cores: n_jobs, or cores + 1 + n_jobs when
 * negative as joblib counts, capped by cores and n_trees, at least 1. */
size_t gcv_forest_thread_count(long long n_jobs, size_t n_trees, size_t cores);

/* gcv_estimator_ops.save of the forests: n_jobs, the classes, the seeds
 * and every tree in a subgroup "tree_000000", "tree_000001", ... */
enum gcv_status gcv_forest_save(const void *forest, hid_t group, struct gcv_error *err);

/* gcv_estimator_ops.load of the forests: the inverse of gcv_forest_save.
 * Prediction threads are counted as a fit counts them, from the saved
 * n_jobs and gcv_forest_cores_per_rank() of the loading process. The
 * loaded forest keeps no other parameter and no seed stream, so it cannot
 * grow more trees. */
enum gcv_status gcv_forest_load(hid_t group, void **forest, struct gcv_error *err);

#endif
