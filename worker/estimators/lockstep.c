#include "lockstep.h"

#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum product_kind {
    PRODUCT_TIMES,      /* X B */
    PRODUCT_TRANSPOSED, /* X^T G */
};

struct member {
    struct gcv_lockstep *lockstep;
    size_t index;
    bool posted;        /* waiting for the combined product */
    const double *B;    /* [d * k] posted right-hand side, borrowed */
    size_t k;           /* its columns */
    size_t offset;      /* its first column in the combined product */
};

struct gcv_lockstep {
    const double *X;          /* [n * d], row-major, borrowed */
    size_t n;
    size_t d;
    size_t n_members;
    size_t max_columns;       /* per member */
    pthread_mutex_t mutex;    /* held by the one member computing */
    pthread_cond_t done;      /* a combined product finished */
    unsigned long generation; /* combined products finished so far */
    size_t n_active;          /* members not yet finished */
    size_t n_posted;          /* members waiting for the product of kind */
    enum product_kind kind;
    size_t width;             /* columns of the last X B */
    double *B;                /* [d * width], the posted right-hand sides side by side */
    double *product;          /* [n * width] X B */
    double *rows;             /* [n * width] the members' G side by side */
    double *transposed;       /* [d * width] X^T G */
    struct member *members;   /* [n_members] */
    gcv_lockstep_body body;
    void *arg;
    bool synchronized;        /* mutex and done are initialised */
};

enum gcv_status gcv_lockstep_create(const double *X, size_t n, size_t d, size_t n_members,
                                    size_t max_columns, struct gcv_lockstep **out,
                                    struct gcv_error *err)
{
    struct gcv_lockstep *lockstep = calloc(1, sizeof *lockstep);
    const size_t columns = (n_members > 0 ? n_members : 1) * (max_columns > 0 ? max_columns : 1);

    *out = NULL;
    if (lockstep == NULL)
        goto nomem;
    lockstep->X = X;
    lockstep->n = n;
    lockstep->d = d;
    lockstep->n_members = n_members;
    lockstep->max_columns = max_columns;
    lockstep->members = calloc(n_members > 0 ? n_members : 1, sizeof *lockstep->members);
    lockstep->B = malloc((d > 0 ? d : 1) * columns * sizeof *lockstep->B);
    lockstep->product = malloc((n > 0 ? n : 1) * columns * sizeof *lockstep->product);
    lockstep->rows = malloc((n > 0 ? n : 1) * columns * sizeof *lockstep->rows);
    lockstep->transposed = malloc((d > 0 ? d : 1) * columns * sizeof *lockstep->transposed);
    if (lockstep->members == NULL || lockstep->B == NULL || lockstep->product == NULL ||
        lockstep->rows == NULL || lockstep->transposed == NULL)
        goto nomem;
    if (pthread_mutex_init(&lockstep->mutex, NULL) != 0)
        goto nomem;
    if (pthread_cond_init(&lockstep->done, NULL) != 0) {
        pthread_mutex_destroy(&lockstep->mutex);
        goto nomem;
    }
    lockstep->synchronized = true;
    for (size_t i = 0; i < n_members; i++) {
        lockstep->members[i].lockstep = lockstep;
        lockstep->members[i].index = i;
    }
    *out = lockstep;
    return GCV_OK;

nomem:
    gcv_lockstep_free(lockstep);
    return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for %zu fits in lockstep on %zu x "
                         "%zu rows", n_members, n, d);
}

void gcv_lockstep_free(struct gcv_lockstep *lockstep)
{
    if (lockstep == NULL)
        return;
    if (lockstep->synchronized) {
        pthread_mutex_destroy(&lockstep->mutex);
        pthread_cond_destroy(&lockstep->done);
    }
    free(lockstep->members);
    free(lockstep->B);
    free(lockstep->product);
    free(lockstep->rows);
    free(lockstep->transposed);
    free(lockstep);
}

/* Runs the combined product for every posted member and wakes them. Called
 * with the mutex held, when every active member has posted. */
