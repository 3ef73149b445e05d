#include "config.h"

#include <stdio.h>

#include "analytics/chart.h"
#include "analytics/stats.h"

#define LEFT 44     /* room for the y axis labels */
#define BOTTOM 24   /* room for the x axis labels */
#define TOP 8

static void
put_s(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void
put_i(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* Coordinates with one decimal: the SVG is small and diffable. */
static void
put_f(struct json_object *o, const char *k, double v)
{
	char s[32];

	snprintf(s, sizeof(s), "%.1f", v);
	put_s(o, k, s);
}

/* The axis top: four gridline steps of 1, 2 or 5 × a power of ten, so
 * every tick label is a whole number. */
static int64_t
nice_top(int64_t max)
{
	int64_t p = 1, step;

	if (max <= 4)
		return 4;
	step = (max + 3) / 4;
	while (p * 10 <= step)
		p *= 10;
	if (step <= p)
		step = p;
	else if (step <= 2 * p)
		step = 2 * p;
	else if (step <= 5 * p)
		step = 5 * p;
	else
		step = 10 * p;
	return 4 * step;
}

struct json_object *
an_chart_bars(const char *title, const char *desc, const struct an_group *g,
    size_t n, const char *const *series, const char *const *names,
    unsigned nseries, enum i18n_lang lang)
{
	struct json_object *m = json_object_new_object();
	struct json_object *bars = json_object_new_array();
	struct json_object *ticks = json_object_new_array();
	struct json_object *labels = json_object_new_array();
	struct json_object *legend = json_object_new_array();
	double plot_w = AN_CHART_W - LEFT - 24, plot_h = AN_CHART_H - TOP -
	    BOTTOM, slot = n ? plot_w / (double)n : plot_w, bw;
	int64_t max = 0, top;
	size_t i, every;
	unsigned s;
	char vb[32], buf[64], tip[256], num[48];

	if (nseries > AN_SERIES_MAX)
		nseries = AN_SERIES_MAX;
	for (i = 0; i < n; i++) {
		int64_t t = 0;
		for (s = 0; s < nseries; s++)
			t += g[i].v[s];
		if (t > max)
			max = t;
	}
	top = nice_top(max);
	bw = slot > 3 ? slot * 0.8 : slot;
	for (i = 0; i < n; i++) {
		double y = TOP + plot_h;
		for (s = 0; s < nseries; s++) {
			struct json_object *b;
			double h;

			if (g[i].v[s] <= 0)
				continue;
			h = (double)g[i].v[s] * plot_h / (double)top;
			y -= h;
			b = json_object_new_object();
			put_f(b, "x", LEFT + slot * (double)i + (slot - bw) / 2);
			put_f(b, "y", y);
			put_f(b, "w", bw);
			put_f(b, "h", h);
			snprintf(buf, sizeof(buf), "s%u", s);
			put_s(b, "cls", buf);
			put_s(b, "series", series[s]);
			put_s(b, "key", g[i].key);
			put_i(b, "value", g[i].v[s]);
			/* The hover text and the screen reader's:
			 * "23.11.2026, прийнято: 12". */
			i18n_format_int(lang, g[i].v[s], num, sizeof(num));
			snprintf(tip, sizeof(tip), "%s, %s: %s", g[i].shown ?
			    g[i].shown : g[i].label ? g[i].label : "", names[s],
			    num);
			put_s(b, "tip", tip);
			json_object_array_add(bars, b);
		}
	}
	for (s = 0; s <= 4; s++) {
		struct json_object *t = json_object_new_object();
		put_f(t, "y", TOP + plot_h - plot_h * s / 4.0);
		put_f(t, "ly", TOP + plot_h - plot_h * s / 4.0 + 4);
		i18n_format_int(lang, top * s / 4, buf, sizeof(buf));
		put_s(t, "label", buf);
		json_object_array_add(ticks, t);
	}
	/* At most about 12 labels on the x axis. */
	every = n > 12 ? (n + 11) / 12 : 1;
	for (i = 0; i < n; i += every) {
		struct json_object *l = json_object_new_object();
		put_f(l, "x", LEFT + slot * (double)i + slot / 2);
		put_s(l, "label", g[i].label);
		json_object_array_add(labels, l);
	}
	for (s = 0; s < nseries; s++) {
		struct json_object *l = json_object_new_object();
		put_s(l, "name", names[s]);
		snprintf(buf, sizeof(buf), "s%u", s);
		put_s(l, "cls", buf);
		json_object_array_add(legend, l);
	}
	snprintf(vb, sizeof(vb), "0 0 %d %d", AN_CHART_W, AN_CHART_H);
	put_s(m, "title", title);
	put_s(m, "desc", desc);
	put_s(m, "view_box", vb);
	put_f(m, "axis_y", TOP + plot_h);
	put_i(m, "axis_x", LEFT);
	put_i(m, "axis_x2", AN_CHART_W - 4);
	put_f(m, "label_y", AN_CHART_H - 6);
	put_i(m, "max", top);
	json_object_object_add(m, "bars", bars);
	json_object_object_add(m, "ticks", ticks);
	json_object_object_add(m, "labels", labels);
	json_object_object_add(m, "legend", legend);
	return m;
}

/* The keys (English, for machines) and the abbreviations people read,
 * from each language's catalog (uk "Пн", pl "Pon."). */
static const char *const weekdays[7] = {
	N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"),
	N_("Sun")
};

struct json_object *
an_chart_heat(const char *title, const char *desc, const int64_t count[7][24],
    const int64_t missed[7][24], enum i18n_lang lang)
{
	struct json_object *m = json_object_new_object();
	struct json_object *cells = json_object_new_array();
	struct json_object *rows = json_object_new_array();
	struct json_object *cols = json_object_new_array();
	double cw = (AN_CHART_W - LEFT - 4) / 24.0, ch = 24;
	int64_t max = 0;
	int d, h;
	char buf[256], vb[32], share[AN_PERMILLE_TEXT], missed_pc[32];
	char num[48];
	/* TRANSLATORS: the hover text of the analytics heatmap's cell:
	 * "Mon 09:00-09:59: calls: 12, missed: 8.3%". */
	const char *w_calls = i18n_gettext(lang, N_("calls"));
	const char *w_missed = i18n_gettext(lang, N_("missed"));

	for (d = 0; d < 7; d++)
		for (h = 0; h < 24; h++)
			if (count[d][h] > max)
				max = count[d][h];
	for (d = 0; d < 7; d++) {
		struct json_object *r = json_object_new_object();
		put_f(r, "y", TOP + ch * d + ch / 2 + 4);
		put_s(r, "label", i18n_gettext(lang, weekdays[d]));
		json_object_array_add(rows, r);
		for (h = 0; h < 24; h++) {
			struct json_object *c = json_object_new_object();
			int64_t pm = an_permille(missed[d][h], count[d][h]);

			put_f(c, "x", LEFT + cw * h);
			put_f(c, "y", TOP + ch * d);
			put_f(c, "w", cw - 1);
			put_f(c, "h", ch - 1);
			/* Darker = more calls; the missed share is in the
			 * text and the table. */
			put_f(c, "opacity", max ? 0.08 + 0.92 *
			    (double)count[d][h] / (double)max : 0.08);
			put_i(c, "value", count[d][h]);
			put_i(c, "missed", missed[d][h]);
			snprintf(buf, sizeof(buf), "%s %02d:00", weekdays[d], h);
			put_s(c, "key", buf);
			an_permille_text(pm, share);
			i18n_format_percent(lang, share, missed_pc,
			    sizeof(missed_pc));
			i18n_format_int(lang, count[d][h], num, sizeof(num));
			snprintf(buf, sizeof(buf), "%s %02d:00-%02d:59: %s: %s, "
			    "%s: %s", i18n_gettext(lang, weekdays[d]), h, h,
			    w_calls, num, w_missed, missed_pc);
			put_s(c, "tip", buf);
			json_object_array_add(cells, c);
		}
	}
	for (h = 0; h < 24; h += 3) {
		struct json_object *c = json_object_new_object();
		put_f(c, "x", LEFT + cw * h + cw / 2);
		snprintf(buf, sizeof(buf), "%02d", h);
		put_s(c, "label", buf);
		json_object_array_add(cols, c);
	}
	snprintf(vb, sizeof(vb), "0 0 %d %d", AN_CHART_W, (int)(TOP + ch * 7 +
	    BOTTOM));
	put_s(m, "title", title);
	put_s(m, "desc", desc);
	put_s(m, "view_box", vb);
	put_f(m, "label_y", TOP + ch * 7 + 16);
	json_object_object_add(m, "cells", cells);
	json_object_object_add(m, "rows", rows);
	json_object_object_add(m, "cols", cols);
	return m;
}
