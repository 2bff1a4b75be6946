/* libFuzzer target for the spec parser: the input is the text of a spec
 * file. It runs the checks that rank 0 makes before a search starts
 * (gcv_spec_parse, then the estimator, scorer and every candidate's
 * parameters through gcv_task_context_init) and checks each error message
 * with fuzz_check_error.
 *
 * Built with clang -fsanitize=fuzzer by scripts/fuzz, and with
 * replay_main.c into replay_spec, which the test run uses to replay the
 * corpus and the regressions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_error.h"
#include "common/spec.h"
#include "worker/task.h"

/* The spec file's name as the messages print it; data.path is resolved
 * against its folder, but nothing opens the data here. */
#define FUZZ_SPEC_FILE "fuzz/spec.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gcv_spec spec;
    struct gcv_task_context probe;
    struct gcv_error err = {GCV_OK, ""};
    enum gcv_estimator_kind kind;
    enum gcv_status status;
    char *text;

    /* gcv_spec_read_file rejects a file with a NUL byte, so the parser
     * never receives one. */
    if (memchr(data, '\0', size) != NULL)
        return 0;
    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    status = gcv_spec_parse(text, FUZZ_SPEC_FILE, &spec, &err);
    fuzz_check_error(status, &err);
    if (status == GCV_OK) {
        status = gcv_task_estimator_kind(&spec, &kind, &err);
        fuzz_check_error(status, &err);
        if (status == GCV_OK) {
            status = gcv_task_context_init(&probe, &spec, NULL, NULL, &err);
            fuzz_check_error(status, &err);
            if (status == GCV_OK)
                gcv_task_context_free(&probe);
        }
        gcv_spec_free(&spec);
    }

    free(text);
    return 0;
}
