# SPDX-License-Identifier: MIT
# bash completion for apctl(8).  Installed as "apctl" in the bash-completion
# directory; "complete -F _apctl apctl" is registered at the end.
#
# Live values (adapter and domain ids, mdev UUIDs) come from apctl itself,
# through the same root prefix as the command line being completed (--root,
# else APCTL_ROOT and SYSFS_ROOT from the environment), with its
# machine-readable table output; nothing here reads sysfs or parses masks.
#
# The option lists below are compared with the code by
# tests/bats/ux-consistency.bats: keep them in step with src/.

# options per command; "=" marks an option that takes an argument
_apctl_opts_global='--root= -q --quiet -V --verbose -h --help -v --version'
_apctl_opts_show='-o= --output= -n --noheadings -r --raw -J --json --format= --mdev= -h --help'
_apctl_opts_check='-J --json --format= -h --help'
_apctl_opts_change='--dry-run -y --yes -f --force -w= --wait= -J --json --ignore-definition= -h --help'
_apctl_opts_reserve="-a= --adapters= -d= --domains= --active -p --persistent --mode= --settle --no-settle $_apctl_opts_change"
_apctl_opts_release=$_apctl_opts_reserve
_apctl_opts_mdev_list='--active --defined -o= --output= -n --noheadings -r --raw -J --json --format= -h --help'
_apctl_opts_mdev_create="-u= --uuid= -a= --adapters= -d= --domains= -c= --control-domains= --reserve --define --autostart $_apctl_opts_change"
_apctl_opts_mdev_modify="-a= --adapters= --add-adapters= --remove-adapters= -d= --domains= --add-domains= --remove-domains= -c= --control-domains= --add-control-domains= --remove-control-domains= --active -p --persistent --migratable= $_apctl_opts_change"
_apctl_opts_mdev_remove="--undefine -t= --timeout= $_apctl_opts_change"
_apctl_opts_mdev_start="--autostart --reserve $_apctl_opts_change"
_apctl_opts_mdev_stop="-t= --timeout= $_apctl_opts_change"
_apctl_opts_mdev_define="-u= --uuid= -a= --adapters= -d= --domains= -c= --control-domains= --autostart --manual $_apctl_opts_change"
_apctl_opts_mdev_undefine=$_apctl_opts_change
_apctl_opts_repair="--forward --discard $_apctl_opts_change"
_apctl_opts_export='--active -p --persistent -J --json -h --help'
_apctl_opts_apply="--prune $_apctl_opts_change"

# live guest migration (issue 12); a '-' in a command name is '_' in the key
_apctl_opts_migrate_check='--to= --from= --prepare --apply -J --json -h --help'

# apctl monitor (issue 11)
_apctl_opts_monitor='-J --json -a= --adapters= -m= --mdev= -c= --count= -t= --timeout= -h --help'

_apctl_commands='show check reserve release mdev repair export apply monitor migrate-check help'
_apctl_mdev_commands='list create modify remove start stop define undefine help'
_apctl_show_views='cards queues mdevs matrix mdev'

# output columns (-o) per table
_apctl_cols_cards='CARD TYPE MODE STATUS DRIVER QUEUES RESERVED HWTYPE RAWTYPE DEPTH FUNCTIONS CLASS CONFIG CHKSTOP ONLINE'
_apctl_cols_queues='CARD.DOM TYPE MODE STATUS DRIVER OWNER MDEV DEFINED CONFIG CHKSTOP ONLINE OVERRIDE'
_apctl_cols_mdevs='UUID INDEX STATE ACTIVE DEFINED START GUEST ADAPTERS DOMAINS CONTROL APQNS GUESTAPQNS NOTE MIGRATABLE'

# _apctl_optnames KEY: the option names of a command, one per word
_apctl_optnames() {
	local v="_apctl_opts_${1//-/_}"

	printf '%s\n' ${!v} | sed 's/=$//'
}

# _apctl_takes_arg KEY OPTION: true if OPTION of that command takes an argument
_apctl_takes_arg() {
	local v="_apctl_opts_${1//-/_}" o

	for o in ${!v}; do
		[[ $o == "$2=" ]] && return 0
	done
	return 1
}

