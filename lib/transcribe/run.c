/* Which function runs each engine of lib/transcribe/engines.c's list, by
 * its id (engine.h says why the two are apart). In libcallboard_engines.a,
 * linked only by the worker and the admin tool: this file is what pulls
 * local.c (pocketsphinx, libsndfile, libsamplerate) and http.c into a
 * program. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "transcribe/engine.h"
#include "transcribe/http.h"
#include "transcribe/local.h"

static transcribe_fn *const runners[TRANSCRIBE_N_ENGINES] = {
#ifdef HAVE_POCKETSPHINX
	[TRANSCRIBE_LOCAL] = transcribe_local,
#endif
	[TRANSCRIBE_HTTP] = transcribe_http,
};

transcribe_fn *
transcribe_runner(const struct transcribe_engine *e)
{
	if (e == NULL || !e->built || (size_t)e->id >= TRANSCRIBE_N_ENGINES)
		return NULL;
	return runners[e->id];
}

enum cb_err
transcribe_run(const struct transcribe_engine *e, const struct cb_config *cfg,
    struct arena *a, const char *path, struct transcript *out, char *err,
    size_t errsz)
{
	transcribe_fn *fn = transcribe_runner(e);

	if (fn == NULL) {
		snprintf(err, errsz, "the %s engine is not built in",
		    e != NULL ? e->name : "configured");
		return CB_EINVAL;
	}
	return fn(cfg, a, path, out, err, errsz);
}

enum cb_err
transcribe_prepare(const struct transcribe_engine *e,
    const struct cb_config *cfg, char *err, size_t errsz)
{
#ifdef HAVE_POCKETSPHINX
	if (e != NULL && e->built && e->id == TRANSCRIBE_LOCAL)
		return transcribe_local_prepare(cfg, err, errsz);
#else
	(void)e;
	(void)cfg;
	(void)err;
	(void)errsz;
#endif
	return CB_OK;
}

void
transcribe_release(void)
{
#ifdef HAVE_POCKETSPHINX
	transcribe_local_release();
#endif
}
