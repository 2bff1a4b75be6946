/* SMO solver for the support vector machine dual problem.
 *
 * Objective: minimise 1/2 alpha^T Q alpha + p^T alpha subject to
 * y^T alpha = constant and 0 <= alpha_i <= C_i (see smo.h).
 *
 * Method: each iteration picks a working pair (i, j) and solves the
 * two-variable problem in closed form, clipping to the box. i maximises
 * -y_i grad_i over I_up (variables that may increase along y); j is chosen
 * among I_low by the second-order rule of Fan, Chen & Lin ("Working set
 * selection using second order information for training support vector
 * machines", JMLR 6, 2005), which maximises the decrease of the objective,
 * a non-positive curvature being replaced by tau = 1e-12.
 *
 * Stopping rule: m(alpha) - M(alpha) < eps, i.e. Gmax + Gmax2 < eps with
 * Gmax = max over I_up of -y_t grad_t and Gmax2 = max over I_low of
 * y_t grad_t; or max_iter iterations; or, as a failure, the deadline.
 *
 * Shrinking (libsvm's rule): every min(l, 1000) iterations, variables at a
 * bound whose gradient shows they will stay there leave the active set.
 * The first time Gmax + Gmax2 <= 10 eps the full gradient is rebuilt and
 * every variable comes back (the "unshrink" step). Before stopping, the
 * gradient is always rebuilt and the stopping rule checked on all l
 * variables.
 *
 * Cost: O(active size) per iteration plus up to two Q columns, each
 * O(l n_features) to compute when not cached.
 *
 * Every comparison, tie rule and floating-point expression follows
 * scikit-learn 1.2's libsvm (Solver in sklearn/svm/src/libsvm/svm.cpp),
 * so that the iterates, the dual coefficients and rho match it. */
#include "smo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SMO_TAU 1e-12

/* ----- column cache ------------------------------------------------------ */

static void cache_unlink(struct gcv_smo_cache *cache, size_t slot)
{
    cache->next[cache->prev[slot]] = cache->next[slot];
    cache->prev[cache->next[slot]] = cache->prev[slot];
}

/* Inserts slot as the most recently used. */
static void cache_append(struct gcv_smo_cache *cache, size_t slot)
{
    const size_t head = cache->n_slots;

    cache->prev[slot] = cache->prev[head];
    cache->next[slot] = head;
    cache->next[cache->prev[head]] = slot;
    cache->prev[head] = slot;
}

/* Inserts slot as the least recently used, so that it is reused first. */
static void cache_prepend(struct gcv_smo_cache *cache, size_t slot)
{
    const size_t head = cache->n_slots;

    cache->next[slot] = cache->next[head];
    cache->prev[slot] = head;
    cache->prev[cache->next[head]] = slot;
    cache->next[head] = slot;
}

enum gcv_status gcv_smo_cache_init(struct gcv_smo_cache *cache, size_t l, size_t max_bytes,
                                   struct gcv_error *err)
{
    size_t budget = max_bytes / sizeof(float);
    const size_t bookkeeping = l * (2 * sizeof(size_t)) / sizeof(float);
    size_t n_slots;

    memset(cache, 0, sizeof *cache);
    if (l == 0)
        return GCV_OK;

    budget = budget > bookkeeping ? budget - bookkeeping : 0;
    n_slots = budget / l;
    if (n_slots < 2)
        n_slots = 2;
    if (n_slots > l)
        n_slots = l;

    cache->l = l;
    cache->n_slots = n_slots;
    cache->pool = malloc(n_slots * l * sizeof *cache->pool);
    cache->slot_of = malloc(l * sizeof *cache->slot_of);
    cache->length = calloc(l, sizeof *cache->length);
    cache->column_of = malloc(n_slots * sizeof *cache->column_of);
    cache->prev = malloc((n_slots + 1) * sizeof *cache->prev);
    cache->next = malloc((n_slots + 1) * sizeof *cache->next);
    if (cache->pool == NULL || cache->slot_of == NULL || cache->length == NULL ||
        cache->column_of == NULL || cache->prev == NULL || cache->next == NULL) {
        gcv_smo_cache_free(cache);
        return gcv_error_set(err, GCV_ERR_NOMEM,
                             "out of memory for a kernel cache of %zu columns of %zu values",
                             n_slots, l);
    }

