/*
 * fuzz_datadir: point MBR_DATADIR at the repository's data/, for the
 * targets whose mappers read data files (divisions, surnames, phone
 * metadata). The repository is the target's source path (__FILE__, as
 * run.sh compiles it) up to "tests/fuzz/", or the working directory when
 * that is relative (run.sh compiles from the top).
 */
#ifndef MBR_FUZZ_DATADIR_H
#define MBR_FUZZ_DATADIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fuzz_set_datadir(const char *file)
{
	const char *at = strstr(file, "tests/fuzz/");
	size_t n = at ? (size_t)(at - file) : 0;
	char dir[4096];

	if (!at || n + sizeof("data") >= sizeof(dir)) {
		fprintf(stderr, "fuzz: cannot place data/ from %s\n", file);
		abort();
	}
	if (n) {
		memcpy(dir, file, n);
	} else {
		if (!getcwd(dir, sizeof(dir) - sizeof("/data")))
			abort();
		n = strlen(dir);
		dir[n++] = '/';
	}
	strcpy(dir + n, "data");
	setenv("MBR_DATADIR", dir, 1);
}

#endif
