#!/usr/bin/env python3
"""Run the mbr pipeline on a Dask cluster (Debian's python3-distributed).

  mbr_dask.py (--scheduler HOST:PORT | --local N) --workdir DIR
              [--partitions P] [--shards N] [--validate-rules FILE]
              [--rules FILE] [--model FILE] [--xref FILE] [--pairs FILE]
              [--review FILE] [--bin DIR] -o MASTERS.csv RECORDS.csv...

RECORDS are canonical records (mbr-import's output). The steps, each a
Dask task that runs the installed mbr binaries (found on the worker's
PATH, or in --bin DIR) on files in --workdir:

  1. the records are cut into P partitions (whole CSV records, header
     repeated; the driver does this as it streams the input), or, with
     --partitions 0, each input file is one (files of one header);
  2. mbr-normalize, then mbr-validate (with --validate-rules), on each
     partition: P tasks;
  3. mbr-dedupe --shard I/N --pairs-only over all the valid partitions:
     N tasks, each writing pairs.I.csv;
  4. mbr-dedupe --from-pairs pairs.0.csv,...: one task, clustered.csv;
  5. mbr-merge-id --xref: one task, the golden masters and the crosswalk.

The result is byte for byte what the same tools give on one machine
(normalize | validate | dedupe | merge-id). --workdir must be a directory
every worker sees at the same path (NFS or any shared mount); the
records, pairs and masters in it hold personal data: it is made 0700.

Each task's wall time and peak memory (the tool's max RSS) are printed
on standard error, so the cluster can be sized from a trial run.
"""
import argparse
import csv
import os
import subprocess
import sys
import threading
import time
import uuid

# Exit codes of the mbr tools: 0 clean, 1 finished with rejects or flags;
# anything above is a failure of the step.
OK_CODES = (0, 1)


class StepFailed(RuntimeError):
    pass


def peak_kb(pid):
    """The process's peak resident memory so far (VmHWM), or 0."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_tool(argv, bin_dir=None):
    """Run one mbr command on the worker; returns (argv[0], wall seconds,
    peak RSS in KB, exit code, the summary line). The peak is sampled
    every 50 ms from /proc (the worker's own memory is not counted).
    Raises StepFailed with the tool's standard error when it fails."""
    env = dict(os.environ)
    if bin_dir:
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, peak_kb(proc.pid))
        time.sleep(0.05)
    reader.join()
    proc.stderr.close()
    wall = time.monotonic() - start
    text = b"".join(err).decode("utf-8", "replace")
    if proc.returncode not in OK_CODES:
        raise StepFailed("%s failed (exit %d): %s" %
                         (" ".join(argv), proc.returncode, text.strip()))
    lines = [l for l in text.splitlines() if l.strip()]
    return (argv[0], wall, peak, proc.returncode,
            lines[-1] if lines else "")


