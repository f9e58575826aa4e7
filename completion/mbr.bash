# bash completion for mbr and its tools (mbr-import, mbr-normalize, ...).
#
# Tools come from `mbr --help`, options from each tool's own --help, so a
# new tool or option completes without editing this file. After --map a
# mapping (*.map), after --rules a rules file (*.ini): files here, and the
# bare names mbr also looks up in $MBR_MAPPINGS, /etc/mbr and the
# installed share/mbr/mappings. Installed as
# share/bash-completion/completions/mbr (and a link per tool).

# The directories where bare mapping and rules names are found.
_mbr_config_dirs()
{
	local bin dir
	[ -n "${MBR_MAPPINGS:-}" ] && echo "$MBR_MAPPINGS"
	echo /etc/mbr
	bin=$(command -v mbr 2>/dev/null) || return 0
	dir=$(dirname "$bin")/../share/mbr/mappings
	[ -d "$dir" ] && echo "$dir"
	return 0
}

# Complete files ending in $1 (map or ini) and bare names from the config
# directories.
_mbr_config_files()
{
	local ext=$1 cur=$2 d f
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -X "!*.$ext" -- "$cur") $(compgen -d -- "$cur"))
	case $cur in */*) return 0 ;; esac
	for d in $(_mbr_config_dirs); do
		for f in "$d"/*."$ext"; do
			[ -e "$f" ] || continue
			f=${f##*/}
			case $f in "$cur"*) COMPREPLY+=("$f") ;; esac
		done
	done
}

_mbr()
{
	local cur prev tool i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	tool=${COMP_WORDS[0]##*/}
	i=1
	if [ "$tool" = mbr ]; then
		if [ "$COMP_CWORD" -eq 1 ]; then
			COMPREPLY=($(compgen -W "$(mbr --help 2>/dev/null |
				awk '/^example/ { exit } /^  [a-z]/ { print $1 }') help version" -- "$cur"))
			return 0
		fi
		if [ "${COMP_WORDS[1]}" = help ]; then
			COMPREPLY=($(compgen -W "$(mbr --help 2>/dev/null |
				awk '/^example/ { exit } /^  [a-z]/ { print $1 }')" -- "$cur"))
			return 0
		fi
		tool=mbr-${COMP_WORDS[1]}
		i=2
	fi
	[ "$COMP_CWORD" -ge "$i" ] || return 0
	case $prev in
	--map) _mbr_config_files map "$cur"; return 0 ;;
	--rules) _mbr_config_files ini "$cur"; return 0 ;;
	-o | --db | --rejects | --model | --pairs | --review | --decisions | \
		--against | --report | --xref | --lineage | --init-map)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$tool" --help 2>/dev/null |
			grep -o -- '--[a-z][a-z0-9-]*' | sort -u) -o -q" -- "$cur"))
		return 0
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -F _mbr mbr $(compgen -c mbr- 2>/dev/null | sort -u)
