#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
#define GCV_STATUS_NAME(name, code, message) #name,
    GCV_STATUS_LIST(GCV_STATUS_NAME)
#undef GCV_STATUS_NAME
};

static const char *const status_messages[] = {
#define GCV_STATUS_MESSAGE(name, code, message) message,
    GCV_STATUS_LIST(GCV_STATUS_MESSAGE)
#undef GCV_STATUS_MESSAGE
};

static const int status_exit_codes[] = {
#define GCV_STATUS_CODE(name, code, message) code,
    GCV_STATUS_LIST(GCV_STATUS_CODE)
#undef GCV_STATUS_CODE
};

const char *gcv_status_name(enum gcv_status status)
{
    if ((int)status < 0 || status >= GCV_STATUS_COUNT)
        return "GCV_UNKNOWN";
    return status_names[status];
}

const char *gcv_status_message(enum gcv_status status)
{
    if ((int)status < 0 || status >= GCV_STATUS_COUNT)
        return "unknown status";
    return status_messages[status];
}

int gcv_status_exit_code(enum gcv_status status)
{
    if ((int)status < 0 || status >= GCV_STATUS_COUNT)
        return 1;
    return status_exit_codes[status];
}

enum gcv_status gcv_error_set(struct gcv_error *err, enum gcv_status status,
                              const char *format, ...)
{
    va_list args;

    if (err == NULL)
        return status;
    err->status = status;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
    return status;
}

enum gcv_status gcv_error_prefix(struct gcv_error *err, const char *format, ...)
{
    char prefix[GCV_ERROR_MAX];
    char joined[2 * GCV_ERROR_MAX];
    va_list args;

    if (err == NULL)
        return GCV_ERR_INTERNAL;
    va_start(args, format);
    vsnprintf(prefix, sizeof prefix, format, args);
    va_end(args);
    snprintf(joined, sizeof joined, "%s%s", prefix, err->message);
    snprintf(err->message, sizeof err->message, "%.*s", GCV_ERROR_MAX - 1, joined);
    return err->status;
}

void gcv_error_clear(struct gcv_error *err)
{
    if (err == NULL)
        return;
    err->status = GCV_OK;
    err->message[0] = '\0';
}
