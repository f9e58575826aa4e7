/*
 * mbr: the front command. `mbr TOOL ARGS...` runs `mbr-TOOL ARGS...`, as
 * git runs its dashed commands: first beside this binary, then on PATH.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datafile.h"
#include "err.h"
#include "suggest.h"

static const struct {
	const char *name, *what;
} tools[] = {
	{"import", "source exports (any encoding) through mappings into "
		   "canonical records"},
	{"normalize",
	 "every canonical field into canonical form, problems into _issues"},
	{"validate",
	 "check records against rules; reject or flag, with reasons"},
	{"dedupe",
	 "find the same member across and within sources: cluster_id"},
	{"merge-id",
	 "golden master records, stable master IDs and the crosswalk"},
	{"export", "records into a target system's format and encoding, masked "
		   "on request"},
	{"profile", "fill rates, values, shapes, flags, rejects and overlap "
		    "per source and field"},
	{"report", "one HTML file: profile, run log, clusters, pairs to "
		   "review in the browser"},
	{"reconcile", "after the load: the target's export against the "
		      "staging masters"},
	{"rehearse", "the whole pipeline on a copy of the staging database: "
		     "go or no-go"},
	{"erase", "a member's data out of the staging database, a tombstone "
		  "in its place"},
};

#define N_TOOLS (sizeof(tools) / sizeof(tools[0]))

static void print_usage(FILE *f)
{
	fputs("usage: mbr TOOL [ARGS...]\n"
	      "Migrate and cleanse member data. Tools:\n\n",
	      f);
	for (size_t i = 0; i < N_TOOLS; i++)
		fprintf(f, "  %-10s %s\n", tools[i].name, tools[i].what);
	fputs("\n'mbr help TOOL' (or mbr-TOOL --help) explains a tool; "
	      "'mbr version'\nprints the version.\n"
	      "\nexample:\n"
	      "  mbr import --map mappings/pos.map sample-data/pos_legacy.csv "
	      "| mbr export --mask mobile\n",
	      f);
}

static bool known(const char *tool)
{
	for (size_t i = 0; i < N_TOOLS; i++)
		if (!strcmp(tools[i].name, tool))
			return true;
	return false;
}

/* Run mbr-TOOL with argv (argv[0] becomes its name): beside this binary
 * first, then on PATH. Returns only on failure. */
static int run_tool(char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];

	datafile_bin_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%smbr-%s", dir, argv[0]);
	argv[0] = path + strlen(dir);
	execv(path, argv);
	execvp(argv[0], argv); /* not beside us: try PATH */
	fprintf(stderr, "mbr: cannot run '%s': %s\n", argv[0], strerror(errno));
	return EXIT_USAGE;
}

static int unknown(const char *tool)
{
	const char *names[N_TOOLS];
	const char *near;

	for (size_t i = 0; i < N_TOOLS; i++)
		names[i] = tools[i].name;
	near = suggest(tool, names, N_TOOLS);
	if (near) {
		fprintf(stderr,
			"mbr: '%s' is not an mbr tool (did you mean '%s'?)\n"
			"Try 'mbr --help'.\n",
			tool, near);
		return EXIT_USAGE;
	}
	fprintf(stderr, "mbr: '%s' is not an mbr tool (expected one of", tool);
	for (size_t i = 0; i < N_TOOLS; i++)
		fprintf(stderr, "%s %s", i ? "," : "", tools[i].name);
	fputs(")\nTry 'mbr --help'.\n", stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	bool help = argc > 1 &&
		    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
		     !strcmp(argv[1], "help"));

	if (argc < 2 || (help && argc == 2)) {
		print_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("mbr %s\n", MBR_VERSION);
		return 0;
	}
	if (help) { /* mbr help TOOL: mbr-TOOL --help */
		static char flag[] = "--help";
		char *args[] = {argv[2], flag, NULL};

		return known(argv[2]) ? run_tool(args) : unknown(argv[2]);
	}
	if (!known(argv[1]))
		return unknown(argv[1]);
	return run_tool(argv + 1);
}
