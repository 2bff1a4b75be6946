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

/* Copies text into message (GCV_ERROR_MAX bytes) with each control
 * character written as an escape (\n, \t, \r or \xHH), as far as it fits.
 * A message is printed as one line, and values from the user's input
 * (a JSON key, a token near a syntax error, a file name) may contain such
 * characters. */
static void copy_escaped(char *message, const char *text)
{
    size_t n = 0;

    for (; *text != '\0'; text++) {
        unsigned char c = (unsigned char)*text;
        char escape[5];
        size_t len;

        if (c == '\n')
            len = (size_t)snprintf(escape, sizeof escape, "\\n");
        else if (c == '\t')
            len = (size_t)snprintf(escape, sizeof escape, "\\t");
        else if (c == '\r')
            len = (size_t)snprintf(escape, sizeof escape, "\\r");
        else if (c < 0x20 || c == 0x7f)
            len = (size_t)snprintf(escape, sizeof escape, "\\x%02x", c);
        else
            len = (size_t)snprintf(escape, sizeof escape, "%c", c);
        if (n + len >= GCV_ERROR_MAX)
            break;
        memcpy(message + n, escape, len);
        n += len;
    }
    message[n] = '\0';
}

enum gcv_status gcv_error_set(struct gcv_error *err, enum gcv_status status,
                              const char *format, ...)
{
    char text[GCV_ERROR_MAX];
    va_list args;

    if (err == NULL)
        return status;
    err->status = status;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    copy_escaped(err->message, text);
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
    copy_escaped(err->message, joined);
    return err->status;
}

void gcv_error_clear(struct gcv_error *err)
{
    if (err == NULL)
        return;
    err->status = GCV_OK;
    err->message[0] = '\0';
}
