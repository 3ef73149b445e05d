#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "analytics/stats.h"

int64_t
an_hist_percentile(const int64_t *hist, size_t n, int p)
{
	int64_t total = 0, need, seen = 0;
	size_t v;

	for (v = 0; v < n; v++)
		total += hist[v];
	if (total == 0 || p < 1 || p > 100)
		return -1;
	need = (total * p + 99) / 100;   /* ceil(p/100 * N) */
	for (v = 0; v < n; v++) {
		seen += hist[v];
		if (seen >= need)
			return (int64_t)v;
	}
	return (int64_t)(n - 1);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t
an_percentile(int64_t *v, size_t n, int p)
{
	size_t rank;

	if (n == 0 || p < 1 || p > 100)
		return -1;
	qsort(v, n, sizeof(*v), cmp_i64);
	rank = ((size_t)p * n + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

enum an_follow
an_follow_class(int64_t delay, int64_t target_seconds)
{
	if (delay < 0)
		return FOLLOW_NEVER;
	return delay <= target_seconds ? FOLLOW_WITHIN : FOLLOW_LATE;
}

int64_t
an_permille(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return 0;
	return (part * 1000 + whole / 2) / whole;
}

void
an_permille_text(int64_t permille, char out[AN_PERMILLE_TEXT])
{
	snprintf(out, AN_PERMILLE_TEXT, "%lld.%lld", (long long)(permille / 10),
	    (long long)(permille % 10));
}
