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
	const char *key;        /* "2026-11-23", "0-10 s": data-key */
	const char *label;      /* the axis label (may be shortened) */
	int64_t v[AN_SERIES_MAX];
};

/* A stacked bar chart: one bar per group, series stacked bottom up.
 * series[i] names series i (also its CSS class "s<i>"). Returns a new
 * object (caller owns): {title, desc, view_box, bars[{x, y, w, h, cls,
 * series, key, value, tip}], ticks[{y, label}], labels[{x, label}],
 * legend[{name, cls}], max}. */
struct json_object *an_chart_bars(const char *title, const char *desc,
    const struct an_group *g, size_t n, const char *const *series,
    unsigned nseries);

/* A 7 × 24 heatmap: count[d][h] incoming calls on weekday d (0 Monday)
 * at hour h, missed[d][h] of them missed. {title, desc, view_box,
 * cells[{x, y, w, h, opacity, value, missed, key, tip}], rows[{y, label}],
 * cols[{x, label}]}. A tip's share missed is written as lang writes a
 * decimal (i18n_format_percent). */
struct json_object *an_chart_heat(const char *title, const char *desc,
    const int64_t count[7][24], const int64_t missed[7][24],
    enum i18n_lang lang);

#endif
