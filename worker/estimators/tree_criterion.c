/* The impurity criteria of scikit-learn 1.2.1's trees
 * (sklearn/tree/_criterion.pyx), with the same sums in the same order.
 *
 * gini: 1 - sum_k p_k^2, p_k the weighted class fractions.
 * entropy: -sum_k p_k log2 p_k.
 * squared_error and friedman_mse: the weighted variance of y. friedman_mse
 *     ranks the splits by n_l n_r (mean_l - mean_r)^2 / (n_l + n_r), the
 *     improvement of scikit-learn's FriedmanMSE.
 * absolute_error: the weighted mean absolute deviation from the weighted
 *     median.
 * poisson: half the mean Poisson deviance, sum y log(y / mean) / n. */
#include "tree_criterion.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The Poisson criterion treats a sum of targets below this as zero. */
#define POISSON_EPSILON (10 * DBL_EPSILON)

double gcv_tree_log2(double x)
{
    return log(x) / log(2.0);
}

static bool is_classification(enum gcv_tree_criterion kind)
{
    return kind == GCV_TREE_GINI || kind == GCV_TREE_ENTROPY;
}

static double sample_weight_of(const struct gcv_tree_criterion_state *c, size_t sample)
{
    return c->weight != NULL ? c->weight[sample] : 1.0;
}

static double median_get(const struct gcv_tree_median *m)
{
    if (m->sum_w_0_k == m->total_weight / 2.0)
        return (m->values[m->k].value + m->values[m->k - 1].value) / 2.0;
    if (m->sum_w_0_k > m->total_weight / 2.0)
        return m->values[m->k - 1].value;
    return 0.0;
}

/* Moves k down while values[0:k-1] still weigh at least half the total. */
static void median_shrink_k(struct gcv_tree_median *m)
{
    while (m->k > 1 && m->sum_w_0_k - m->values[m->k - 1].weight >= m->total_weight / 2.0) {
        m->k--;
        m->sum_w_0_k -= m->values[m->k].weight;
    }
}

/* Moves k up until values[0:k] weigh at least half the total. */
static void median_grow_k(struct gcv_tree_median *m)
{
    while (m->k < m->size && m->sum_w_0_k < m->total_weight / 2.0) {
        m->k++;
        m->sum_w_0_k += m->values[m->k - 1].weight;
    }
}

static void median_push(struct gcv_tree_median *m, double value, double weight)
{
    const double original_median = m->size > 0 ? median_get(m) : 0.0;
    size_t i = m->size;

    m->values[i] = (struct gcv_tree_weighted_value){.value = value, .weight = weight};
    while (i > 0 && m->values[i].value < m->values[i - 1].value) {
        struct gcv_tree_weighted_value swap = m->values[i];

        m->values[i] = m->values[i - 1];
        m->values[i - 1] = swap;
        i--;
    }
    m->size++;

    if (m->size == 1) {
        m->k = 1;
        m->total_weight = weight;
        m->sum_w_0_k = weight;
        return;
    }
    m->total_weight += weight;
    if (value < original_median) {
        m->k++;
        m->sum_w_0_k += weight;
        median_shrink_k(m);
    } else {
        median_grow_k(m);
    }
}

/* Updates k after (value, weight) left the calculator. */
static void median_after_removal(struct gcv_tree_median *m, double value, double weight,
                                 double original_median)
{
    if (m->size == 0) {
        m->k = 0;
        m->total_weight = 0.0;
        m->sum_w_0_k = 0.0;
        return;
    }
    if (m->size == 1) {
        m->k = 1;
        m->total_weight -= weight;
        m->sum_w_0_k = m->total_weight;
        return;
    }
    m->total_weight -= weight;
    if (value < original_median) {
        m->k--;
        m->sum_w_0_k -= weight;
        median_grow_k(m);
    } else {
        median_shrink_k(m);
    }
}

/* Removes the first entry equal to (value, weight). */
static void median_remove(struct gcv_tree_median *m, double value, double weight)
{
    const double original_median = m->size > 0 ? median_get(m) : 0.0;
    size_t i = 0;

    while (i < m->size && !(m->values[i].value == value && m->values[i].weight == weight))
        i++;
    if (i == m->size)
        return;
    memmove(m->values + i, m->values + i + 1, (m->size - i - 1) * sizeof *m->values);
    m->size--;
    median_after_removal(m, value, weight, original_median);
}

