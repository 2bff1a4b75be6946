/* `gridcv report DIR`: the closing summary, the text table and the plot of
 * a search, rebuilt from the files of its output folder without MPI.
 *
 * A finished search is read from spec.json (parsed by common/spec.c, so the
 * candidates come back in the same order), cv_results.json and best.json.
 * A search that stopped before writing cv_results.json is read from its
 * journal (journal.bin, coordinator/journal.h): the fits recorded so far,
 * with the candidates that lack a fold left without a mean score.
 *
 * This module reads the JSON output files with the JSON library (jansson),
 * as common/spec.c reads the spec; no other module uses it. */
#ifndef GCV_REPORT_H
#define GCV_REPORT_H

/* Prints the report of the output folder folder to standard output and
 * rewrites its plot (heatmap.svg or validation_curve.svg). Returns the
 * process exit code: 0 success, 2 bad input, 1 when a file cannot be read
 * or written. Bad input is a folder that is not a gridcv output folder, or
 * whose files are damaged or disagree with each other. On failure one
 * error line goes to standard error. */
int gcv_report_run(const char *folder);

#endif