# _apctl_live ARGS...: run the apctl being completed, quietly, in the C locale
_apctl_live() {
	LC_ALL=C "${_apctl_argv[@]}" "$@" 2>/dev/null
}

# _apctl_num WORD: the value of a decimal or 0x hex id, or nothing
_apctl_num() {
	case $1 in
	0[xX]*)
		[[ ${1:2} =~ ^[0-9a-fA-F]+$ ]] && echo $((16#${1:2}))
		;;
	*)
		[[ $1 =~ ^[0-9]+$ ]] && echo $((10#$1))
		;;
	esac
}

# adapter ids (decimal) of the host; $1: all, reserved or unreserved
_apctl_adapters() {
	local card res

	while read -r card res; do
		[[ $card =~ ^[0-9a-f]+$ ]] || continue
		case $1 in
		reserved) [[ $res == yes ]] || continue ;;
		unreserved) [[ $res == no ]] || continue ;;
		esac
		echo $((16#$card))
	done < <(_apctl_live show cards --raw --noheadings -o CARD,RESERVED)
}

# domain ids (decimal) of the host: those with queue devices
_apctl_domains() {
	local apqn

	while read -r apqn; do
		[[ $apqn =~ ^[0-9a-f]+\.([0-9a-f]+)$ ]] || continue
		echo $((16#${BASH_REMATCH[1]}))
	done < <(_apctl_live show queues --raw --noheadings -o CARD.DOM) | sort -n -u
}

# the APQNs of the host's queues after the last comma of $cur (override mode)
_apctl_apqn_reply() {
	local pre= item=$cur q
	local -a given=() cand=()

	if [[ $cur == *,* ]]; then
		pre=${cur%,*},
		item=${cur##*,}
		IFS=, read -r -a given <<<"${cur%,*}"
	fi
	while read -r q; do
		[[ $q =~ ^[0-9a-f]+\.[0-9a-f]+$ && $q == "$item"* ]] || continue
		[[ " ${given[*]} " == *" $q "* ]] && continue
		cand+=("$pre$q")
	done < <(_apctl_live show queues --raw --noheadings -o CARD.DOM)
	COMPREPLY=("${cand[@]}")
	compopt -o nospace 2>/dev/null
}

_apctl_uuids() {
	_apctl_live mdev list --raw --noheadings -o UUID
}

# _apctl_uuids_in STATE: UUIDs of mdevs that are defined and not active
# (inactive: for start), active (for stop) or defined (for undefine)
_apctl_uuids_in() {
	local u a d

	while read -r u a d; do
		case $1 in
		inactive) [[ $a == no && $d == yes ]] || continue ;;
		active) [[ $a == yes ]] || continue ;;
		defined) [[ $d == yes ]] || continue ;;
		esac
		echo "$u"
	done < <(_apctl_live mdev list --raw --noheadings -o UUID,ACTIVE,DEFINED)
}

# card ids as lszcrypt prints them ("05"), for the filters of show
_apctl_card_ids() {
	_apctl_live show cards --raw --noheadings -o CARD
}

# the APQNs of adapter $1 ("05.0047"), for the filters of show queues
_apctl_apqns_of() {
	[[ $1 =~ ^(0[xX])?[0-9a-fA-F]{1,2}$ ]] || return 0
	_apctl_live show queues --raw --noheadings -o CARD.DOM "$1"
}

# _apctl_list_reply IDS...: complete the item after the last comma of $cur
# with the ids not yet in the list, decimal, or 0x hex when the item starts
# with 0x; the part up to the last comma is kept.
_apctl_list_reply() {
	local pre= item=$cur id w n hex=
	local -A seen=()

	local -a given=()

	if [[ $cur == *,* ]]; then
		pre=${cur%,*},
		item=${cur##*,}
		IFS=, read -r -a given <<<"${cur%,*}"
		for w in "${given[@]}"; do
			n=$(_apctl_num "$w")
			[[ -n $n ]] && seen[$n]=1
		done
	fi
	[[ $item == 0[xX]* ]] && hex=${item:0:2}
	COMPREPLY=()
	for id in "$@"; do
		[[ -n ${seen[$id]:-} ]] && continue
		if [[ -n $hex ]]; then
			w=$(printf '%s%x' "$hex" "$id")
		else
			w=$id
		fi
		[[ $w == "$item"* ]] && COMPREPLY+=("$pre$w")
	done
}

# _apctl_cols_reply TABLE: column names for -o, continued after a comma,
# after a leading '+' too
_apctl_cols_reply() {
	local v="_apctl_cols_$1" pre= item=$cur c

	if [[ $cur == *,* ]]; then
		pre=${cur%,*},
		item=${cur##*,}
	elif [[ $cur == +* ]]; then
		pre=+
		item=${cur#+}
	fi
	COMPREPLY=()
	for c in ${!v}; do
		[[ $c == "${item^^}"* ]] && COMPREPLY+=("$pre$c")
	done
}

_apctl_words_reply() {
	local w

	COMPREPLY=()
	for w in $1; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

_apctl() {
	local cur prev i w key= cmd= sub= optpre=
	local -a _apctl_argv pos=()

	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]:-}
	# "--opt=value": bash may split it at '=' (COMP_WORDBREAKS)
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		# not split ('=' taken out of COMP_WORDBREAKS): keep "--opt=" in the reply
		optpre=${cur%%=*}=
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	w=${COMP_WORDS[0]}
	[[ $w == "~/"* ]] && w=$HOME/${w#"~/"}
	_apctl_argv=("$w")

	# walk the words before the one being completed: global options, the
	# command, the mdev command, the option arguments and positional words
	key=global
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == = ]] && continue
		if [[ $w == -* ]]; then
			if [[ $key == global ]]; then
				case $w in
				--root=*) _apctl_argv+=(--root "${w#--root=}") ;;
				--root)
					_apctl_argv+=(--root "${COMP_WORDS[i + 1]:-}")
					((i++))
					[[ ${COMP_WORDS[i]:-} == = ]] && {
						_apctl_argv[-1]=${COMP_WORDS[i + 1]:-}
						((i++))
					}
					;;
				esac
			elif [[ $w != *=* ]] && _apctl_takes_arg "$key" "$w"; then
				((i++))
				[[ ${COMP_WORDS[i]:-} == = ]] && ((i++))
			fi
			continue
		fi
		if [[ -z $cmd ]]; then
			cmd=$w
			key=
			[[ $cmd != @(mdev|help) && " $_apctl_commands " == *" $cmd "* ]] && key=$cmd
		elif [[ $cmd == mdev && -z $sub ]]; then
			sub=$w
			key=
			[[ " $_apctl_mdev_commands " == *" $sub "* ]] && key=mdev_$sub
		else
			pos+=("$w")
		fi
	done
	# expand a leading ~ in --root as the shell will
	if ((${#_apctl_argv[@]} > 2)) && [[ ${_apctl_argv[2]} == "~/"* ]]; then
		_apctl_argv[2]=$HOME/${_apctl_argv[2]#"~/"}
	fi

	# the argument of an option
	if [[ $prev == -* ]] && { [[ $prev == --root && $key == global ]] ||
		{ [[ -n $key && $key != global ]] && _apctl_takes_arg "$key" "$prev"; }; }; then
		case $prev in
		--root)
			COMPREPLY=($(compgen -d -- "$cur"))
			;;
		-o | --output)
			case $key in
			show) [[ ${pos[0]:-} == @(cards|queues|mdevs) ]] &&
				_apctl_cols_reply "${pos[0]}" ;;
			mdev_list) _apctl_cols_reply mdevs ;;
			esac
			;;
		--format)
			if [[ $key == show && ${pos[0]:-} == mdev ]]; then
				_apctl_words_reply 'table json libvirt qemu'
			else
				_apctl_words_reply 'table json'
			fi
			;;
		--mdev | -m)
			_apctl_words_reply "$(_apctl_uuids)"
			;;
		--mode)
			_apctl_words_reply 'masks override'
			;;
		--migratable)
			_apctl_words_reply 'on off'
			;;
		--to | --from)
			COMPREPLY=($(compgen -f -- "$cur"))
			[[ - == "$cur"* ]] && COMPREPLY+=(-)
			;;
		-a | --adapters | --add-adapters | --remove-adapters)
			case $key in
			monitor) _apctl_list_reply $(_apctl_adapters all) ;;
			reserve) _apctl_list_reply $(_apctl_adapters unreserved) ;;
			release) _apctl_list_reply $(_apctl_adapters reserved) ;;
			*) _apctl_list_reply $(_apctl_adapters all) ;;
			esac
			;;
		-d | --domains | --add-domains | --remove-domains | \
		-c | --control-domains | --add-control-domains | --remove-control-domains)
			_apctl_list_reply $(_apctl_domains)
			;;
		*)
			COMPREPLY=()	# a UUID to invent, a number of seconds
			;;
		esac
		if [[ -n $optpre ]]; then
			for i in "${!COMPREPLY[@]}"; do
				COMPREPLY[i]=$optpre${COMPREPLY[i]}
			done
		fi
		return 0
	fi

	if [[ $cur == -* ]]; then
		if [[ -n $key ]]; then
			_apctl_words_reply "$(_apctl_optnames "$key")"
		else
			COMPREPLY=()
		fi
		return 0
	fi

	if [[ -z $cmd ]]; then
		_apctl_words_reply "$_apctl_commands"
		return 0
	fi
	case $cmd in
	help)
		if ((${#pos[@]} == 0)); then
			_apctl_words_reply "${_apctl_commands/ help/}"
		elif ((${#pos[@]} == 1)) && [[ ${pos[0]} == mdev ]]; then
			_apctl_words_reply "${_apctl_mdev_commands/ help/}"
		else
			COMPREPLY=()
		fi
		;;
	show)
		if ((${#pos[@]} == 0)); then
			_apctl_words_reply "$_apctl_show_views"
		elif ((${#pos[@]} == 1)) && [[ ${pos[0]} == mdev ]]; then
			_apctl_words_reply "$(_apctl_uuids)"
		elif [[ ${pos[0]} == cards ]]; then
			_apctl_words_reply "$(_apctl_card_ids)"
		elif [[ ${pos[0]} == queues && $cur == *.* ]]; then
			_apctl_words_reply "$(_apctl_apqns_of "${cur%%.*}")"
		elif [[ ${pos[0]} == queues ]]; then
			_apctl_words_reply "$(_apctl_card_ids)"
			# an adapter alone completes to its APQNs next
			((${#COMPREPLY[@]} == 1)) && compopt -o nospace 2>/dev/null &&
				COMPREPLY=("${COMPREPLY[0]}.")
		else
			COMPREPLY=()
		fi
		;;
	repair | export | monitor)
		COMPREPLY=()
		;;
	apply)
		# the document: a file, or - for standard input
		if ((${#pos[@]} == 0)); then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		else
			COMPREPLY=()
		fi
		;;
	migrate-check)
		_apctl_words_reply "$(_apctl_uuids)"	# the mdevs to check (the source's)
		;;
	reserve | release)
		COMPREPLY=()
		if ((${#pos[@]} == 0)) && [[ $cur == *.* ]]; then
			_apctl_apqn_reply
		elif ((${#pos[@]} == 0)); then
			if [[ $cmd == reserve ]]; then
				_apctl_list_reply $(_apctl_adapters unreserved)
			else
				_apctl_list_reply $(_apctl_adapters reserved)
			fi
		fi
		;;
	mdev)
		if [[ -z $sub ]]; then
			_apctl_words_reply "$_apctl_mdev_commands"
		elif [[ $sub == @(modify|remove|define) ]] && ((${#pos[@]} == 0)); then
			_apctl_words_reply "$(_apctl_uuids)"
		elif [[ $sub == start ]] && ((${#pos[@]} == 0)); then
			_apctl_words_reply "$(_apctl_uuids_in inactive)"
		elif [[ $sub == stop ]] && ((${#pos[@]} == 0)); then
			_apctl_words_reply "$(_apctl_uuids_in active)"
		elif [[ $sub == undefine ]] && ((${#pos[@]} == 0)); then
			_apctl_words_reply "$(_apctl_uuids_in defined)"
		elif [[ $sub == help ]] && ((${#pos[@]} == 0)); then
			_apctl_words_reply "${_apctl_mdev_commands/ help/}"
		else
			COMPREPLY=()
		fi
		;;
	*)
		COMPREPLY=()
		;;
	esac
	return 0
}

complete -F _apctl apctl