    for (size_t i = 0; i < l; i++)
        cache->slot_of[i] = n_slots;
    cache->prev[n_slots] = n_slots;
    cache->next[n_slots] = n_slots;
    return GCV_OK;
}

float *gcv_smo_cache_get(struct gcv_smo_cache *cache, size_t index, size_t len, size_t *start)
{
    size_t slot = cache->slot_of[index];

    if (slot != cache->n_slots) {
        cache_unlink(cache, slot);
        *start = cache->length[index];
        if (len > cache->length[index])
            cache->length[index] = len;
    } else {
        if (cache->n_used < cache->n_slots) {
            slot = cache->n_used++;
        } else {
            /* Reuse the least recently used slot (an emptied one if any). */
            slot = cache->next[cache->n_slots];
            cache_unlink(cache, slot);
            if (cache->column_of[slot] != cache->l) {
                cache->slot_of[cache->column_of[slot]] = cache->n_slots;
                cache->length[cache->column_of[slot]] = 0;
            }
        }
        cache->slot_of[index] = slot;
        cache->column_of[slot] = index;
        cache->length[index] = len;
        *start = 0;
    }

    cache_append(cache, slot);
    return cache->pool + slot * cache->l;
}

void gcv_smo_cache_swap(struct gcv_smo_cache *cache, size_t i, size_t j)
{
    const size_t none = cache->n_slots;
    size_t slot, low, high, tmp;

    if (i == j)
        return;

    /* Exchange the two columns, and make both the most recently used, i
     * first, as libsvm does. */
    tmp = cache->slot_of[i];
    cache->slot_of[i] = cache->slot_of[j];
    cache->slot_of[j] = tmp;
    tmp = cache->length[i];
    cache->length[i] = cache->length[j];
    cache->length[j] = tmp;
    if (cache->slot_of[i] != none) {
        cache->column_of[cache->slot_of[i]] = i;
        cache_unlink(cache, cache->slot_of[i]);
    }
    if (cache->slot_of[j] != none) {
        cache->column_of[cache->slot_of[j]] = j;
        cache_unlink(cache, cache->slot_of[j]);
    }
    if (cache->slot_of[i] != none)
        cache_append(cache, cache->slot_of[i]);
    if (cache->slot_of[j] != none)
        cache_append(cache, cache->slot_of[j]);

    /* Exchange entries i and j inside every cached column. */
    low = i < j ? i : j;
    high = i < j ? j : i;
    slot = cache->next[none];
    while (slot != none) {
        const size_t following = cache->next[slot];
        const size_t column = cache->column_of[slot];

        if (column != cache->l && cache->length[column] > low) {
            float *data = cache->pool + slot * cache->l;
            if (cache->length[column] > high) {
                float value = data[low];
                data[low] = data[high];
                data[high] = value;
            } else {
                /* Entry high was never computed for this column: drop it. */
                cache->slot_of[column] = none;
                cache->length[column] = 0;
                cache->column_of[slot] = cache->l;
                cache_unlink(cache, slot);
                cache_prepend(cache, slot);
            }
        }
        slot = following;
    }
}

void gcv_smo_cache_free(struct gcv_smo_cache *cache)
{
    if (cache == NULL)
        return;
    free(cache->pool);
    free(cache->slot_of);
    free(cache->length);
    free(cache->column_of);
    free(cache->prev);
    free(cache->next);
    memset(cache, 0, sizeof *cache);
}

/* ----- kernel Q matrix of C-SVC and one-class SVM ----------------------- */