def split_records(paths, workdir, parts):
    """Cut the records into at most `parts` files of whole CSV records,
    in input order, each with the header. Returns their paths."""
    rows = 0
    header = None
    for p in paths:
        with open(p, newline="", encoding="utf-8") as f:
            r = csv.reader(f)
            h = next(r, None)
            if h is None:
                raise SystemExit("mbr_dask: %s: empty file" % p)
            if header is not None and h != header:
                raise SystemExit("mbr_dask: %s: another header than %s" %
                                 (p, paths[0]))
            header = h
            rows += sum(1 for _ in r)
    per = max(1, -(-rows // parts))
    out, w, f_out, n = [], None, None, 0
    for p in paths:
        with open(p, newline="", encoding="utf-8") as f:
            r = csv.reader(f)
            next(r)
            for row in r:
                if w is None or n == per:
                    if f_out:
                        f_out.close()
                    name = os.path.join(workdir, "part.%d.csv" % len(out))
                    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                 0o600)
                    f_out = open(fd, "w", newline="", encoding="utf-8")
                    w = csv.writer(f_out, lineterminator="\n")
                    w.writerow(header)
                    out.append(name)
                    n = 0
                w.writerow(row)
                n += 1
    if f_out:
        f_out.close()
    return out


def report(results, label):
    for tool, wall, rss_kb, rc, summary in results:
        print("mbr_dask: %s: %s %.2f s, peak %d MB%s | %s" %
              (label, os.path.basename(tool), wall, rss_kb // 1024,
               " (exit 1)" if rc == 1 else "", summary), file=sys.stderr)


def gather(client, futures, label):
    results = client.gather(futures)
    report(results, label)
    return results


def pipeline(client, a):
    wd = os.path.abspath(a.workdir)
    os.makedirs(wd, mode=0o700, exist_ok=True)
    os.chmod(wd, 0o700)
    # --partitions 0: the input files are the partitions (no split).
    parts = (a.records if a.partitions == 0 else
             split_records(a.records, wd, a.partitions))
    # Task names carry a run token: two drivers on one scheduler (or a
    # rerun while the scheduler still holds results) never share a task.
    run = uuid.uuid4().hex[:8]
    sub = lambda argv, key: client.submit(run_tool, argv, a.bin,
                                          key="mbr-%s-%s" % (key, run),
                                          pure=False)

    # 2. Stream tools on the partitions, in parallel.
    norm = [os.path.join(wd, "normalized.%d.csv" % i)
            for i in range(len(parts))]
    gather(client, [sub(["mbr-normalize", "-o", n, p], "normalize-%d" % i)
                    for i, (p, n) in enumerate(zip(parts, norm))],
           "normalize")
    valid = norm
    if a.validate_rules:
        valid = [os.path.join(wd, "valid.%d.csv" % i)
                 for i in range(len(parts))]
        gather(client, [sub(["mbr-validate", "--rules", a.validate_rules,
                             "--rejects",
                             os.path.join(wd, "rejects.%d.csv" % i),
                             "-o", v, n], "validate-%d" % i)
                        for i, (n, v) in enumerate(zip(norm, valid))],
               "validate")

    # 3. Dedupe shards: every shard reads all the records, compares 1/N.
    common = []
    for opt in ("rules", "model"):
        if getattr(a, opt):
            common += ["--" + opt, getattr(a, opt)]
    pairs = [os.path.join(wd, "pairs.%d.csv" % i) for i in range(a.shards)]
    gather(client, [sub(["mbr-dedupe"] + common +
                        ["--shard", "%d/%d" % (i, a.shards), "--pairs-only",
                         "-o", pairs[i]] + valid, "dedupe-shard-%d" % i)
                    for i in range(a.shards)], "dedupe shard")

    # 4. The cluster step over the union of the pairs.
    clustered = os.path.join(wd, "clustered.csv")
    extra = []
    if a.pairs:
        extra += ["--pairs", a.pairs]
    if a.review:
        extra += ["--review", a.review]
    gather(client, [sub(["mbr-dedupe"] + common + extra +
                        ["--from-pairs", ",".join(pairs), "-o", clustered] +
                        valid, "dedupe-cluster")], "dedupe cluster")

    # 5. Golden masters and the crosswalk.
    merge = ["mbr-merge-id", "-o", a.output]
    if a.xref:
        merge[1:1] = ["--xref", a.xref]
    gather(client, [sub(merge + [clustered], "merge-id")], "merge-id")


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Run normalize, validate, sharded dedupe and merge-id "
                    "on a Dask cluster.")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="address of a running "
                       "dask-scheduler (tcp://HOST:8786)")
    where.add_argument("--local", type=int, metavar="N",
                       help="start a local cluster of N worker processes "
                       "on 127.0.0.1 for this run")
    ap.add_argument("--workdir", required=True,
                    help="shared directory for partitions and pairs")
    ap.add_argument("--partitions", type=int, default=4,
                    help="cut the records into P files (0: each input "
                    "file is a partition, nothing is cut)")
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--validate-rules", metavar="FILE",
                    help="run mbr-validate with these rules")
    ap.add_argument("--rules", help="mbr-dedupe match rules")
    ap.add_argument("--model", help="mbr-dedupe model (trained before)")
    ap.add_argument("--pairs", help="mbr-dedupe --pairs output")
    ap.add_argument("--review", help="mbr-dedupe --review output")
    ap.add_argument("--xref", help="mbr-merge-id crosswalk (read, "
                    "rewritten)")
    ap.add_argument("--bin", help="directory of the mbr binaries on the "
                    "workers (default: their PATH)")
    ap.add_argument("-o", "--output", required=True,
                    help="golden masters (mbr-merge-id's output)")
    ap.add_argument("records", nargs="+")
    a = ap.parse_args(argv)
    if a.partitions < 0 or a.shards < 1:
        ap.error("--partitions must be 0 or more, --shards 1 or more")
    for opt in ("workdir", "validate_rules", "rules", "model", "pairs",
                "review", "xref", "bin", "output"):
        if getattr(a, opt):
            setattr(a, opt, os.path.abspath(getattr(a, opt)))
    a.records = [os.path.abspath(p) for p in a.records]

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        sys.exit("mbr_dask: needs Dask distributed (Debian: apt-get install "
                 "python3-distributed)")
    cluster = None
    if a.local:
        cluster = LocalCluster(n_workers=a.local, threads_per_worker=1,
                               processes=True, host="127.0.0.1",
                               dashboard_address=None)
    client = Client(cluster if cluster else a.scheduler)
    try:
        pipeline(client, a)
    except StepFailed as e:
        sys.exit("mbr_dask: %s" % e)
    finally:
        client.close()
        if cluster:
            cluster.close()


if __name__ == "__main__":
    main()
