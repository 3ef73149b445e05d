/* The "local" transcription engine's runner (lib/transcribe/local.c; built
 * when configure finds pocketsphinx): for lib/transcribe/run.c. */
#ifndef CB_TRANSCRIBE_LOCAL_H
#define CB_TRANSCRIBE_LOCAL_H

#include "transcribe/engine.h"

transcribe_fn transcribe_local;
/* Loads the model of cfg->transcribe_model_dir unless it is loaded
 * (transcribe_prepare: the worker, before it forks a transcription). */
enum cb_err transcribe_local_prepare(const struct cb_config *cfg, char *err,
    size_t errsz);
/* Frees the model the engine keeps loaded between recordings (at exit). */
void transcribe_local_release(void);
/* How many times this process loaded the model (tests: once for every
 * channel of every recording until released or its directory changes). */
unsigned transcribe_local_loads(void);

#endif