static const float *kernel_q_get_column(void *context, size_t i, size_t len)
{
    struct gcv_smo_kernel_q *q = context;
    const size_t d = q->n_features;
    size_t start;
    float *data = gcv_smo_cache_get(&q->cache, i, len, &start);

    if (start >= len)
        return data;

    /* From the fold's kernel matrix: (float)(y_i y_k K) is y_i y_k (float)K,
     * since rounding to float is symmetric about 0. */
    if (q->fold.kernel != NULL) {
        const float *kernel_row = q->fold.kernel + q->position[i] * q->fold.n_rows;
        if (q->y == NULL) {
            for (size_t k = start; k < len; k++)
                data[k] = kernel_row[q->position[k]];
        } else {
            for (size_t k = start; k < len; k++)
                data[k] = (float)(q->y[i] * q->y[k]) * kernel_row[q->position[k]];
        }
        return data;
    }

    gcv_kernel_column(&q->kernel, q->X + start * d, q->norms + start, len - start, d,
                      q->X + i * d, q->norms[i], q->scratch);
    if (q->y == NULL) {
        for (size_t k = start; k < len; k++)
            data[k] = (float)q->scratch[k - start];
    } else {
        for (size_t k = start; k < len; k++)
            data[k] = (float)((double)(q->y[i] * q->y[k]) * q->scratch[k - start]);
    }
    return data;
}

static void kernel_q_swap_index(void *context, size_t i, size_t j)
{
    struct gcv_smo_kernel_q *q = context;
    double value;

    if (i == j)
        return;

    gcv_smo_cache_swap(&q->cache, i, j);
    if (q->position != NULL) {
        size_t position = q->position[i];
        q->position[i] = q->position[j];
        q->position[j] = position;
    } else {
        double *row_i = q->X + i * q->n_features;
        double *row_j = q->X + j * q->n_features;
        for (size_t f = 0; f < q->n_features; f++) {
            value = row_i[f];
            row_i[f] = row_j[f];
            row_j[f] = value;
        }
    }
    value = q->norms[i];
    q->norms[i] = q->norms[j];
    q->norms[j] = value;
    value = q->diagonal[i];
    q->diagonal[i] = q->diagonal[j];
    q->diagonal[j] = value;
    if (q->y != NULL) {
        signed char label = q->y[i];
        q->y[i] = q->y[j];
        q->y[j] = label;
    }
}

enum gcv_status gcv_smo_kernel_q_init(struct gcv_smo_kernel_q *q, const struct gcv_kernel *kernel,
                                      const double *X, size_t n_features, const size_t *rows,
                                      size_t l, const signed char *y, size_t cache_bytes,
                                      struct gcv_error *err)
{
    enum gcv_status status;

    memset(q, 0, sizeof *q);
    q->kernel = *kernel;
    q->l = l;
    q->n_features = n_features;

    q->X = malloc((l * n_features > 0 ? l * n_features : 1) * sizeof *q->X);
    q->norms = malloc((l > 0 ? l : 1) * sizeof *q->norms);
    q->diagonal = malloc((l > 0 ? l : 1) * sizeof *q->diagonal);
    q->scratch = malloc((l > 0 ? l : 1) * sizeof *q->scratch);
    if (y != NULL)
        q->y = malloc((l > 0 ? l : 1) * sizeof *q->y);
    if (q->X == NULL || q->norms == NULL || q->diagonal == NULL || q->scratch == NULL ||
        (y != NULL && q->y == NULL)) {
        gcv_smo_kernel_q_free(q);
        return gcv_error_set(err, GCV_ERR_NOMEM,
                             "out of memory for the kernel matrix of %zu rows of %zu features",
                             l, n_features);
    }
    status = gcv_smo_cache_init(&q->cache, l, cache_bytes, err);
    if (status != GCV_OK) {
        gcv_smo_kernel_q_free(q);
        return status;
    }

