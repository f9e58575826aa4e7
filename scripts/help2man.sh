#!/bin/sh
# Write the man page of one mbr tool from its --help text, plus the
# sections every tool shares (man/common.roff) and, when it exists, the
# hand-written part man/TOOL.1.in (inserted after OPTIONS).
#
#   sh scripts/help2man.sh bin/mbr-import VERSION >build/man/mbr-import.1
#
# --help is read as: "usage: ..." lines (SYNOPSIS), the text up to the
# first blank line (DESCRIPTION), lines starting with two spaces and '-'
# (OPTIONS; lines indented further continue the one before), any other
# paragraph (more DESCRIPTION), and the lines after "example:" (EXAMPLES).
set -eu
bin=$1
version=$2
name=$(basename "$bin")
top=$(cd "$(dirname "$0")/.." && pwd)
upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
help=$("$bin" --help)
# What the tool does: its line in `mbr --help`, else the first sentence
# of its own description.
what=$("$(dirname "$bin")/mbr" --help 2>/dev/null |
	awk -v t="${name#mbr-}" '$1 == t { $1 = ""; sub(/^ +/, ""); print; exit }')
[ -n "$what" ] || what=$(printf '%s\n' "$help" | sed -n '2,/^$/p' | tr '\n' ' ' |
	sed 's/\. .*//; s/ *$//')

printf '.TH %s 1 "" "mbr %s" "mbr manual"\n' "$upper" "$version"
printf '.SH NAME\n%s \\- %s\n' "$name" "$what"
printf '%s\n' "$help" | awk -v name="$name" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	if (s ~ /^[.'"'"']/) s = "\\&" s
	return s
}
function opt(s) {
	# "--map FILE" -> \fB\-\-map\fR \fIFILE\fR
	n = split(s, w, " ")
	out = ""
	for (k = 1; k <= n; k++) {
		t = w[k]
		if (t ~ /^-/) { gsub(/-/, "\\-", t); t = "\\fB" t "\\fR" }
		else if (t ~ /^[A-Z][A-Z0-9_.]*$/) t = "\\fI" t "\\fR"
		out = out (k > 1 ? " " : "") t
	}
	return out
}
BEGIN { state = "usage" }
/^usage: / { sub(/^usage: /, ""); syn[++ns] = $0; next }
state == "usage" && /^       [^ ]/ { sub(/^ +/, ""); syn[++ns] = $0; next }
state == "usage" {
	print ".SH SYNOPSIS"
	for (i = 1; i <= ns; i++) { print ".nf"; print esc(syn[i]); print ".fi" }
	print ".SH DESCRIPTION"
	state = "desc"
}
/^example/ { state = "example"; print ".SH EXAMPLES"; print ".nf"; print ".RS 4"; next }
state == "example" { if ($0 != "") print esc(substr($0, 3)); next }
/^  -/ {
	if (!inopts) { print ".SH OPTIONS"; inopts = 1 }
	line = substr($0, 3)
	# the option and its argument end at two spaces
	if (match(line, /  +/)) { o = substr(line, 1, RSTART - 1); d = substr(line, RSTART + RLENGTH) }
	else { o = line; d = "" }
	gsub(/, /, ", ", o)
	print ".TP"
	print opt(o)
	if (d != "") print esc(d)
	lastopt = 1
	next
}
/^   +[^ ]/ && lastopt { sub(/^ +/, ""); print esc($0); next }
/^$/ { lastopt = 0; if (state == "desc") print ".PP"; next }
{
	lastopt = 0
	if (inopts && !more) { print ".SH NOTES"; more = 1 }
	print esc($0)
}
END { if (state == "example") { print ".RE"; print ".fi" } }
'
if [ -f "$top/man/$name.1.in" ]; then
	cat "$top/man/$name.1.in"
fi
cat "$top/man/common.roff"
