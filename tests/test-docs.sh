# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2016
# (SC2016: the backticks in single quotes are markdown, meant literally)
#
# tests/test-docs.sh - the documentation stays usable: every relative
# markdown link in the repository's .md files names a file that exists
# (and a heading that exists, when it has a #fragment), every file path
# the docs quote in backticks exists, every `make TARGET` they mention is
# a target of the Makefile, and README.md stays short (the details live
# in docs/ and tests/bench/README.md).
# Run: tests/run.sh docs

DOCS_README_MAX=170

# docs_md_files: the repository's markdown files, relative to FG_ROOT.
docs_md_files()
{
	(cd "$FG_ROOT" && find . -name '*.md' -not -path './build*' \
		-not -path './.git/*' -printf '%P\n' | sort)
}

# docs_anchors FILE: the fragment of each heading, as GitHub makes it
# (lower case; punctuation but '-' and '_' dropped; spaces to '-').
docs_anchors()
{
	sed -n 's/^#\{1,6\} \+//p' "$1" |
		tr '[:upper:]' '[:lower:]' |
		sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}

# docs_links FILE: its inline links' targets, one a line (code spans
# and fenced code left out: a `](x)` there is no link).
docs_links()
{
	awk '/^```/ { code = !code; next } !code' "$1" |
		sed -e 's/`[^`]*`//g' |
		grep -o '\]([^) ]*)' | sed -e 's/^](//' -e 's/)$//' || true
}

test_docs_links_resolve()
{
	local f t path frag dir bad=
	while read -r f; do
		dir=$(dirname "$f")
		while read -r t; do
			[[ -n $t ]] || continue
			case $t in
			http://* | https://* | mailto:*) continue ;;
			esac
			path=${t%%#*}
			frag=
			[[ $t == *'#'* ]] && frag=${t#*#}
			if [[ -z $path ]]; then
				path=$f
			else
				path=$dir/$path
			fi
			if [[ ! -e $FG_ROOT/$path ]]; then
				bad+="$f: $t (no such file)"$'\n'
			elif [[ -n $frag && $path == *.md ]] &&
				! docs_anchors "$FG_ROOT/$path" | grep -qxF -- "$frag"; then
				bad+="$f: $t (no such heading)"$'\n'
			fi
		done < <(docs_links "$FG_ROOT/$f")
	done < <(docs_md_files)
	[[ -z $bad ]] || fg_fail "broken links:
$bad"
}

# Paths quoted in backticks (`tests/test-mwan3.sh`, `loader/ct.c`) name
# files of this tree; placeholders (NAME, *), build outputs and installed
# paths are not checked.
test_docs_paths_exist()
{
	local f p bad=
	while read -r f; do
		while read -r p; do
			p=${p%%:*}
			[[ $p == *[A-Z*\<\{]* ]] && continue
			# a test or tool named by its binary: its source
			[[ -e $FG_ROOT/$p || -e $FG_ROOT/$p.c ]] || bad+="$f: $p"$'\n'
		done < <(grep -o '`\(bpf\|include\|loader\|scripts\|tests\|docs\)/[^` ]*`' \
			"$FG_ROOT/$f" | tr -d '`' | sort -u)
	done < <(docs_md_files)
	[[ -z $bad ]] || fg_fail "paths quoted in the docs that do not exist:
$bad"
}

# (scripts/openwrt/README.md names OpenWrt's own make targets: not ours)
test_docs_make_targets()
{
	local f t targets bad=
	targets=$(sed -n 's/^\([a-z0-9_-]\+\):.*/\1/p' "$FG_ROOT/Makefile")
	while read -r f; do
		[[ $f == scripts/openwrt/* ]] && continue
		while read -r t; do
			grep -qxF -- "$t" <<<"$targets" || bad+="$f: make $t"$'\n'
		done < <(grep -o '`make [a-z][a-z0-9-]*' "$FG_ROOT/$f" |
			sed 's/^`make //' | sort -u)
	done < <(docs_md_files)
	[[ -z $bad ]] || fg_fail "make targets the docs name that the Makefile lacks:
$bad"
}

test_docs_readme_short()
{
	local n
	n=$(wc -l <"$FG_ROOT/README.md")
	((n <= DOCS_README_MAX)) ||
		fg_fail "README.md has $n lines (at most $DOCS_README_MAX: details go to docs/)"
}
