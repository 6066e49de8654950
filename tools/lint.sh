#!/bin/sh
# House-style checks that a compiler does not make: banned functions,
# lines over 80 columns, bare TODO/FIXME marks, and clang-format layout.
set -u
status=0
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tests/unit/*.h' \
	'tools/*.c' 2>/dev/null)
[ -n "$files" ] || files=$(find src tests/unit tools -name '*.[ch]')

banned='\<(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atof|gets|gmtime|localtime|ctime|asctime|rand|srand)\('
if grep -nE "$banned" $files; then
	echo "lint: banned function (see STYLE.md); use the checked helpers" >&2
	status=1
fi
for f in $files; do
	expand -t 8 "$f" | awk -v f="$f" 'length > 80 {
		printf "%s:%d: line over 80 columns\n", f, NR; bad = 1 }
		END { exit bad }' || status=1
done
if grep -nE '(TODO|FIXME)' $files; then
	echo "lint: use 'XXX: what and how to fix' and docs/KNOWN_LIMITS.md" >&2
	status=1
fi
if command -v clang-format >/dev/null 2>&1; then
	for f in $files; do
		clang-format --dry-run --Werror "$f" 2>/dev/null || {
			echo "$f: not formatted (make format)" >&2
			status=1
		}
	done
fi
exit $status
