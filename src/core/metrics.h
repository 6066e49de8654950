/*
 * In-process metrics, rendered in the Prometheus text format.  A series is
 * a metric name plus a label string such as `route="/healthz",code="200"`;
 * callers keep label values to a small fixed set.
 */
#ifndef CORE_METRICS_H
#define CORE_METRICS_H

#include <stddef.h>

#include "core/buf.h"

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

/* Declares a metric family once, before its first use. */
void
metrics_describe(const char *name, enum metric_type type, const char *help);
/* Adds delta to a counter (or gauge). */
void metrics_add(const char *name, const char *labels, double delta);
/* Records one observation (seconds) in a histogram. */
void metrics_observe(const char *name, const char *labels, double value);
/* Appends every family and series to out. */
int metrics_render(struct buf *out);

/*
 * For a family its owner computes when scraped rather than keeps here (a
 * count read from the database): appends its HELP and TYPE lines, then
 * one sample line each.  It must not also be declared with
 * metrics_describe().
 */
void metrics_render_head(struct buf *out, const char *name,
    enum metric_type type, const char *help);
void metrics_render_sample(struct buf *out, const char *name,
    const char *labels, double value);
/*
 * Writes s as a label value goes between its quotes (backslash, quote and
 * newline escaped), cut to fit size; returns out.
 */
char *metrics_label_esc(char *out, size_t size, const char *s);

#endif
