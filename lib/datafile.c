/*
 * datafile: where the data files are (datafile.h).
 */
#include "datafile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#ifndef MBR_DATADIR
#define MBR_DATADIR "/usr/local/share/mbr"
#endif

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

void datafile_bin_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;

	if (n <= 0) {
		dir[0] = '\0';
		return;
	}
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
}

int datafile_path(const char *name, char *path, size_t size,
		  struct mbr_err *err)
{
	const char *env = getenv("MBR_DATADIR");
	char dir[4096];

	if (env && *env) {
		snprintf(path, size, "%s/%s", env, name);
		if (readable(path))
			return 0;
	}
	datafile_bin_dir(dir, sizeof(dir));
	if (dir[0]) {
		/* bin/ of the source tree, then an installed PREFIX/bin/. */
		snprintf(path, size, "%s../data/%s", dir, name);
		if (readable(path))
			return 0;
		snprintf(path, size, "%s../share/mbr/data/%s", dir, name);
		if (readable(path))
			return 0;
	}
	snprintf(path, size, "%s/data/%s", MBR_DATADIR, name);
	if (readable(path))
		return 0;
	snprintf(path, size, "%s/%s", MBR_DATADIR, name);
	if (readable(path))
		return 0;
	path[0] = '\0';
	return mbr_fail(
		err, MBR_EIO,
		"cannot find data file '%s' (looked in $MBR_DATADIR "
		"'%s', '%s/../data', '%s/../share/mbr/data', '%s/data', '%s'; "
		"set MBR_DATADIR)",
		name, env ? env : "", dir, dir, MBR_DATADIR, MBR_DATADIR);
}

#ifndef MBR_SYSCONFDIR
#define MBR_SYSCONFDIR "/etc/mbr"
#endif

const char *datafile_config(const char *name, char *path, size_t size)
{
	const char *env = getenv("MBR_MAPPINGS");
	char dir[4096];

	if (!*name || strchr(name, '/') || readable(name))
		return name;
	if (env && *env) {
		snprintf(path, size, "%s/%s", env, name);
		if (readable(path))
			return path;
	}
	snprintf(path, size, "%s/%s", MBR_SYSCONFDIR, name);
	if (readable(path))
		return path;
	datafile_bin_dir(dir, sizeof(dir));
	if (dir[0]) {
		snprintf(path, size, "%s../share/mbr/mappings/%s", dir, name);
		if (readable(path))
			return path;
	}
	snprintf(path, size, "%s/mappings/%s", MBR_DATADIR, name);
	if (readable(path))
		return path;
	return name;
}

char *datafile_read(const char *path, size_t max, size_t *len,
		    struct mbr_err *err)
{
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		mbr_fail(err, MBR_EIO, "cannot open '%s': %s", path,
			 strerror(errno));
		return NULL;
	}
	buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0)
			break;
	if (ferror(f) || n > 0) {
		mbr_fail(err, MBR_EIO, "cannot read '%s': %s", path,
			 n > 0 ? "file too large" : strerror(errno));
		fclose(f);
		buf_release(&b);
		return NULL;
	}
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}