/* Removes the smallest entry into *out. */
static void median_pop(struct gcv_tree_median *m, struct gcv_tree_weighted_value *out)
{
    const double original_median = median_get(m);

    *out = m->values[0];
    memmove(m->values, m->values + 1, (m->size - 1) * sizeof *m->values);
    m->size--;
    median_after_removal(m, out->value, out->weight, original_median);
}

/* Moves every entry of from into to, smallest first. */
static void median_move_all(struct gcv_tree_median *from, struct gcv_tree_median *to)
{
    for (size_t n = from->size; n > 0; n--) {
        struct gcv_tree_weighted_value entry;

        median_pop(from, &entry);
        median_push(to, entry.value, entry.weight);
    }
}

static void median_clear(struct gcv_tree_median *m)
{
    m->size = 0;
    m->k = 0;
    m->total_weight = 0.0;
    m->sum_w_0_k = 0.0;
}

void gcv_tree_criterion_reset(struct gcv_tree_criterion_state *c)
{
    c->pos = c->start;
    c->weighted_n_left = 0.0;
    c->weighted_n_right = c->weighted_n_node_samples;
    if (c->kind == GCV_TREE_ABSOLUTE_ERROR) {
        median_move_all(&c->left_median, &c->right_median);
        return;
    }
    memset(c->sum_left, 0, c->n_values * sizeof *c->sum_left);
    memcpy(c->sum_right, c->sum_total, c->n_values * sizeof *c->sum_right);
}

static void criterion_reverse_reset(struct gcv_tree_criterion_state *c)
{
    c->pos = c->end;
    c->weighted_n_left = c->weighted_n_node_samples;
    c->weighted_n_right = 0.0;
    if (c->kind == GCV_TREE_ABSOLUTE_ERROR) {
        median_move_all(&c->right_median, &c->left_median);
        return;
    }
    memcpy(c->sum_left, c->sum_total, c->n_values * sizeof *c->sum_left);
    memset(c->sum_right, 0, c->n_values * sizeof *c->sum_right);
}

void gcv_tree_criterion_init(struct gcv_tree_criterion_state *c, size_t start, size_t end)
{
    c->start = start;
    c->end = end;
    c->weighted_n_node_samples = 0.0;
    c->sq_sum_total = 0.0;
    memset(c->sum_total, 0, c->n_values * sizeof *c->sum_total);

    for (size_t p = start; p < end; p++) {
        const size_t i = c->samples[p];
        const double w = sample_weight_of(c, i);

        if (is_classification(c->kind)) {
            c->sum_total[(size_t)c->y[i]] += w;
        } else if (c->kind != GCV_TREE_ABSOLUTE_ERROR) {
            const double w_y = w * c->y[i];

            c->sum_total[0] += w_y;
            c->sq_sum_total += w_y * c->y[i];
        }
        c->weighted_n_node_samples += w;
    }

    if (c->kind == GCV_TREE_ABSOLUTE_ERROR) {
        median_clear(&c->left_median);
        median_clear(&c->right_median);
        for (size_t p = start; p < end; p++)
            median_push(&c->right_median, c->y[c->samples[p]],
                        sample_weight_of(c, c->samples[p]));
        c->node_median = median_get(&c->right_median);
    }
    gcv_tree_criterion_reset(c);
}

/* Moves samples[pos:new_pos] to the left child. Like scikit-learn, it
 * walks from whichever end is nearer: from pos forwards, or from end
 * backwards after putting every sample on the left. */
void gcv_tree_criterion_update(struct gcv_tree_criterion_state *c, size_t new_pos)
{
    const bool mae = c->kind == GCV_TREE_ABSOLUTE_ERROR;
    const bool classes = is_classification(c->kind);

    if (new_pos - c->pos <= c->end - new_pos) {
        for (size_t p = c->pos; p < new_pos; p++) {
            const size_t i = c->samples[p];
            const double w = sample_weight_of(c, i);

            if (mae) {
                median_remove(&c->right_median, c->y[i], w);
                median_push(&c->left_median, c->y[i], w);
            } else if (classes) {
                c->sum_left[(size_t)c->y[i]] += w;
            } else {
                c->sum_left[0] += w * c->y[i];
            }
            c->weighted_n_left += w;
        }
    } else {
        criterion_reverse_reset(c);
        for (size_t p = c->end; p-- > new_pos;) {
            const size_t i = c->samples[p];
            const double w = sample_weight_of(c, i);

            if (mae) {
                median_remove(&c->left_median, c->y[i], w);
                median_push(&c->right_median, c->y[i], w);
            } else if (classes) {
                c->sum_left[(size_t)c->y[i]] -= w;
            } else {
                c->sum_left[0] -= w * c->y[i];
            }
            c->weighted_n_left -= w;
        }
    }

    c->weighted_n_right = c->weighted_n_node_samples - c->weighted_n_left;
    if (!mae)
        for (size_t k = 0; k < c->n_values; k++)
            c->sum_right[k] = c->sum_total[k] - c->sum_left[k];
    c->pos = new_pos;
}