    for (size_t k = 0; k < l; k++)
        memcpy(q->X + k * n_features, X + rows[k] * n_features, n_features * sizeof *q->X);
    if (y != NULL)
        memcpy(q->y, y, l * sizeof *q->y);
    gcv_kernel_row_norms(q->X, l, n_features, q->norms);
    gcv_kernel_diagonal(kernel, q->norms, l, q->diagonal);

    q->matrix.context = q;
    q->matrix.get_column = kernel_q_get_column;
    q->matrix.swap_index = kernel_q_swap_index;
    q->matrix.diagonal = q->diagonal;
    return GCV_OK;
}

enum gcv_status gcv_smo_kernel_q_init_fold(struct gcv_smo_kernel_q *q,
                                           const struct gcv_kernel *kernel,
                                           const struct gcv_fold_rbf *fold, const size_t *rows,
                                           size_t l, const signed char *y, size_t cache_bytes,
                                           struct gcv_error *err)
{
    const size_t n = l > 0 ? l : 1;
    enum gcv_status status;

    memset(q, 0, sizeof *q);
    q->kernel = *kernel;
    q->l = l;
    q->fold = *fold;

    q->position = malloc(n * sizeof *q->position);
    q->norms = malloc(n * sizeof *q->norms);
    q->diagonal = malloc(n * sizeof *q->diagonal);
    q->scratch = malloc(n * sizeof *q->scratch);
    if (y != NULL)
        q->y = malloc(n * sizeof *q->y);
    if (q->position == NULL || q->norms == NULL || q->diagonal == NULL || q->scratch == NULL ||
        (y != NULL && q->y == NULL)) {
        gcv_smo_kernel_q_free(q);
        return gcv_error_set(err, GCV_ERR_NOMEM,
                             "out of memory for the kernel matrix of %zu rows", l);
    }
    status = gcv_smo_cache_init(&q->cache, l, cache_bytes, err);
    if (status != GCV_OK) {
        gcv_smo_kernel_q_free(q);
        return status;
    }

    for (size_t k = 0; k < l; k++) {
        q->position[k] = rows[k];
        q->norms[k] = fold->norms[rows[k]];
    }
    if (y != NULL)
        memcpy(q->y, y, l * sizeof *q->y);
    gcv_kernel_diagonal(kernel, q->norms, l, q->diagonal);

    q->matrix.context = q;
    q->matrix.get_column = kernel_q_get_column;
    q->matrix.swap_index = kernel_q_swap_index;
    q->matrix.diagonal = q->diagonal;
    return GCV_OK;
}

void gcv_smo_kernel_q_free(struct gcv_smo_kernel_q *q)
{
    if (q == NULL)
        return;
    gcv_smo_cache_free(&q->cache);
    free(q->position);
    free(q->X);
    free(q->norms);
    free(q->y);
    free(q->diagonal);
    free(q->scratch);
    memset(q, 0, sizeof *q);
}

/* ----- solver ------------------------------------------------------------ */

enum alpha_bound { ALPHA_LOWER, ALPHA_UPPER, ALPHA_FREE };

/* The solver's working copies, all [l] and in the solver's current order;
 * active_set maps each position back to the caller's index. */
struct smo_state {
    size_t l;
    size_t active_size;
    struct gcv_smo_qmatrix *Q;
    double eps;
    bool unshrink;      /* the one-time full unshrink has been done */

    signed char *y;
    double *alpha;
    double *G;          /* gradient Q alpha + p */
    double *G_bar;      /* sum of C_j Q_ij over variables j at the upper bound */
    double *p;
    double *C;
    char *bound;        /* enum alpha_bound of each alpha */
    size_t *active_set;
};

static void update_bound(struct smo_state *s, size_t i)
{
    if (s->alpha[i] >= s->C[i])
        s->bound[i] = ALPHA_UPPER;
    else if (s->alpha[i] <= 0)
        s->bound[i] = ALPHA_LOWER;
    else
        s->bound[i] = ALPHA_FREE;
}

static bool is_upper(const struct smo_state *s, size_t i)
{
    return s->bound[i] == ALPHA_UPPER;
}

