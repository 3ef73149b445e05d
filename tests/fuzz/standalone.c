/* Replays fuzz corpora in `make check` (STYLE §21): links a libFuzzer
 * target without libFuzzer and feeds it every file named on the command
 * line (directories are walked one level). A crash or sanitizer report
 * fails the test. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		return 1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return 1;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int
main(int argc, char *argv[])
{
	int i, files = 0, bad = 0;
	char dflt[4096];
	char *dargv[2] = { argv[0], dflt };

#ifdef CORPUS
	/* No arguments: the target's own committed corpus (make check). */
	if (argc == 1) {
		const char *src = getenv("CB_SRCDIR");
		snprintf(dflt, sizeof(dflt), "%s/tests/fuzz/corpus/%s",
		    src ? src : ".", CORPUS);
		argc = 2;
		argv = dargv;
	}
#else
	(void)dargv;
	(void)dflt;
#endif
	for (i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;
			while (d && (de = readdir(d)) != NULL) {
				char p[4096];
				if (de->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", argv[i],
				    de->d_name);
				bad += run_file(p);
				files++;
			}
			if (d)
				closedir(d);
		} else {
			bad += run_file(argv[i]);
			files++;
		}
	}
	/* Check-style summary line, so ./run counts it with the unit tests. */
	printf("100%%: Checks: %d, Failures: %d, Errors: 0\n", files, bad);
	return bad ? 1 : 0;
}