static double gini(const double *counts, size_t n_classes, double weighted_n)
{
    double sq_count = 0.0;

    for (size_t k = 0; k < n_classes; k++)
        sq_count += counts[k] * counts[k];
    return 1.0 - sq_count / (weighted_n * weighted_n);
}

static double entropy(const double *counts, size_t n_classes, double weighted_n)
{
    double result = 0.0;

    for (size_t k = 0; k < n_classes; k++) {
        double fraction = counts[k];

        if (fraction > 0.0) {
            fraction /= weighted_n;
            result -= fraction * gcv_tree_log2(fraction);
        }
    }
    return result;
}

/* scipy.special.xlogy: x log(y), 0 when x is 0. */
static double xlogy(double x, double y)
{
    if (x == 0.0 && !isnan(y))
        return 0.0;
    return x * log(y);
}

/* Half the mean Poisson deviance of samples[start:end] around their mean,
 * or infinity when their sum is not positive. */
static double poisson_loss(const struct gcv_tree_criterion_state *c, size_t start, size_t end,
                           double y_sum, double weight_sum)
{
    double loss = 0.0, y_mean;

    if (y_sum <= POISSON_EPSILON)
        return INFINITY;
    y_mean = y_sum / weight_sum;
    for (size_t p = start; p < end; p++) {
        const size_t i = c->samples[p];

        loss += sample_weight_of(c, i) * xlogy(c->y[i], c->y[i] / y_mean);
    }
    return loss / weight_sum;
}

/* The mean absolute deviation of samples[start:end] from median. */
static double absolute_deviation(const struct gcv_tree_criterion_state *c, size_t start,
                                 size_t end, double median, double weight_sum)
{
    double total = 0.0;

    for (size_t p = start; p < end; p++) {
        const size_t i = c->samples[p];

        total += fabs(c->y[i] - median) * sample_weight_of(c, i);
    }
    return total / weight_sum;
}

double gcv_tree_criterion_node_impurity(const struct gcv_tree_criterion_state *c)
{
    const double wn = c->weighted_n_node_samples;

    switch (c->kind) {
    case GCV_TREE_GINI:
        return gini(c->sum_total, c->n_values, wn);
    case GCV_TREE_ENTROPY:
        return entropy(c->sum_total, c->n_values, wn);
    case GCV_TREE_SQUARED_ERROR:
    case GCV_TREE_FRIEDMAN_MSE:
        return c->sq_sum_total / wn - pow(c->sum_total[0] / wn, 2.0);
    case GCV_TREE_ABSOLUTE_ERROR:
        return absolute_deviation(c, c->start, c->end, c->node_median, wn);
    case GCV_TREE_POISSON:
        break;
    }
    return poisson_loss(c, c->start, c->end, c->sum_total[0], wn);
}

void gcv_tree_criterion_children_impurity(const struct gcv_tree_criterion_state *c, double *left,
                                          double *right)
{
    const double wl = c->weighted_n_left, wr = c->weighted_n_right;

    switch (c->kind) {
    case GCV_TREE_GINI:
        *left = gini(c->sum_left, c->n_values, wl);
        *right = gini(c->sum_right, c->n_values, wr);
        return;
    case GCV_TREE_ENTROPY:
        *left = entropy(c->sum_left, c->n_values, wl);
        *right = entropy(c->sum_right, c->n_values, wr);
        return;
    case GCV_TREE_SQUARED_ERROR:
    case GCV_TREE_FRIEDMAN_MSE: {
        double sq_sum_left = 0.0;

        for (size_t p = c->start; p < c->pos; p++) {
            const size_t i = c->samples[p];

            sq_sum_left += sample_weight_of(c, i) * c->y[i] * c->y[i];
        }
        *left = sq_sum_left / wl - pow(c->sum_left[0] / wl, 2.0);
        *right = (c->sq_sum_total - sq_sum_left) / wr - pow(c->sum_right[0] / wr, 2.0);
        return;
    }
    case GCV_TREE_ABSOLUTE_ERROR:
        *left = absolute_deviation(c, c->start, c->pos, median_get(&c->left_median), wl);
        *right = absolute_deviation(c, c->pos, c->end, median_get(&c->right_median), wr);
        return;
    case GCV_TREE_POISSON:
        break;
    }
    *left = poisson_loss(c, c->start, c->pos, c->sum_left[0], wl);
    *right = poisson_loss(c, c->pos, c->end, c->sum_right[0], wr);
}