static bool is_lower(const struct smo_state *s, size_t i)
{
    return s->bound[i] == ALPHA_LOWER;
}

static bool is_free(const struct smo_state *s, size_t i)
{
    return s->bound[i] == ALPHA_FREE;
}

#define SWAP_VALUES(type, a, b) \
    do {                        \
        type swap_tmp_ = (a);   \
        (a) = (b);              \
        (b) = swap_tmp_;        \
    } while (0)

static void swap_index(struct smo_state *s, size_t i, size_t j)
{
    s->Q->swap_index(s->Q->context, i, j);
    SWAP_VALUES(signed char, s->y[i], s->y[j]);
    SWAP_VALUES(double, s->G[i], s->G[j]);
    SWAP_VALUES(char, s->bound[i], s->bound[j]);
    SWAP_VALUES(double, s->alpha[i], s->alpha[j]);
    SWAP_VALUES(double, s->p[i], s->p[j]);
    SWAP_VALUES(size_t, s->active_set[i], s->active_set[j]);
    SWAP_VALUES(double, s->G_bar[i], s->G_bar[j]);
    SWAP_VALUES(double, s->C[i], s->C[j]);
}

/* Recomputes G of the inactive variables from G_bar and the free variables,
 * by whichever loop touches fewer Q columns. */
static void reconstruct_gradient(struct smo_state *s)
{
    const size_t l = s->l;
    const size_t active = s->active_size;
    size_t n_free = 0;

    if (active == l)
        return;

    for (size_t j = active; j < l; j++)
        s->G[j] = s->G_bar[j] + s->p[j];
    for (size_t j = 0; j < active; j++)
        if (is_free(s, j))
            n_free++;

    if (n_free * l > 2 * active * (l - active)) {
        for (size_t i = active; i < l; i++) {
            const float *Q_i = s->Q->get_column(s->Q->context, i, active);
            for (size_t j = 0; j < active; j++)
                if (is_free(s, j))
                    s->G[i] += s->alpha[j] * Q_i[j];
        }
    } else {
        for (size_t i = 0; i < active; i++) {
            if (is_free(s, i)) {
                const float *Q_i = s->Q->get_column(s->Q->context, i, l);
                const double alpha_i = s->alpha[i];
                for (size_t j = active; j < l; j++)
                    s->G[j] += alpha_i * Q_i[j];
            }
        }
    }
}

/* Picks the working pair. Returns true when the active set is optimal
 * within eps (or no pair can improve it); otherwise stores the pair. */
static bool select_working_set(struct smo_state *s, size_t *out_i, size_t *out_j)
{
    const double *QD = s->Q->diagonal;
    double Gmax = -INFINITY;
    double Gmax2 = -INFINITY;
    double obj_diff_min = INFINITY;
    bool have_i = false, have_j = false;
    size_t i = 0, j_best = 0;
    const float *Q_i = NULL;

    /* i: maximal violation -y_t G_t over I_up; ties go to the later t. */
    for (size_t t = 0; t < s->active_size; t++) {
        if (s->y[t] == +1) {
            if (!is_upper(s, t) && -s->G[t] >= Gmax) {
                Gmax = -s->G[t];
                i = t;
                have_i = true;
            }
        } else {
            if (!is_lower(s, t) && s->G[t] >= Gmax) {
                Gmax = s->G[t];
                i = t;
                have_i = true;
            }
        }
    }

    /* Without an i, Gmax is -inf and no grad_diff below is positive, so
     * Q_i is never read. */
    if (have_i)
        Q_i = s->Q->get_column(s->Q->context, i, s->active_size);

    /* j: largest second-order decrease over I_low; ties go to the later j. */
    for (size_t j = 0; j < s->active_size; j++) {
        double grad_diff, quad_coef, obj_diff;

        if (s->y[j] == +1) {
            if (is_lower(s, j))
                continue;
            grad_diff = Gmax + s->G[j];
            if (s->G[j] >= Gmax2)
                Gmax2 = s->G[j];
            if (!(grad_diff > 0))
                continue;
            quad_coef = QD[i] + QD[j] - 2.0 * s->y[i] * Q_i[j];
        } else {
            if (is_upper(s, j))
                continue;
            grad_diff = Gmax - s->G[j];
            if (-s->G[j] >= Gmax2)
                Gmax2 = -s->G[j];
            if (!(grad_diff > 0))
                continue;
            quad_coef = QD[i] + QD[j] + 2.0 * s->y[i] * Q_i[j];
        }
        if (quad_coef > 0)
            obj_diff = -(grad_diff * grad_diff) / quad_coef;
        else
            obj_diff = -(grad_diff * grad_diff) / SMO_TAU;
        if (obj_diff <= obj_diff_min) {
            j_best = j;
            obj_diff_min = obj_diff;
            have_j = true;
        }
    }

    if (Gmax + Gmax2 < s->eps || !have_j)
        return true;
    *out_i = i;
    *out_j = j_best;
    return false;
}

