/*
 * Metrics registry: a fixed table of families and a bounded list of
 * series, guarded by one mutex (see metrics.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/metrics.h"
#include "core/rc.h"

#define FAMILIES_MAX 64
#define SERIES_MAX 4096
#define LABELS_MAX 200

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1, 2.5, 5, 10, 30};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct family {
	const char *name;
	const char *help;
	enum metric_type type;
};

struct series {
	int family;
	char labels[LABELS_MAX];
	double value; /* counter, gauge; histogram sum */
	unsigned long long count;
	unsigned long long bucket[NBUCKETS];
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct family families[FAMILIES_MAX];
static int nfamilies;
static struct series *series;
static int nseries;

void
metrics_describe(const char *name, enum metric_type type, const char *help)
{
	pthread_mutex_lock(&metrics_lock);
	for (int i = 0; i < nfamilies; i++) {
		if (strcmp(families[i].name, name) == 0)
			goto out;
	}
	if (nfamilies < FAMILIES_MAX)
		families[nfamilies++] = (struct family){name, help, type};
out:
	pthread_mutex_unlock(&metrics_lock);
}

/* Called with the lock held; NULL for an undeclared family or a full table. */
static struct series *
find_series(const char *name, const char *labels)
{
	int f;

	for (f = 0; f < nfamilies; f++)
		if (strcmp(families[f].name, name) == 0)
			break;
	if (f == nfamilies)
		return NULL;
	for (int i = 0; i < nseries; i++)
		if (series[i].family == f &&
		    strcmp(series[i].labels, labels) == 0)
			return &series[i];
	if (nseries == SERIES_MAX || strlen(labels) >= LABELS_MAX)
		return NULL;
	if (series == NULL)
		series = xcalloc(SERIES_MAX, sizeof(*series));
	series[nseries].family = f;
	memcpy(series[nseries].labels, labels, strlen(labels) + 1);
	return &series[nseries++];
}

void
metrics_add(const char *name, const char *labels, double delta)
{
	struct series *s;

	pthread_mutex_lock(&metrics_lock);
	if ((s = find_series(name, labels)))
		s->value += delta;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_observe(const char *name, const char *labels, double value)
{
	struct series *s;

	pthread_mutex_lock(&metrics_lock);
	if ((s = find_series(name, labels))) {
		s->value += value;
		s->count++;
		for (size_t b = 0; b < NBUCKETS; b++)
			if (value <= buckets[b])
				s->bucket[b]++;
	}
	pthread_mutex_unlock(&metrics_lock);
}

static void
render_histogram(struct buf *out, const char *name, const struct series *s)
{
	const char *sep = s->labels[0] ? "," : "";

	for (size_t b = 0; b < NBUCKETS; b++)
		buf_printf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", name,
		    s->labels, sep, buckets[b], s->bucket[b]);
	buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, s->labels,
	    sep, s->count);
	buf_printf(out, "%s_sum{%s} %.6f\n", name, s->labels, s->value);
	buf_printf(out, "%s_count{%s} %llu\n", name, s->labels, s->count);
}

void
metrics_render_head(struct buf *out, const char *name, enum metric_type type,
    const char *help)
{
	static const char *const types[] = {"counter", "gauge", "histogram"};

	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    types[type]);
}

void
metrics_render_sample(struct buf *out, const char *name, const char *labels,
    double value)
{
	buf_printf(out, "%s{%s} %.17g\n", name, labels, value);
}

char *
metrics_label_esc(char *out, size_t size, const char *s)
{
	size_t n = 0;

	if (size == 0)
		return out;
	for (; *s && n + 2 < size; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			out[n++] = '\\';
		out[n++] = *s == '\n' ? 'n' : *s;
	}
	out[n] = '\0';
	return out;
}

static void
render_family(struct buf *out, int f)
{
	const struct family *fam = &families[f];

	metrics_render_head(out, fam->name, fam->type, fam->help);
	for (int i = 0; i < nseries; i++) {
		if (series[i].family != f)
			continue;
		if (fam->type == METRIC_HISTOGRAM)
			render_histogram(out, fam->name, &series[i]);
		else
			metrics_render_sample(out, fam->name, series[i].labels,
			    series[i].value);
	}
}

int
metrics_render(struct buf *out)
{
	pthread_mutex_lock(&metrics_lock);
	for (int f = 0; f < nfamilies; f++)
		render_family(out, f);
	pthread_mutex_unlock(&metrics_lock);
	return PB_OK;
}
