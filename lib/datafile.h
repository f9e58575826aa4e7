/*
 * datafile: the one place that knows where mbr's data files are
 * (divisions, surnames, pinyin, phone metadata, nicknames), so that a
 * source tree, an installed PREFIX and a Debian package all find them.
 *
 * Looked for in order: $MBR_DATADIR; beside the running binary, as
 * ../data (the source tree's bin/) and ../share/mbr/data (an installed
 * PREFIX/bin); then the build's MBR_DATADIR (PREFIX/share/mbr), as
 * MBR_DATADIR/data and MBR_DATADIR itself.
 */
#ifndef MBR_DATAFILE_H
#define MBR_DATAFILE_H

#include <stddef.h>

#include "err.h"

/* Put the path of data file name (e.g. "divisions.csv") in path. -1 with
 * err (MBR_EIO) naming every place looked in when none has it. */
/* The directory of the running binary with a trailing slash (the tools
 * are beside each other, data/ beside bin/), or "" when /proc cannot
 * tell. */
void datafile_bin_dir(char *dir, size_t size);

int datafile_path(const char *name, char *path, size_t size,
		  struct mbr_err *err);

/* Where a mapping or rules file given by bare name is: name itself when
 * it holds a '/' or is readable from the working directory; else the
 * first of $MBR_MAPPINGS/name, /etc/mbr/name, ../share/mbr/mappings/name
 * beside the running binary and MBR_DATADIR/mappings/name that is
 * readable (written to path); else name (whose opening then fails with
 * its own message). */
const char *datafile_config(const char *name, char *path, size_t size);

/* Read the file at path into a NUL-terminated heap block (the caller
 * frees it), its length in *len. MBR_EIO when it cannot be read or is
 * larger than max bytes. */
char *datafile_read(const char *path, size_t max, size_t *len,
		    struct mbr_err *err);

#endif
