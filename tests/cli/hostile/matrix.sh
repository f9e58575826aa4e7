#!/bin/sh
# Run each mbr tool on each hostile input (made here, in the current
# directory); report any crash, hang, missing message or count that does
# not add up. Exit 1 if anything did.
canon='source,source_id,source_row,name,family_name,given_name,gender,birth_date,mobile,email,id_type,id_number,points,registered_at'
row='pos,1,1,张伟,张,伟,M,1985-03-07,+8613812345678,a@b.cn,CN_RIC,11010519850307001X,10,2020-01-01'
bad=0

make_inputs() {
	: >empty.csv
	printf '%s\n' "$canon" >header-only.csv
	printf '%s\n%s' "$canon" "$row" >no-newline.csv
	printf '%s\r%s\r' "$canon" "$row" >cr-only.csv
	{ printf '%s\n' "$canon"; printf 'pos,2,2,N\000L,,,,,,,,,,\n'; printf '%s\n' "$row"; } >nul.csv
	{ printf '%s\n' "$canon"; printf 'pos,3,3,'; head -c 10485760 /dev/zero | tr '\0' 'x'; printf ',,,,,,,,,,\n'; } >big-field.csv
	awk 'BEGIN { for (i = 1; i <= 10000; i++) printf "%s%s", (i > 1 ? "," : ""), (i <= 3 ? (i == 1 ? "source" : i == 2 ? "source_id" : "source_row") : "c" i); print ""; for (i = 1; i <= 10000; i++) printf "%s%s", (i > 1 ? "," : ""), i; print "" }' >wide.csv
	awk -v c="$canon" 'BEGIN { print c; for (i = 1; i <= 100000; i++) { if (i == 3) printf "pos,%d,%d,\"broken,,,,,,,,,,\n", i, i; else printf "pos,%d,%d,name%d,,,F,1990-01-01,,,,,%d,\n", i, i, i, i } }' >broken-quote.csv
	{ printf '%s\n' "$canon"; printf 'pos,4,4,\377\376bad,,,,,,,,,,\n'; printf '%s\n' "$row"; } >bad-utf8.csv
	{ printf '%s\n' "$canon" | iconv -f UTF-8 -t GB18030; printf 'pos,5,5,\201\040,,,,,,,,,,\n'; } >bad-gb18030.csv
	{ printf '\377\376'; printf '%s\n%s\n' "$canon" "$row" | iconv -f UTF-8 -t UTF-16LE; printf 'x'; } >odd-utf16.csv
	printf '[source]\nname = t\nencoding = auto\nkey = source_id\n[fields]\nname = name\nmobile = mobile\n' >auto.map
}

# check TOOL INPUT RC ERRFILE: judge one run.
check() {
	tool=$1 in=$2 rc=$3 err=$4
	case $rc in
	0 | 1)
		line=$(grep -E '^mbr-[a-z-]+: [0-9]+ in, ' "$err" | tail -1)
		n_in=$(echo "$line" | sed -E 's/.*: ([0-9]+) in, .*/\1/')
		n_out=$(echo "$line" | sed -E 's/.* ([0-9]+) out, .*/\1/')
		n_rej=$(echo "$line" | sed -E 's/.* ([0-9]+) rejected.*/\1/')
		case $tool in mbr-dedupe | mbr-merge-id) return 0 ;; esac
		if [ -z "$line" ] || [ $((n_out + n_rej)) -ne "$n_in" ]; then
			echo "$tool $in: counts do not add up: '$line'"
			bad=1
		fi
		;;
	2 | 3 | 4)
		if [ ! -s "$err" ]; then
			echo "$tool $in: exit $rc without a message"
			bad=1
		fi
		;;
	*)
		echo "$tool $in: exit $rc (crash or hang)"
		head -5 "$err"
		bad=1
		;;
	esac
}

# survives TOOL INPUT RC ERRFILE: a tool that reports rather than passes
# records on (no in/out count) must still finish and explain a failure.
survives() {
	case $3 in
	0 | 1) ;;
	2 | 3 | 4)
		if [ ! -s "$4" ]; then
			echo "$1 $2: exit $3 without a message"
			bad=1
		fi
		;;
	*)
		echo "$1 $2: exit $3 (crash or hang)"
		head -5 "$4"
		bad=1
		;;
	esac
}

make_inputs
inputs="empty.csv header-only.csv no-newline.csv cr-only.csv nul.csv big-field.csv wide.csv broken-quote.csv bad-utf8.csv bad-gb18030.csv odd-utf16.csv"
for in in $inputs; do
	timeout 120 mbr-import --map auto.map --rejects rej.csv "$in" >out.csv 2>err.txt
	check mbr-import "$in" $? err.txt
	for tool in mbr-normalize mbr-validate mbr-dedupe mbr-merge-id mbr-export; do
		command -v "$tool" >/dev/null 2>&1 || continue
		case $tool in
		mbr-normalize | mbr-validate) set -- --rejects rej.csv ;;
		*) set -- ;;
		esac
		timeout 120 "$tool" "$@" "$in" >out.csv 2>err.txt
		check "$tool" "$in" $? err.txt
	done
	timeout 120 mbr-import --init-map "$in" >init.map 2>err.txt
	survives "mbr-import --init-map" "$in" $? err.txt
	timeout 120 mbr-profile "$in" >profile.txt 2>err.txt
	survives mbr-profile "$in" $? err.txt
	timeout 120 mbr-report -o report.html "$in" 2>err.txt
	survives mbr-report "$in" $? err.txt
done
exit $bad
