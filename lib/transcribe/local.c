/* The "local" engine (issue 22): Debian's pocketsphinx with its US-English
 * model. Draft quality, English only (docs/transcripts.md has the measured
 * figures), but it needs nothing beyond Debian packages.
 *
 * Audio goes through libraries only: libsndfile reads the stored file (WAV,
 * FLAC, OGG, MP3 with libsndfile >= 1.1) as floats, libsamplerate brings
 * each channel to the model's 16 kHz, and pocketsphinx's own voice activity
 * detector cuts the speech into utterances. A two-channel recording is
 * decoded one channel at a time so the sides stay apart:
 *   channel 1 (left)  = the customer,
 *   channel 2 (right) = the manager,
 * which is Twilio's dual-channel layout for a call that came in (the first
 * channel is the parent leg, the caller) and what most PBXes' "stereo"
 * MixMonitor options produce (r = the channel that rang in). Two channels
 * that carry the same mix (a mono call saved as stereo MP3) are decoded
 * once, as one unknown side.
 *
 * Two pocketsphinx APIs exist: Debian 12's 0.8+5prealpha (cmd_ln_init,
 * ps_get_in_speech) and Debian 13's 5.x (ps_config_t, ps_endpointer_t).
 * configure defines HAVE_PS_CONFIG_INIT for the second. Without
 * pocketsphinx (HAVE_POCKETSPHINX undefined) this file is empty and the
 * engine is absent from lib/transcribe/engines.c. */
#include "config.h"

#ifdef HAVE_POCKETSPHINX

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pocketsphinx.h>
#include <samplerate.h>
#include <sndfile.h>

#include "core/arena.h"
#include "core/buf.h"
#include "transcribe/engine.h"
#include "transcribe/local.h"

#define LOCAL_RATE 16000           /* the en-us model is wideband */
#define LOCAL_CHUNK 4096           /* frames read from the file at once */
/* Longest recording decoded: a worker should not spend hours on one file
 * (about 0.3 s of CPU per second of audio, docs/transcripts.md). */
#define LOCAL_MAX_SECONDS (3 * 3600)
/* Two channels whose difference carries under 1/1000 of their energy are
 * one mix saved twice. */
#define LOCAL_SAME_MIX 1e-3

/* The model and its decoder: loaded once per process (the worker's, the
 * admin tool's) and reused for every channel of every recording; loading
 * it costs about 0.65 s of CPU, twice per two-channel recording before.
 * transcribe_local_release() frees it at exit. Between channels and
 * recordings only the utterance state is new (ps_start_utt() starts each
 * search afresh); the cepstral mean carries over, as in pocketsphinx's own
 * live decoding. Reloaded when transcribe_model_dir changes. */
struct model {
	ps_decoder_t *dec;
#ifdef HAVE_PS_CONFIG_INIT
	ps_config_t *cfg;
#else
	cmd_ln_t *cfg;
#endif
	char dir[1024];
	/* 0.8: samples given to this decoder since it was loaded. Its frame
	 * numbers run on across utterances, channels and recordings, so a
	 * channel's times are counted from where it began (struct ps.base). */
	uint64_t fed_total;
};
static struct model model;
static unsigned model_loads;   /* this process's loads: tests, the bench */

/* One channel's decoding: the shared decoder and its own state. */
struct ps {
	ps_decoder_t *dec;        /* model.dec */
#ifdef HAVE_PS_CONFIG_INIT
	ps_config_t *cfg;         /* model.cfg */
	ps_endpointer_t *ep;
	int16_t *frame;           /* the endpointer's fixed-size frame */
	size_t frame_len, frame_fill;
#else
	cmd_ln_t *cfg;            /* model.cfg */
#endif
	bool started;             /* 0.8: ps_start_utt() was called */
	bool in_utt;              /* inside speech */
	/* Where the utterance's frame 0 is, in samples at 16 kHz from the
	 * file's start (5.x counts frames per utterance; 0.8 does not). */
	uint64_t utt_start;
	uint64_t fed;             /* samples given to the decoder so far */
	uint64_t base;            /* 0.8: model.fed_total when this began */
};

struct job {
	struct arena *a;
	struct transcript *out;
	enum speaker side;
	struct ps ps;
	bool failed;
};

/* --- pocketsphinx: open, feed, close ------------------------------------ */