static bool be_shrunk(const struct smo_state *s, size_t i, double Gmax1, double Gmax2)
{
    if (is_upper(s, i)) {
        if (s->y[i] == +1)
            return -s->G[i] > Gmax1;
        return -s->G[i] > Gmax2;
    }
    if (is_lower(s, i)) {
        if (s->y[i] == +1)
            return s->G[i] > Gmax2;
        return s->G[i] > Gmax1;
    }
    return false;
}

static void do_shrinking(struct smo_state *s)
{
    double Gmax1 = -INFINITY; /* max of -y_i G_i over I_up */
    double Gmax2 = -INFINITY; /* max of y_i G_i over I_low */

    for (size_t i = 0; i < s->active_size; i++) {
        if (s->y[i] == +1) {
            if (!is_upper(s, i) && -s->G[i] >= Gmax1)
                Gmax1 = -s->G[i];
            if (!is_lower(s, i) && s->G[i] >= Gmax2)
                Gmax2 = s->G[i];
        } else {
            if (!is_upper(s, i) && -s->G[i] >= Gmax2)
                Gmax2 = -s->G[i];
            if (!is_lower(s, i) && s->G[i] >= Gmax1)
                Gmax1 = s->G[i];
        }
    }

    if (!s->unshrink && Gmax1 + Gmax2 <= s->eps * 10) {
        s->unshrink = true;
        reconstruct_gradient(s);
        s->active_size = s->l;
    }

    /* Move each shrinkable variable behind the active set, filling its place
     * with the last active variable that stays. */
    for (size_t i = 0; i < s->active_size; i++) {
        if (!be_shrunk(s, i, Gmax1, Gmax2))
            continue;
        s->active_size--;
        while (s->active_size > i) {
            if (!be_shrunk(s, s->active_size, Gmax1, Gmax2)) {
                swap_index(s, i, s->active_size);
                break;
            }
            s->active_size--;
        }
    }
}

/* rho: the mean of y_i G_i over free variables, or the midpoint of the
 * bounds the bounded variables give when none is free. */
static double calculate_rho(const struct smo_state *s)
{
    size_t n_free = 0;
    double ub = INFINITY, lb = -INFINITY, sum_free = 0;

    for (size_t i = 0; i < s->active_size; i++) {
        const double yG = s->y[i] * s->G[i];

        if (is_upper(s, i)) {
            if (s->y[i] == -1)
                ub = fmin(ub, yG);
            else
                lb = fmax(lb, yG);
        } else if (is_lower(s, i)) {
            if (s->y[i] == +1)
                ub = fmin(ub, yG);
            else
                lb = fmax(lb, yG);
        } else {
            n_free++;
            sum_free += yG;
        }
    }

    if (n_free > 0)
        return sum_free / (double)n_free;
    return (ub + lb) / 2;
}

/* Solves the two-variable subproblem on (i, j) and updates alpha, G, the
 * bound flags and G_bar. */