static void combine(struct gcv_lockstep *ls)
{
    const size_t n = ls->n, d = ls->d;

    if (ls->kind == PRODUCT_TIMES) {
        /* Place each posted B in its own columns, in member order. */
        ls->width = 0;
        for (size_t i = 0; i < ls->n_members; i++) {
            struct member *m = &ls->members[i];

            if (!m->posted)
                continue;
            m->offset = ls->width;
            ls->width += m->k;
        }
        for (size_t i = 0; i < ls->n_members; i++) {
            const struct member *m = &ls->members[i];

            if (!m->posted)
                continue;
            for (size_t j = 0; j < d; j++)
                memcpy(ls->B + j * ls->width + m->offset, m->B + j * m->k, m->k * sizeof *ls->B);
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)ls->width, (int)d,
                    1.0, ls->X, (int)d, ls->B, (int)ls->width, 0.0, ls->product, (int)ls->width);
    } else {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)ls->width, (int)n, 1.0,
                    ls->X, (int)d, ls->rows, (int)ls->width, 0.0, ls->transposed,
                    (int)ls->width);
    }
    for (size_t i = 0; i < ls->n_members; i++)
        ls->members[i].posted = false;
    ls->n_posted = 0;
    ls->generation++;
    pthread_cond_broadcast(&ls->done);
}

/* Posts member's request of kind and returns once the combined product
 * that includes it has run. Called with the mutex held. Every active
 * member posts the same kind at each round: a solver's evaluation always
 * takes X B, then X^T G. */
static void post(struct gcv_lockstep *ls, struct member *m, enum product_kind kind)
{
    const unsigned long generation = ls->generation;

    m->posted = true;
    ls->kind = kind;
    ls->n_posted++;
    if (ls->n_posted == ls->n_active) {
        combine(ls);
        return;
    }
    while (ls->generation == generation)
        pthread_cond_wait(&ls->done, &ls->mutex);
}

/* Member has finished: the others no longer wait for it. */
static void leave(struct gcv_lockstep *ls)
{
    ls->n_active--;
    if (ls->n_active > 0 && ls->n_posted == ls->n_active)
        combine(ls);
}

double *gcv_lockstep_times(struct gcv_lockstep *ls, size_t member, const double *B, size_t k,
                           size_t *stride)
{
    struct member *m = &ls->members[member];

    m->B = B;
    m->k = k < ls->max_columns ? k : ls->max_columns;
    post(ls, m, PRODUCT_TIMES);
    *stride = ls->width;
    return ls->product + m->offset;
}

double *gcv_lockstep_rows(struct gcv_lockstep *ls, size_t member, size_t *stride)
{
    *stride = ls->width;
    return ls->rows + ls->members[member].offset;
}

void gcv_lockstep_times_transposed(struct gcv_lockstep *ls, size_t member, double *out)
{
    struct member *m = &ls->members[member];

    post(ls, m, PRODUCT_TRANSPOSED);
    for (size_t j = 0; j < ls->d; j++)
        memcpy(out + j * m->k, ls->transposed + j * ls->width + m->offset, m->k * sizeof *out);
}

static void *run_member(void *pointer)
{
    struct member *m = pointer;
    struct gcv_lockstep *ls = m->lockstep;

    pthread_mutex_lock(&ls->mutex);
    ls->body(ls->arg, m->index);
    leave(ls);
    pthread_mutex_unlock(&ls->mutex);
    return NULL;
}

void gcv_lockstep_run(struct gcv_lockstep *ls, gcv_lockstep_body body, void *arg)
{
    pthread_t *threads = calloc(ls->n_members > 0 ? ls->n_members : 1, sizeof *threads);
    bool *started = calloc(ls->n_members > 0 ? ls->n_members : 1, sizeof *started);

    ls->body = body;
    ls->arg = arg;
    ls->generation = 0;
    ls->n_posted = 0;

    /* The threads start only once the mutex is released, with n_active
     * counting exactly the threads that exist. */
    pthread_mutex_lock(&ls->mutex);
    ls->n_active = 0;
    for (size_t i = 0; threads != NULL && started != NULL && i < ls->n_members; i++) {
        started[i] = pthread_create(&threads[i], NULL, run_member, &ls->members[i]) == 0;
        ls->n_active += started[i];
    }
    pthread_mutex_unlock(&ls->mutex);
    for (size_t i = 0; threads != NULL && started != NULL && i < ls->n_members; i++)
        if (started[i])
            pthread_join(threads[i], NULL);

    /* Members without a thread (or all, when the arrays failed) run alone. */
    for (size_t i = 0; i < ls->n_members; i++) {
        if (started != NULL && threads != NULL && started[i])
            continue;
        ls->n_active = 1;
        run_member(&ls->members[i]);
    }
    free(threads);
    free(started);
}