static void
model_free(void)
{
	if (model.dec != NULL)
		ps_free(model.dec);
#ifdef HAVE_PS_CONFIG_INIT
	if (model.cfg != NULL)
		ps_config_free(model.cfg);
#else
	if (model.cfg != NULL)
		cmd_ln_free_r(model.cfg);
#endif
	memset(&model, 0, sizeof(model));
}

void
transcribe_local_release(void)
{
	model_free();
}

unsigned
transcribe_local_loads(void)
{
	return model_loads;
}

/* The model of dir, loaded unless it is already. */
static enum cb_err
model_load(const char *dir, char *err, size_t errsz)
{
	char hmm[1100], lm[1100], dict[1100];
	struct stat st;

	if (model.dec != NULL && strcmp(model.dir, dir) == 0)
		return CB_OK;
	model_free();
	snprintf(hmm, sizeof(hmm), "%s/en-us", dir);
	snprintf(lm, sizeof(lm), "%s/en-us.lm.bin", dir);
	snprintf(dict, sizeof(dict), "%s/cmudict-en-us.dict", dir);
	if (stat(hmm, &st) != 0 || stat(lm, &st) != 0 ||
	    stat(dict, &st) != 0) {
		err_say(err, errsz, "the pocketsphinx model is not in %s "
		    "(apt-get install pocketsphinx-en-us, or set "
		    "transcribe_model_dir)", dir);
		return CB_EIO;
	}
#ifdef HAVE_PS_CONFIG_INIT
	/* pocketsphinx 5.x: keys without the dash; "loglevel" FATAL keeps
	 * its chatter off stderr (the worker's log). */
	if ((model.cfg = ps_config_init(NULL)) == NULL)
		goto fail;
	ps_config_set_str(model.cfg, "loglevel", "FATAL");
	ps_config_set_str(model.cfg, "hmm", hmm);
	ps_config_set_str(model.cfg, "lm", lm);
	ps_config_set_str(model.cfg, "dict", dict);
	ps_config_set_int(model.cfg, "samprate", LOCAL_RATE);
	if ((model.dec = ps_init(model.cfg)) == NULL)
		goto fail;
#else
	/* 0.8+5prealpha: "-logfn /dev/null" keeps its chatter off stderr
	 * (the worker's log). */
	model.cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm,
	    "-dict", dict, "-samprate", "16000", "-logfn", "/dev/null", NULL);
	if (model.cfg == NULL || (model.dec = ps_init(model.cfg)) == NULL)
		goto fail;
#endif
	snprintf(model.dir, sizeof(model.dir), "%s", dir);
	model_loads++;
	return CB_OK;
fail:
	model_free();
	err_say(err, errsz, "pocketsphinx could not load the model in %s",
	    dir);
	return CB_EIO;
}

enum cb_err
transcribe_local_prepare(const struct cb_config *cfg, char *err, size_t errsz)
{
	return model_load(cfg->transcribe_model_dir, err, errsz);
}

/* A channel's decoding on the process's model. */
static enum cb_err
ps_open(struct ps *ps, const char *dir, char *err, size_t errsz)
{
	enum cb_err rc;

	memset(ps, 0, sizeof(*ps));
	if ((rc = model_load(dir, err, errsz)) != CB_OK)
		return rc;
	ps->dec = model.dec;
	ps->cfg = model.cfg;
	ps->base = model.fed_total;
#ifdef HAVE_PS_CONFIG_INIT
	/* The endpointer has no reset: a new one per channel (cheap). */
	if ((ps->ep = ps_endpointer_init(0, 0.0, PS_VAD_LOOSE, LOCAL_RATE,
	    0.0)) == NULL)
		goto fail;
	ps->frame_len = ps_endpointer_frame_size(ps->ep);
	if ((ps->frame = calloc(ps->frame_len, sizeof(int16_t))) == NULL)
		goto fail;
#endif
	return CB_OK;
#ifdef HAVE_PS_CONFIG_INIT
fail:
	if (ps->ep != NULL)
		ps_endpointer_free(ps->ep);
	memset(ps, 0, sizeof(*ps));
	err_say(err, errsz, "%s", "pocketsphinx could not start decoding");
	return CB_ENOMEM;
#endif
}