static void update_pair(struct smo_state *s, size_t i, size_t j)
{
    const double *QD = s->Q->diagonal;
    const float *Q_i = s->Q->get_column(s->Q->context, i, s->active_size);
    const float *Q_j = s->Q->get_column(s->Q->context, j, s->active_size);
    const double C_i = s->C[i];
    const double C_j = s->C[j];
    const double old_alpha_i = s->alpha[i];
    const double old_alpha_j = s->alpha[j];
    double *alpha = s->alpha;
    double delta_alpha_i, delta_alpha_j;
    bool was_upper_i, was_upper_j;

    /* Step along the constraint line, then clip to the box corner by corner. */
    if (s->y[i] != s->y[j]) {
        double quad_coef = QD[i] + QD[j] + 2 * Q_i[j];
        if (quad_coef <= 0)
            quad_coef = SMO_TAU;
        const double delta = (-s->G[i] - s->G[j]) / quad_coef;
        const double diff = alpha[i] - alpha[j];
        alpha[i] += delta;
        alpha[j] += delta;

        if (diff > 0) {
            if (alpha[j] < 0) {
                alpha[j] = 0;
                alpha[i] = diff;
            }
        } else if (alpha[i] < 0) {
            alpha[i] = 0;
            alpha[j] = -diff;
        }
        if (diff > C_i - C_j) {
            if (alpha[i] > C_i) {
                alpha[i] = C_i;
                alpha[j] = C_i - diff;
            }
        } else if (alpha[j] > C_j) {
            alpha[j] = C_j;
            alpha[i] = C_j + diff;
        }
    } else {
        double quad_coef = QD[i] + QD[j] - 2 * Q_i[j];
        if (quad_coef <= 0)
            quad_coef = SMO_TAU;
        const double delta = (s->G[i] - s->G[j]) / quad_coef;
        const double sum = alpha[i] + alpha[j];
        alpha[i] -= delta;
        alpha[j] += delta;

        if (sum > C_i) {
            if (alpha[i] > C_i) {
                alpha[i] = C_i;
                alpha[j] = sum - C_i;
            }
        } else if (alpha[j] < 0) {
            alpha[j] = 0;
            alpha[i] = sum;
        }
        if (sum > C_j) {
            if (alpha[j] > C_j) {
                alpha[j] = C_j;
                alpha[i] = sum - C_j;
            }
        } else if (alpha[i] < 0) {
            alpha[i] = 0;
            alpha[j] = sum;
        }
    }

    /* Gradient of the active variables. */
    delta_alpha_i = alpha[i] - old_alpha_i;
    delta_alpha_j = alpha[j] - old_alpha_j;
    for (size_t k = 0; k < s->active_size; k++)
        s->G[k] += Q_i[k] * delta_alpha_i + Q_j[k] * delta_alpha_j;

    /* Bound flags, and G_bar of all l variables when i or j entered or left
     * the upper bound. */
    was_upper_i = is_upper(s, i);
    was_upper_j = is_upper(s, j);
    update_bound(s, i);
    update_bound(s, j);
    if (was_upper_i != is_upper(s, i)) {
        Q_i = s->Q->get_column(s->Q->context, i, s->l);
        if (was_upper_i)
            for (size_t k = 0; k < s->l; k++)
                s->G_bar[k] -= C_i * Q_i[k];
        else
            for (size_t k = 0; k < s->l; k++)
                s->G_bar[k] += C_i * Q_i[k];
    }
    if (was_upper_j != is_upper(s, j)) {
        Q_j = s->Q->get_column(s->Q->context, j, s->l);
        if (was_upper_j)
            for (size_t k = 0; k < s->l; k++)
                s->G_bar[k] -= C_j * Q_j[k];
        else
            for (size_t k = 0; k < s->l; k++)
                s->G_bar[k] += C_j * Q_j[k];
    }
}

static void state_free(struct smo_state *s)
{
    free(s->y);
    free(s->alpha);
    free(s->G);
    free(s->G_bar);
    free(s->p);
    free(s->C);
    free(s->bound);
    free(s->active_set);
}

