/* One-line key=value logging to standard error (see log.h). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/rc.h"

#define LOG_LINE_MAX 4096

static atomic_int log_level = LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void
log_set_level(int level)
{
	atomic_store(&log_level, level);
}

int
log_enabled(int level)
{
	return level <= atomic_load(&log_level);
}

int
log_level_parse(const char *s, int *level)
{
	for (int i = 0; i <= LOG_DEBUG; i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*level = i;
			return PB_OK;
		}
	}
	return PB_ERR_INVALID;
}

void
log_msg(int level, const char *id, const char *event, const char *fmt, ...)
{
	char line[LOG_LINE_MAX], ts[CLOCK_RFC3339_SIZE];
	va_list ap;
	size_t n;
	int w;

	if (!log_enabled(level))
		return;
	clock_format(clock_now_ms(), ts);
	w = snprintf(line, sizeof(line) - 1, "%s t=%s level=%s event=%s",
	    id ? id : "-", ts, level_names[level], event);
	n = w < 0 ? 0 : (size_t)w;
	if (fmt && n < sizeof(line) - 2) {
		line[n++] = ' ';
		va_start(ap, fmt);
		w = vsnprintf(line + n, sizeof(line) - 1 - n, fmt, ap);
		va_end(ap);
		n += w < 0 ? 0 : (size_t)w;
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line keeps lines of different threads apart. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

static int
needs_quotes(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s; s++)
		if (*s == ' ' || *s == '"' || *s == '=' || *s == '\\')
			return 1;
	return 0;
}

char *
log_esc(char *out, size_t size, const char *s)
{
	int quote;
	size_t n = 0;

	if (size < 8) {
		if (size)
			out[0] = '\0';
		return out;
	}
	if (s == NULL)
		s = "";
	quote = needs_quotes(s);
	if (quote)
		out[n++] = '"';
	for (; *s && n + 6 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		} else if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else {
			out[n++] = (char)c;
		}
	}
	if (quote)
		out[n++] = '"';
	out[n] = '\0';
	return out;
}
