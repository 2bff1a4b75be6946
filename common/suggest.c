/* "Did you mean" hints by edit distance. */
#include "suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

/* The longest candidate gcv_suggest_distance compares, without its NUL. */
#define MAX_CANDIDATE 63

size_t gcv_suggest_distance(const char *a, const char *b)
{
    size_t row[MAX_CANDIDATE + 1]; /* [strlen(b) + 1], distances from a prefix of a */
    size_t n = strlen(b);

    if (n > MAX_CANDIDATE)
        return SIZE_MAX;
    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1] != '\0'; i++) {
        size_t diagonal = row[0];

        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t above = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diagonal + (same ? 0 : 1);

            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[n];
}

const char *gcv_suggest_closest(const char *name, const char *const *candidates, size_t n)
{
    const char *closest = NULL;
    size_t limit = strlen(name) / 3 + 1;

    for (size_t i = 0; i < n; i++) {
        size_t distance = gcv_suggest_distance(name, candidates[i]);

        if (distance <= limit && (closest == NULL || distance < limit)) {
            closest = candidates[i];
            limit = distance;
        }
    }
    return closest;
}

const char *gcv_suggest_from_list(const char *name, const char *list, char *buf, size_t len)
{
    char item[MAX_CANDIDATE + 1];
    size_t limit = strlen(name) / 3 + 1;
    const char *found = NULL;

    if (len == 0)
        return NULL;
    while (*list != '\0') {
        size_t span = strcspn(list, ",");

        if (span <= MAX_CANDIDATE) {
            memcpy(item, list, span);
            item[span] = '\0';
            size_t distance = gcv_suggest_distance(name, item);
            if (distance <= limit && (found == NULL || distance < limit)) {
                size_t copy = span < len - 1 ? span : len - 1;

                memcpy(buf, item, copy);
                buf[copy] = '\0';
                found = buf;
                limit = distance;
            }
        }
        list += span;
        while (*list == ',' || *list == ' ')
            list++;
    }
    return found;
}
