/*
 * Logging: one line per event on standard error, the request or job id
 * first, then key=value fields:
 *
 *   req_01JF... t=2026-12-03T16:10:22.123Z level=info event=http.request ...
 *
 * Values that come from outside go through log_esc().  Secrets never reach
 * a log line.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Lines above this level are dropped; the default is LOG_INFO. */
void log_set_level(int level);
int log_enabled(int level);
/* Parses "error", "warn", "info" or "debug"; PB_ERR_INVALID otherwise. */
int log_level_parse(const char *s, int *level);

/*
 * Writes one line.  id may be NULL ("-"); fmt holds the key=value fields
 * after the event name, or is NULL.
 */
void log_msg(int level, const char *id, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_error(id, ev, ...) log_msg(LOG_ERROR, id, ev, __VA_ARGS__)
#define log_warn(id, ev, ...) log_msg(LOG_WARN, id, ev, __VA_ARGS__)
#define log_info(id, ev, ...) log_msg(LOG_INFO, id, ev, __VA_ARGS__)
#define log_debug(id, ev, ...) log_msg(LOG_DEBUG, id, ev, __VA_ARGS__)

/*
 * Makes an untrusted string safe for a log value: quoted when it holds
 * spaces, quotes or '=', control bytes as \xNN, cut to fit
 * size.  Returns out.
 */
char *log_esc(char *out, size_t size, const char *s);

#endif
