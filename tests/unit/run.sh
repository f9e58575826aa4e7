#!/bin/sh
# Run each cmocka unit test binary given as an argument; print one closing
# line "unit: N passed, N failed" and fail when any failed.
pass=0
fail=0
failed=""
for t in "$@"; do
	if "$t" >"$t.log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $t"
		cat "$t.log"
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
