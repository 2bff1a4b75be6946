#include "lockstep.h"

#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct member {
    struct gcv_lockstep *lockstep;
    size_t index;
    bool posted;              /* waiting for the combined evaluation */
    const double *B;          /* [d * k] posted right-hand side, borrowed */
    size_t k;                 /* its columns */
    size_t offset;            /* its first column in the combined evaluation */
    gcv_lockstep_rows_fn rows;
    void *rows_arg;
};

struct gcv_lockstep {
    const double *X;          /* [n * d], row-major, borrowed */
    size_t n;
    size_t d;
    size_t n_members;
    size_t max_columns;       /* per member */
    size_t n_blocks;          /* blocks of rows of an evaluation */
    pthread_mutex_t mutex;    /* held by the one member computing */
    pthread_cond_t done;      /* a combined evaluation finished */
    unsigned long generation; /* combined evaluations finished so far */
    bool running;             /* inside gcv_lockstep_run */
    size_t n_active;          /* members not yet finished */
    size_t n_posted;          /* members waiting for the evaluation */
    size_t width;             /* columns of the last evaluation */
    double *B;                /* [d x width] row-major, the posted right-hand sides */
    double *product;          /* [rows of the block x width] row-major, X B of one block */
    double *rows;             /* [rows of the block x width] row-major, the members' G */
    double *transposed;       /* [d x width] column-major, X^T G */
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
    const size_t row_bytes = (d > 0 ? d : 1) * sizeof *X;
    const size_t max_rows = GCV_LOCKSTEP_BLOCK_BYTES / row_bytes > 0
                                ? GCV_LOCKSTEP_BLOCK_BYTES / row_bytes
                                : 1;
    const size_t n_blocks = n > 0 ? (n + max_rows - 1) / max_rows : 1;
    const size_t units = n / GCV_LOCKSTEP_BLOCK_ALIGN;
    /* The largest block: a share of whole units, and the last block's
     * leftover rows. At least 1, so that n = 0 still allocates. */
    const size_t largest = GCV_LOCKSTEP_BLOCK_ALIGN * ((units + n_blocks - 1) / n_blocks) +
                           n % GCV_LOCKSTEP_BLOCK_ALIGN;
    const size_t block_rows = largest > 0 ? largest : 1;

    *out = NULL;
    if (lockstep == NULL)
        goto nomem;
    lockstep->X = X;
    lockstep->n = n;
    lockstep->d = d;
    lockstep->n_members = n_members;
    lockstep->max_columns = max_columns;
    lockstep->n_blocks = n_blocks;
    lockstep->members = calloc(n_members > 0 ? n_members : 1, sizeof *lockstep->members);
    lockstep->B = malloc((d > 0 ? d : 1) * columns * sizeof *lockstep->B);
    lockstep->product = malloc(block_rows * columns * sizeof *lockstep->product);
    lockstep->rows = malloc(block_rows * columns * sizeof *lockstep->rows);
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

/* Places each posted B in its own columns of ls->B, in member order, and
 * sets the members' offsets and ls->width. */
static void gather_right_sides(struct gcv_lockstep *ls)
{
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
        for (size_t j = 0; j < ls->d; j++)
            memcpy(ls->B + j * ls->width + m->offset, m->B + j * m->k, m->k * sizeof *ls->B);
    }
}

/* Runs the combined evaluation for every posted member, block of rows by
 * block of rows, and wakes them. Called with the mutex held (or from the
 * caller's thread outside gcv_lockstep_run), when every active member has
 * posted. */
static void combine(struct gcv_lockstep *ls)
{
    const size_t n = ls->n, d = ls->d;

    gather_right_sides(ls);
    if (n == 0)
        memset(ls->transposed, 0, d * ls->width * sizeof *ls->transposed);
    for (size_t b = 0; b < ls->n_blocks && n > 0; b++) {
        /* Blocks of whole units of GCV_LOCKSTEP_BLOCK_ALIGN rows; the last
         * one also takes the n % GCV_LOCKSTEP_BLOCK_ALIGN rows left. */
        const size_t units = n / GCV_LOCKSTEP_BLOCK_ALIGN;
        const size_t first = GCV_LOCKSTEP_BLOCK_ALIGN * (b * units / ls->n_blocks);
        const size_t end = b + 1 == ls->n_blocks
                               ? n
                               : GCV_LOCKSTEP_BLOCK_ALIGN * ((b + 1) * units / ls->n_blocks);
        const size_t count = end - first;
        const double *block = ls->X + first * d;

        /* product [count x width] = block B, row-major. The row-major form
         * gives each column the bits it has in a product of its member's
         * columns alone. The column-major form with the block as left
         * operand was faster, but on AVX-512 kernels (OpenBLAS 0.3.21) it
         * did not. */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)count, (int)ls->width,
                    (int)d, 1.0, block, (int)d, ls->B, (int)ls->width, 0.0, ls->product,
                    (int)ls->width);
        for (size_t i = 0; i < ls->n_members; i++) {
            const struct member *m = &ls->members[i];

            if (m->posted)
                m->rows(m->rows_arg, first, count, ls->product + m->offset, ls->width,
                        ls->rows + m->offset, ls->width);
        }
        /* transposed [d x width] (+)= block^T G, column-major. The row-major
         * block is a column-major [d x count] matrix, so its d features
         * make the long dimension of OpenBLAS's kernel and the width the
         * short one, which ran faster than the row-major form
         * (docs/benchmarks.md). G, row-major [count x width], is the
         * transpose of a column-major [width x count]. The first block
         * sets the sum. */
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)d, (int)ls->width,
                    (int)count, 1.0, block, (int)d, ls->rows, (int)ls->width,
                    first == 0 ? 0.0 : 1.0, ls->transposed, (int)d);
    }
    for (size_t i = 0; i < ls->n_members; i++)
        ls->members[i].posted = false;
    ls->n_posted = 0;
    ls->generation++;
    if (ls->running)
        pthread_cond_broadcast(&ls->done);
}

/* Posts member's evaluation and returns once the combined evaluation that
 * includes it has run. Called with the mutex held inside gcv_lockstep_run;
 * outside it, the lockstep has one member and evaluates at once. */
static void post(struct gcv_lockstep *ls, struct member *m)
{
    const unsigned long generation = ls->generation;

    m->posted = true;
    ls->n_posted++;
    if (!ls->running || ls->n_posted == ls->n_active) {
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

void gcv_lockstep_evaluate(struct gcv_lockstep *ls, size_t member, const double *B, size_t k,
                           gcv_lockstep_rows_fn rows, void *arg, double *out)
{
    struct member *m = &ls->members[member];

    m->B = B;
    m->k = k < ls->max_columns ? k : ls->max_columns;
    m->rows = rows;
    m->rows_arg = arg;
    post(ls, m);
    for (size_t c = 0; c < m->k; c++)
        for (size_t j = 0; j < ls->d; j++)
            out[j * m->k + c] = ls->transposed[(m->offset + c) * ls->d + j];
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
    ls->running = true;

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
    ls->running = false;
    free(threads);
    free(started);
}
