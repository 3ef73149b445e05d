/* Chart geometry for the analytics page (issue 21): the server draws SVG
 * through the template engine (templates/analytics.html), so every label
 * is escaped like any other text; this file only computes where things
 * go, as a json-c view model. Each drawn shape carries the value it shows
 * (data-value) so tests can compare the picture with the database. */
#ifndef CB_ANALYTICS_CHART_H
#define CB_ANALYTICS_CHART_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "i18n/i18n.h"

#define AN_SERIES_MAX 3
#define AN_CHART_W 720
#define AN_CHART_H 220

struct an_group {
	const char *key;        /* "2026-11-23", "0-9 s": data-key, for
	                         * machines and tests */
	const char *label;      /* the axis label (may be shortened) */
	const char *shown;      /* the group in the hover text ("23.11.2026");
	                         * NULL: label */
	int64_t v[AN_SERIES_MAX];
};

/* A stacked bar chart: one bar per group, series stacked bottom up.
 * series[i] is series i's key (data-series; its CSS class is "s<i>"),
 * names[i] its name as the viewer reads it (legend, hover text). Numbers
 * a person reads (ticks, hover text) are written as lang writes them
 * (i18n_format_int); data-value keeps the plain number. Returns a new
 * object (caller owns): {title, desc, view_box, bars[{x, y, w, h, cls,
 * series, key, value, tip}], ticks[{y, label}], labels[{x, label}],
 * legend[{name, cls}], max}. */
struct json_object *an_chart_bars(const char *title, const char *desc,
    const struct an_group *g, size_t n, const char *const *series,
    const char *const *names, unsigned nseries, enum i18n_lang lang);

/* A 7 × 24 heatmap: count[d][h] incoming calls on weekday d (0 Monday,
 * the first day of the week in all our languages: CLDR's firstDay is
 * "mon" for GB, UA, RU, ES and PL) at hour h, missed[d][h] of them
 * missed. {title, desc, view_box, cells[{x, y, w, h, opacity, value,
 * missed, key, tip}], rows[{y, label}], cols[{x, label}]}. The rows'
 * labels and the tips are in lang (the weekdays' abbreviations from its
 * catalog, counts and the share missed as lang writes numbers); a cell's
 * key stays English ("Mon 09:00"), for machines. */
struct json_object *an_chart_heat(const char *title, const char *desc,
    const int64_t count[7][24], const int64_t missed[7][24],
    enum i18n_lang lang);

#endif
