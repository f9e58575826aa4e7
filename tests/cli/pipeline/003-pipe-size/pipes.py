"""Run each stream tool with a pipe for standard input and one for standard
output; print each pipe's size after the tool has ended, and whether the
output is the one the tool writes to a file."""
import fcntl
import os
import subprocess

runs = [
    ("mbr-import", ["-q", "--map", os.environ["TOP"] + "/mappings/pos.map"],
     os.environ["TOP"] + "/sample-data/pos_legacy.csv"),
    ("mbr-normalize", ["-q"], "imported.csv"),
    ("mbr-validate", ["-q"], "normalized.csv"),
    ("mbr-export", ["-q"], "normalized.csv"),
]
for tool, args, src in runs:
    with open(src, "rb") as f:
        data = f.read()
    want = subprocess.run([tool] + args + [src], capture_output=True).stdout
    if tool == "mbr-import":  # its records name their file
        want = want.replace(src.encode(), b"<stdin>")
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    keep = os.dup(in_r)  # keeps the input pipe alive after the tool ends
    p = subprocess.Popen([tool] + args, stdin=in_r, stdout=out_w,
                         stderr=subprocess.DEVNULL)
    os.close(in_r)
    os.close(out_w)
    os.write(in_w, data)  # sample data is far below 64 KB: no deadlock
    os.close(in_w)
    got = b""
    while True:
        chunk = os.read(out_r, 1 << 16)
        if not chunk:
            break
        got += chunk
    p.wait()
    print(tool, "stdin", fcntl.fcntl(keep, fcntl.F_GETPIPE_SZ),
          "stdout", fcntl.fcntl(out_r, fcntl.F_GETPIPE_SZ),
          "exit", p.returncode, "same records" if got == want else "DIFFERENT")
    os.close(keep)
    os.close(out_r)