/* Ends a channel's decoding; the model stays loaded. */
static void
ps_close(struct ps *ps)
{
#ifdef HAVE_PS_CONFIG_INIT
	if (ps->ep != NULL)
		ps_endpointer_free(ps->ep);
	free(ps->frame);
#endif
	/* An utterance left open (a failed read) ends here, so the next
	 * channel's ps_start_utt() finds the decoder idle. */
	if (ps->dec != NULL && (ps->started || ps->in_utt))
		ps_end_utt(ps->dec);
	memset(ps, 0, sizeof(*ps));
}

static uint32_t
ms_of(uint64_t samples)
{
	uint64_t ms = samples * 1000 / LOCAL_RATE;

	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* The words of the utterance just ended, fillers (<s>, <sil>, [NOISE],
 * ++UM++) dropped and alternative pronunciations ("read(2)") cut back to
 * the word, as one utterance timed from the first to the last word. */
static void
utt_collect(struct job *j)
{
	ps_seg_t *s;
	struct buf text;
	int frate = 100, first = -1, last = -1;

#ifdef HAVE_PS_CONFIG_INIT
	frate = (int)ps_config_int(j->ps.cfg, "frate");
#else
	frate = cmd_ln_int32_r(j->ps.cfg, "-frate");
#endif
	if (frate <= 0)
		frate = 100;
	buf_init(&text, 64 * 1024);
	for (s = ps_seg_iter(j->ps.dec); s != NULL; s = ps_seg_next(s)) {
		const char *w = ps_seg_word(s);
		size_t n;
		int sf, ef;

		if (w == NULL || w[0] == '<' || w[0] == '[' || w[0] == '+')
			continue;
		n = strcspn(w, "(");
		if (n == 0)
			continue;
		ps_seg_frames(s, &sf, &ef);
		if (first < 0)
			first = sf;
		last = ef;
		if (text.len > 0)
			buf_putc(&text, ' ');
		buf_append(&text, w, n);
	}
	if (text.len > 0 && text.err == CB_OK) {
		/* Segment frames count from the utterance's start. */
		uint64_t at = j->ps.utt_start;
		uint64_t s_at = at + (uint64_t)first * LOCAL_RATE /
		    (unsigned)frate;
		uint64_t e_at = at + (uint64_t)(last + 1) * LOCAL_RATE /
		    (unsigned)frate;
		uint32_t s_ms = ms_of(s_at > j->ps.base ? s_at - j->ps.base : 0);
		uint32_t e_ms = ms_of(e_at > j->ps.base ? e_at - j->ps.base : 0);

		if (transcript_add(j->out, j->a, s_ms, e_ms, j->side,
		    text.p, text.len) != 0)
			j->failed = true;
	}
	buf_free(&text);
}

#ifdef HAVE_PS_CONFIG_INIT
/* 5.x: the endpointer takes fixed frames and returns speech (with its
 * own lead-in) while it is in an utterance. */
static void
ps_feed_frame(struct job *j, const int16_t *frame)
{
	struct ps *ps = &j->ps;
	int prev = ps_endpointer_in_speech(ps->ep);
	const int16_t *speech = ps_endpointer_process(ps->ep, frame);

	if (speech != NULL) {
		if (!prev) {
			double st = ps_endpointer_speech_start(ps->ep);

			ps->utt_start = st > 0 ? (uint64_t)(st * LOCAL_RATE) :
			    0;
			ps_start_utt(ps->dec);
			ps->in_utt = true;
		}
		ps_process_raw(ps->dec, speech, ps->frame_len, FALSE, FALSE);
		if (!ps_endpointer_in_speech(ps->ep)) {
			ps_end_utt(ps->dec);
			ps->in_utt = false;
			utt_collect(j);
		}
	}
}

static void
ps_feed(struct job *j, const int16_t *pcm, size_t n)
{
	struct ps *ps = &j->ps;

	while (n > 0) {
		size_t k = ps->frame_len - ps->frame_fill;

		if (k > n)
			k = n;
		memcpy(ps->frame + ps->frame_fill, pcm, k * sizeof(*pcm));
		ps->frame_fill += k;
		pcm += k;
		n -= k;
		ps->fed += k;
		if (ps->frame_fill == ps->frame_len) {
			ps_feed_frame(j, ps->frame);
			ps->frame_fill = 0;
		}
	}
}

static void
ps_finish(struct job *j)
{
	struct ps *ps = &j->ps;

	if (ps->in_utt) {
		const int16_t *speech = ps_endpointer_end_stream(ps->ep,
		    ps->frame, ps->frame_fill, &ps->frame_fill);

		if (speech != NULL)
			ps_process_raw(ps->dec, speech, ps->frame_fill, FALSE,
			    FALSE);
		ps_end_utt(ps->dec);
		ps->in_utt = false;
		utt_collect(j);
	}
	ps->frame_fill = 0;
}
#else
/* 0.8+5prealpha: the decoder's own detector (ps_get_in_speech) tells
 * when an utterance ended, as pocketsphinx_continuous does. Frames count
 * from the decoder's first sample across utterances there (and across
 * channels and recordings, the decoder being the process's), so utt_start
 * stays 0 and the channel's base is taken off. */
static void
ps_feed(struct job *j, const int16_t *pcm, size_t n)
{
	struct ps *ps = &j->ps;

	if (!ps->started) {
		ps_start_utt(ps->dec);
		ps->started = true;
	}
	ps_process_raw(ps->dec, pcm, n, FALSE, FALSE);
	ps->fed += n;
	model.fed_total += n;
	if (ps_get_in_speech(ps->dec)) {
		ps->in_utt = true;
	} else if (ps->in_utt) {
		ps_end_utt(ps->dec);
		ps->in_utt = false;
		utt_collect(j);
		ps_start_utt(ps->dec);
	}
}

static void
ps_finish(struct job *j)
{
	if (j->ps.started) {
		ps_end_utt(j->ps.dec);
		j->ps.started = false;
		if (j->ps.in_utt)
			utt_collect(j);
		j->ps.in_utt = false;
	}
}
#endif

/* --- audio: one channel of the file, at 16 kHz ------------------------- */

/* Decodes channel ch of the open file from its start. When other >= 0
 * also measures how much channel `other` differs from ch (*diff, *energy),
 * for the "same mix twice" check. */
static enum cb_err
decode_channel(struct job *j, SNDFILE *sf, const SF_INFO *info, int ch,
    double *diff, double *energy, char *err, size_t errsz)
{
	float *in = NULL, *mono = NULL, *res = NULL;
	short *pcm = NULL;
	SRC_STATE *src = NULL;
	double ratio = (double)LOCAL_RATE / info->samplerate;
	size_t out_cap = (size_t)(LOCAL_CHUNK * ratio) + 64;
	enum cb_err rc = CB_OK;
	int serr = 0;
	sf_count_t got;

	if (sf_seek(sf, 0, SEEK_SET) < 0) {
		err_say(err, errsz, "cannot read the recording: %s",
		    sf_strerror(sf));
		return CB_EINVAL;
	}
	in = malloc((size_t)LOCAL_CHUNK * (size_t)info->channels *
	    sizeof(float));
	mono = malloc(LOCAL_CHUNK * sizeof(float));
	res = malloc(out_cap * sizeof(float));
	pcm = malloc(out_cap * sizeof(short));
	if (info->samplerate != LOCAL_RATE)
		src = src_new(SRC_SINC_FASTEST, 1, &serr);
	if (in == NULL || mono == NULL || res == NULL || pcm == NULL ||
	    (info->samplerate != LOCAL_RATE && src == NULL)) {
		rc = CB_ENOMEM;
		err_say(err, errsz, "%s", "out of memory while decoding");
		goto out;
	}
	do {
		sf_count_t f;
		SRC_DATA sd;

		got = sf_readf_float(sf, in, LOCAL_CHUNK);
		if (got < 0)
			got = 0;
		for (f = 0; f < got; f++) {
			float v = in[f * info->channels + ch];

			mono[f] = v;
			if (diff != NULL) {
				float o = in[f * info->channels + 1 - ch];

				*diff += (double)(v - o) * (v - o);
				*energy += (double)v * v + (double)o * o;
			}
		}
		if (src == NULL) {
			src_float_to_short_array(mono, pcm, (int)got);
			ps_feed(j, pcm, (size_t)got);
			continue;
		}
		/* Everything in, possibly in several passes of out_cap. */
		memset(&sd, 0, sizeof(sd));
		sd.data_in = mono;
		sd.input_frames = (long)got;
		sd.end_of_input = got < LOCAL_CHUNK;
		sd.src_ratio = ratio;
		do {
			sd.data_out = res;
			sd.output_frames = (long)out_cap;
			if ((serr = src_process(src, &sd)) != 0) {
				err_say(err, errsz, "resampling failed: %s",
				    src_strerror(serr));
				rc = CB_EIO;
				goto out;
			}
			if (sd.output_frames_gen > 0) {
				src_float_to_short_array(res, pcm,
				    (int)sd.output_frames_gen);
				ps_feed(j, pcm, (size_t)sd.output_frames_gen);
			}
			sd.data_in += sd.input_frames_used;
			sd.input_frames -= sd.input_frames_used;
		} while (sd.input_frames > 0 || (sd.end_of_input &&
		    sd.output_frames_gen > 0));
	} while (got == LOCAL_CHUNK && !j->failed);
	ps_finish(j);
	if (j->failed) {
		rc = CB_ENOMEM;
		err_say(err, errsz, "%s", "out of memory while decoding");
	}
out:
	if (src != NULL)
		src_delete(src);
	free(in);
	free(mono);
	free(res);
	free(pcm);
	return rc;
}

static int
by_start(const void *pa, const void *pb)
{
	const struct utterance *a = pa, *b = pb;

	if (a->start_ms != b->start_ms)
		return a->start_ms < b->start_ms ? -1 : 1;
	return (int)a->side - (int)b->side;
}

enum cb_err
transcribe_local(const struct cb_config *cfg, struct arena *a,
    const char *path, struct transcript *out, char *err, size_t errsz)
{
	SF_INFO info;
	SNDFILE *sf;
	struct stat st;
	struct job j;
	enum cb_err rc;
	double diff = 0, energy = 0;

	memset(out, 0, sizeof(*out));
	memset(&info, 0, sizeof(info));
	if (stat(path, &st) != 0) {
		err_say(err, errsz, "the recording file is missing (%s)",
		    strerror(errno));
		return errno == ENOENT ? CB_ENOTFOUND : CB_EIO;
	}
	if ((sf = sf_open(path, SFM_READ, &info)) == NULL) {
		/* sf_strerror(NULL) says why the last open failed; it names
		 * the format problem, never the path. */
		err_say(err, errsz, "cannot read the recording: %s",
		    sf_strerror(NULL));
		return CB_EINVAL;
	}
	if (info.channels < 1 || info.channels > 2 || info.samplerate < 4000 ||
	    info.samplerate > 192000) {
		sf_close(sf);
		snprintf(err, errsz, "the recording has %d channels at %d Hz; "
		    "the local engine reads one or two channels at "
		    "4-192 kHz", info.channels, info.samplerate);
		return CB_EINVAL;
	}
	if (info.frames > (sf_count_t)LOCAL_MAX_SECONDS * info.samplerate) {
		sf_close(sf);
		snprintf(err, errsz, "the recording is longer than %d hours",
		    LOCAL_MAX_SECONDS / 3600);
		return CB_EINVAL;
	}
	memset(&j, 0, sizeof(j));
	j.a = a;
	j.out = out;
	out->engine = "local";
	out->language = "en";
	out->draft = true;
	if ((rc = ps_open(&j.ps, cfg->transcribe_model_dir, err, errsz)) !=
	    CB_OK) {
		sf_close(sf);
		return rc;
	}
	j.side = info.channels == 2 ? SPEAKER_CUSTOMER : SPEAKER_UNKNOWN;
	rc = decode_channel(&j, sf, &info, 0, info.channels == 2 ? &diff :
	    NULL, &energy, err, errsz);
	if (rc == CB_OK && info.channels == 2) {
		if (diff <= energy * LOCAL_SAME_MIX) {
			/* One mix in both channels: no sides to tell. */
			size_t i;

			for (i = 0; i < out->n; i++)
				out->u[i].side = SPEAKER_UNKNOWN;
		} else {
			/* The other side on the same decoder. */
			ps_close(&j.ps);
			rc = ps_open(&j.ps, cfg->transcribe_model_dir, err,
			    errsz);
			j.side = SPEAKER_MANAGER;
			if (rc == CB_OK)
				rc = decode_channel(&j, sf, &info, 1, NULL,
				    NULL, err, errsz);
		}
	}
	ps_close(&j.ps);
	sf_close(sf);
	if (rc == CB_OK && out->n > 1)
		qsort(out->u, out->n, sizeof(out->u[0]), by_start);
	return rc;
}


#else
/* ISO C wants something in a translation unit. */
typedef int transcribe_local_absent;
#endif
