# SPDX-License-Identifier: MIT
# Drive zsh's completion system non-interactively and print the candidates.
#
#   zsh -f ux-zcomplete.zsh COMPDIR LINE...
#
# For each LINE (the text before the cursor), an interactive zsh in a
# pseudo-terminal (zsh/zpty) with compinit and COMPDIR first in $fpath
# completes at the end of the line; every match its completion functions add
# is printed, one per line, sorted and without duplicates, followed by a
# line "--" after each LINE.  compadd is wrapped: the builtin is asked for
# the matches it would add (-O) after zsh's own prefix matching, so what is
# printed is what the user would be offered.  Exit status 1 when the
# pseudo-terminal shell does not answer (after 60 s).
emulate -L zsh
zmodload zsh/zpty || exit 1
zmodload zsh/datetime

local compdir=$1 out=${TMPDIR:-/tmp}/ux-zcomplete.$$ line
shift

local -a init
init=(
	"PS1='' PS2='' RPS1='' PROMPT_EOL_MARK=''"
	"unsetopt zle_bracketed_paste 2>/dev/null; setopt no_beep"
	"fpath=(${(q)compdir} \$fpath)"
	"autoload -U compinit; compinit -u -D"
	"zstyle ':completion:*' group-name ''; zstyle ':completion:*' menu no"
	"zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' select-prompt ''"
	"LISTMAX=100000"
	"compadd() { local a; for a in \"\$@\"; do [[ \$a == -- ]] && break;"
	"  [[ \$a == -[OAD]* ]] && { builtin compadd \"\$@\"; return; }; done;"
	"  local -a __m; builtin compadd -O __m \"\$@\";"
	"  (( \$#__m )) && print -rl -- \$__m >>\$UX_ZOUT; builtin compadd \"\$@\"; }"
	"bindkey '^I' complete-word"
	"ux-ready() { : >\$UX_ZOUT.ready }; zle -N zle-line-init ux-ready"
)

# ux_wait FILE: until FILE exists, draining the terminal so the shell never
# blocks on its output; 60 s at most (then the shell is taken to hang)
ux_wait() {
	local start=$EPOCHSECONDS

	while [[ ! -e $1 ]]; do
		zpty -r -t ux _ 2>/dev/null
		if (( EPOCHSECONDS - start > 60 )); then
			print -u2 "ux-zcomplete: no answer from the shell ($line)"
			zpty -d ux
			rm -f $out.cand $out.done $out.cand.ready
			exit 1
		fi
		sleep 0.02
	done
}

zpty -b ux zsh -f -i || exit 1
zpty -w ux "export UX_ZOUT=${(q)out}.cand"
for line in $init; do
	zpty -w ux $line
done
for line; do
	# ZLE is reading the terminal (zle-line-init ran): type the line,
	# TAB, then clear the line and mark the end
	ux_wait $out.cand.ready
	rm -f $out.cand.ready $out.done
	: >$out.cand
	zpty -w -n ux "$line"$'\t'
	zpty -w -n ux $'\C-e\C-u'
	zpty -w ux "print done >${(q)out}.done"
	ux_wait $out.done
	sort -u $out.cand
	print -- --
done
zpty -w ux 'exit'
zpty -d ux
rm -f $out.cand $out.done $out.cand.ready
exit 0
