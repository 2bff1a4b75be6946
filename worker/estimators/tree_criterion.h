/* The impurity criteria of the tree builder (sklearn/tree/_criterion.pyx
 * of scikit-learn 1.2.1): running statistics of a node's samples split at
 * a position, updated as the position moves. Used by tree.c only. */
#ifndef GCV_TREE_CRITERION_H
#define GCV_TREE_CRITERION_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/status.h"
#include "tree.h"

/* One target and its sample weight in a median calculator. */
struct gcv_tree_weighted_value {
    double value;
    double weight;
};

/* scikit-learn's WeightedMedianCalculator (sklearn/tree/_utils.pyx): the
 * values sorted ascending, equal values in insertion order, with k and
 * sum_w_0_k, the weight of values[0:k], updated after each insertion or
 * removal rather than recomputed. The update assumes a removed value equal
 * to the median lies at or after position k. So after some removals k is
 * not the smallest position whose weight reaches half the total, and the
 * median differs from the textbook weighted median. The absolute_error
 * criterion repeats this state machine so that its medians, and with them
 * its splits, are scikit-learn's. */
struct gcv_tree_median {
    struct gcv_tree_weighted_value *values;  /* [n_samples], owned; values[0:size] in use */
    size_t size;
    size_t k;
    double total_weight;
    double sum_w_0_k;
};

/* The running statistics of samples[start:pos] (the left child) and
 * samples[pos:end] (the right child) of the node samples[start:end]. */
struct gcv_tree_criterion_state {
    enum gcv_tree_criterion kind;
    const double *y;            /* [n_samples] borrowed */
    const double *weight;       /* [n_samples] borrowed, NULL for all 1 */
    const size_t *samples;      /* the splitter's sample order, borrowed */
    size_t n_values;            /* classes, or 1 */
    size_t start, pos, end;
    double weighted_n_samples;  /* weight of every sample of the fit */
    double weighted_n_node_samples;
    double weighted_n_left;
    double weighted_n_right;
    double sq_sum_total;        /* sum of w y^2 (squared_error, friedman_mse) */
    double *sum_total;          /* [n_values], owned: weighted class counts, or sum of w y */
    double *sum_left;           /* [n_values], owned */
    double *sum_right;          /* [n_values], owned */
    double node_median;         /* absolute_error: the node's median */
    struct gcv_tree_median left_median;   /* absolute_error: targets of the left child */
    struct gcv_tree_median right_median;  /* absolute_error: targets of the right child */
};

/* Allocates the arrays of a criterion of kind over the n_samples samples
 * of data, weighted by weight (NULL for all 1) and ordered by samples,
 * both borrowed for the criterion's life. weighted_n_samples is the
 * weight of every sample of the fit. Free with gcv_tree_criterion_free,
 * also after a failure. */
enum gcv_status gcv_tree_criterion_alloc(struct gcv_tree_criterion_state *c,
                                         enum gcv_tree_criterion kind,
                                         const struct gcv_tree_data *data, const double *weight,
                                         const size_t *samples, double weighted_n_samples,
                                         struct gcv_error *err);

/* Frees the arrays of c. */
void gcv_tree_criterion_free(struct gcv_tree_criterion_state *c);

/* Starts the node samples[start:end] with every sample on the right. */
void gcv_tree_criterion_init(struct gcv_tree_criterion_state *c, size_t start, size_t end);

/* Puts every sample of the node back on the right (pos = start). */
void gcv_tree_criterion_reset(struct gcv_tree_criterion_state *c);

/* Moves samples[pos:new_pos] to the left child, new_pos >= pos. */
void gcv_tree_criterion_update(struct gcv_tree_criterion_state *c, size_t new_pos);

/* The impurity of the whole node. */
double gcv_tree_criterion_node_impurity(const struct gcv_tree_criterion_state *c);

/* The impurities of the two children at pos. */
void gcv_tree_criterion_children_impurity(const struct gcv_tree_criterion_state *c, double *left,
                                          double *right);

/* A quantity that orders the splits of one node as their impurity
 * decrease does, cheaper to compute. */
double gcv_tree_criterion_proxy_improvement(const struct gcv_tree_criterion_state *c);

/* The weighted impurity decrease of the split at pos, given the node's
 * impurity and its children's. */
double gcv_tree_criterion_improvement(const struct gcv_tree_criterion_state *c, double parent,
                                      double left, double right);

/* Writes the node's value into dest[n_values]: the weighted class counts,
 * the weighted mean of the targets, or their median (absolute_error). */
void gcv_tree_criterion_node_value(const struct gcv_tree_criterion_state *c, double *dest);

/* scikit-learn's log in the tree code: base 2, computed as ln(x) / ln(2)
 * (which can differ from log2(x) in the last bit). */
double gcv_tree_log2(double x);

#endif