double gcv_tree_criterion_proxy_improvement(const struct gcv_tree_criterion_state *c)
{
    const double wl = c->weighted_n_left, wr = c->weighted_n_right;
    double left, right;

    switch (c->kind) {
    case GCV_TREE_SQUARED_ERROR:
        return c->sum_left[0] * c->sum_left[0] / wl + c->sum_right[0] * c->sum_right[0] / wr;
    case GCV_TREE_FRIEDMAN_MSE: {
        const double diff = wr * c->sum_left[0] - wl * c->sum_right[0];

        return diff * diff / (wl * wr);
    }
    case GCV_TREE_POISSON:
        if (c->sum_left[0] <= POISSON_EPSILON || c->sum_right[0] <= POISSON_EPSILON)
            return -INFINITY;
        return c->sum_left[0] * gcv_tree_log2(c->sum_left[0] / wl) +
               c->sum_right[0] * gcv_tree_log2(c->sum_right[0] / wr);
    default:
        break;
    }
    gcv_tree_criterion_children_impurity(c, &left, &right);
    return -wr * right - wl * left;
}

double gcv_tree_criterion_improvement(const struct gcv_tree_criterion_state *c, double parent,
                                      double left, double right)
{
    const double wn = c->weighted_n_node_samples;

    if (c->kind == GCV_TREE_FRIEDMAN_MSE) {
        const double diff = c->weighted_n_right * c->sum_left[0] -
                            c->weighted_n_left * c->sum_right[0];

        return diff * diff / (c->weighted_n_left * c->weighted_n_right * wn);
    }
    return wn / c->weighted_n_samples *
           (parent - c->weighted_n_right / wn * right - c->weighted_n_left / wn * left);
}

void gcv_tree_criterion_node_value(const struct gcv_tree_criterion_state *c, double *dest)
{
    if (is_classification(c->kind))
        memcpy(dest, c->sum_total, c->n_values * sizeof *dest);
    else if (c->kind == GCV_TREE_ABSOLUTE_ERROR)
        dest[0] = c->node_median;
    else
        dest[0] = c->sum_total[0] / c->weighted_n_node_samples;
}

enum gcv_status gcv_tree_criterion_alloc(struct gcv_tree_criterion_state *c,
                                         enum gcv_tree_criterion kind,
                                         const struct gcv_tree_data *data, const double *weight,
                                         const size_t *samples, double weighted_n_samples,
                                         struct gcv_error *err)
{
    const size_t n = data->n_samples;

    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->y = data->y;
    c->weight = weight;
    c->samples = samples;
    c->n_values = data->n_classes > 0 ? data->n_classes : 1;
    c->weighted_n_samples = weighted_n_samples;
    c->sum_total = calloc(c->n_values, sizeof *c->sum_total);
    c->sum_left = calloc(c->n_values, sizeof *c->sum_left);
    c->sum_right = calloc(c->n_values, sizeof *c->sum_right);
    if (c->sum_total == NULL || c->sum_left == NULL || c->sum_right == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the sums of %zu classes",
                             c->n_values);
    if (kind != GCV_TREE_ABSOLUTE_ERROR)
        return GCV_OK;
    c->left_median.values = malloc(n * sizeof *c->left_median.values);
    c->right_median.values = malloc(n * sizeof *c->right_median.values);
    if (c->left_median.values == NULL || c->right_median.values == NULL)
        return gcv_error_set(err, GCV_ERR_NOMEM, "out of memory for the medians of %zu rows",
                             n);
    return GCV_OK;
}

void gcv_tree_criterion_free(struct gcv_tree_criterion_state *c)
{
    free(c->sum_total);
    free(c->sum_left);
    free(c->sum_right);
    free(c->left_median.values);
    free(c->right_median.values);
    memset(c, 0, sizeof *c);
}