static bool past_deadline(double deadline)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec >= deadline;
}

enum gcv_status gcv_smo_solve(const struct gcv_smo_problem *problem, double *alpha,
                              struct gcv_smo_solution *solution, struct gcv_error *err)
{
    const size_t l = problem->l;
    const size_t n = l > 0 ? l : 1;
    struct smo_state s = {0};
    long long iter = 0;
    size_t counter;
    double objective = 0;

    solution->rho = 0;
    solution->obj = 0;
    solution->n_iter = 0;
    solution->converged = true;
    if (l == 0)
        return GCV_OK;

    s.l = l;
    s.Q = problem->Q;
    s.eps = problem->eps;
    s.y = malloc(n * sizeof *s.y);
    s.alpha = malloc(n * sizeof *s.alpha);
    s.G = malloc(n * sizeof *s.G);
    s.G_bar = malloc(n * sizeof *s.G_bar);
    s.p = malloc(n * sizeof *s.p);
    s.C = malloc(n * sizeof *s.C);
    s.bound = malloc(n * sizeof *s.bound);
    s.active_set = malloc(n * sizeof *s.active_set);
    if (s.y == NULL || s.alpha == NULL || s.G == NULL || s.G_bar == NULL || s.p == NULL ||
        s.C == NULL || s.bound == NULL || s.active_set == NULL) {
        state_free(&s);
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for an SMO problem of %zu variables",
                             l);
    }
    memcpy(s.y, problem->y, l * sizeof *s.y);
    memcpy(s.alpha, alpha, l * sizeof *s.alpha);
    memcpy(s.p, problem->p, l * sizeof *s.p);
    memcpy(s.C, problem->C, l * sizeof *s.C);

    /* Bound flags, active set and the gradient at the starting point. */
    for (size_t i = 0; i < l; i++) {
        update_bound(&s, i);
        s.active_set[i] = i;
        s.G[i] = s.p[i];
        s.G_bar[i] = 0;
    }
    s.active_size = l;
    for (size_t i = 0; i < l; i++) {
        if (is_lower(&s, i))
            continue;
        const float *Q_i = s.Q->get_column(s.Q->context, i, l);
        const double alpha_i = s.alpha[i];
        for (size_t j = 0; j < l; j++)
            s.G[j] += alpha_i * Q_i[j];
        if (is_upper(&s, i))
            for (size_t j = 0; j < l; j++)
                s.G_bar[j] += s.C[i] * Q_i[j];
    }

    /* Iterate. */
    counter = (l < 1000 ? l : 1000) + 1;
    for (;;) {
        size_t i, j;

        if (problem->max_iter != -1 && iter >= problem->max_iter) {
            solution->converged = false;
            break;
        }

        if (--counter == 0) {
            counter = l < 1000 ? l : 1000;
            if (problem->shrinking)
                do_shrinking(&s);
            if (problem->deadline > 0 && past_deadline(problem->deadline)) {
                state_free(&s);
                return gcv_error_set(err, GCV_ERR_TIMEOUT, "SMO passed its deadline after "
                                     "%lld iterations", iter);
            }
        }

        if (select_working_set(&s, &i, &j)) {
            /* Optimal on the active set: check again on all variables. */
            reconstruct_gradient(&s);
            s.active_size = l;
            if (select_working_set(&s, &i, &j))
                break;
            counter = 1; /* shrink at the next iteration */
        }

        ++iter;
        update_pair(&s, i, j);
    }

    /* rho, objective, and alpha back in the caller's order. */
    solution->rho = calculate_rho(&s);
    for (size_t i = 0; i < l; i++)
        objective += s.alpha[i] * (s.G[i] + s.p[i]);
    solution->obj = objective / 2;
    solution->n_iter = iter;
    for (size_t i = 0; i < l; i++)
        alpha[s.active_set[i]] = s.alpha[i];

    state_free(&s);
    return GCV_OK;
}
