#include "output.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "../common/param.h"

enum gcv_status gcv_output_open(struct gcv_output_file *file, const char *folder,
                                const char *name, struct gcv_error *err)
{
    memset(file, 0, sizeof *file);
    snprintf(file->path, sizeof file->path, "%s/%s", folder, name);
    snprintf(file->temp, sizeof file->temp, "%s/.%s.partial", folder, name);
    file->stream = fopen(file->temp, "w");
    if (file->stream == NULL)
        return gcv_error_set(err, GCV_ERR_IO, "cannot write %s: %s", file->temp, strerror(errno));
    return GCV_OK;
}

enum gcv_status gcv_output_commit(struct gcv_output_file *file, struct gcv_error *err)
{
    int failed;
    int saved_errno;

    failed = ferror(file->stream) || fflush(file->stream) != 0 || fsync(fileno(file->stream)) != 0;
    saved_errno = errno;
    if (fclose(file->stream) != 0 && !failed) {
        failed = 1;
        saved_errno = errno;
    }
    file->stream = NULL;
    if (failed) {
        unlink(file->temp);
        return gcv_error_set(err, GCV_ERR_IO, "writing %s failed: %s", file->path,
                             strerror(saved_errno != 0 ? saved_errno : EIO));
    }
    if (rename(file->temp, file->path) != 0) {
        saved_errno = errno;
        unlink(file->temp);
        return gcv_error_set(err, GCV_ERR_IO, "cannot rename %s to %s: %s", file->temp,
                             file->path, strerror(saved_errno));
    }
    return GCV_OK;
}

void gcv_output_abandon(struct gcv_output_file *file)
{
    if (file->stream == NULL)
        return;
    fclose(file->stream);
    file->stream = NULL;
    unlink(file->temp);
}

void gcv_output_json_string(FILE *stream, const char *s)
{
    fputc('"', stream);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(stream, "\\%c", c);
        else if (c < 0x20)
            fprintf(stream, "\\u%04x", c);
        else
            fputc(c, stream);
    }
    fputc('"', stream);
}

void gcv_output_json_number(FILE *stream, double x)
{
    char text[64];

    if (!isfinite(x)) {
        fputs("null", stream);
        return;
    }
    gcv_format_double(x, true, text, sizeof text);
    fputs(text, stream);
}
