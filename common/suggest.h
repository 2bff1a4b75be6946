/* "Did you mean" hints: the accepted name closest to a mistyped one, for
 * the error messages about unknown keys, estimators, parameters and
 * scorers. */
#ifndef GCV_SUGGEST_H
#define GCV_SUGGEST_H

#include <stddef.h>

/* Returns the Levenshtein distance between a and b, letters compared
 * without case (insertions, deletions and substitutions each cost 1), or
 * SIZE_MAX when b has 64 bytes or more. */
size_t gcv_suggest_distance(const char *a, const char *b);

/* Returns the candidate closest to name, or NULL when none is within
 * strlen(name) / 3 + 1 edits. Of equally close candidates the first wins.
 * candidates[n] and the result are borrowed. */
const char *gcv_suggest_closest(const char *name, const char *const *candidates, size_t n);

/* As gcv_suggest_closest for candidates written as one list "a, b, c":
 * copies the closest item into buf[len] and returns buf, or returns NULL. */
const char *gcv_suggest_from_list(const char *name, const char *list, char *buf, size_t len);

#endif
