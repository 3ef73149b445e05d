/* The only list of transcription engines (issue 22). An engine that was
 * not built (configure found no pocketsphinx) is absent from the list, and
 * transcribe_engine_why_not() says what to install. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "transcribe/engine.h"

#ifdef HAVE_POCKETSPHINX
extern const struct transcribe_engine transcribe_local_engine;
#endif
#include "transcribe/http.h"

static const struct transcribe_engine *const engines[] = {
#ifdef HAVE_POCKETSPHINX
	&transcribe_local_engine,
#endif
	/* lib/transcribe/http.c (OpenAI-compatible endpoint). */
	&transcribe_http_engine,
	NULL
};

const struct transcribe_engine *
transcribe_engine_by_name(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return NULL;
	for (i = 0; engines[i] != NULL; i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

const struct transcribe_engine *
transcribe_engine_of(const struct cb_config *cfg)
{
	return transcribe_engine_by_name(cfg->transcribe_engine);
}

const char *
transcribe_engine_why_not(const char *name)
{
	if (name == NULL || name[0] == '\0' ||
	    transcribe_engine_by_name(name) != NULL)
		return NULL;
	if (strcmp(name, "local") == 0)
		return "the local engine was not built: configure found no "
		    "pocketsphinx (apt-get install libpocketsphinx-dev "
		    "libsndfile1-dev libsamplerate0-dev pocketsphinx-en-us, "
		    "then configure and build again)";
	return "unknown engine (expected local, http, or empty for off)";
}
