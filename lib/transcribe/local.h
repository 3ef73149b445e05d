/* The "local" transcription engine's runner (lib/transcribe/local.c; built
 * when configure finds pocketsphinx): for lib/transcribe/run.c. */
#ifndef CB_TRANSCRIBE_LOCAL_H
#define CB_TRANSCRIBE_LOCAL_H

#include "transcribe/engine.h"

transcribe_fn transcribe_local;

#endif
