#!/bin/sh
# nm-check.sh [ARCHIVE] — make check: the static library defines no global
# symbol outside the gull_ namespace (tools/localize-static.sh does that).
# A host linking libgull.a statically must be free to define vec_push or
# heap_error itself.  Fails listing every offending name.
# Default archive: the one libtool built in the build directory (.libs).
# Exit 77 (skipped) when the build has no static library (--disable-static).
builddir=${top_builddir:-.}
archive=${1:-$builddir/.libs/libgull.a}
: "${NM:=nm}"
# One Criterion-style line, as the Lisp wrappers print (tests/synthesis.sh sums them).
synthesis() {
  printf '[====] Synthesis: Tested: 1 | Passing: %d | Failing: %d | Crashing: 0 \n' "$1" "$2"
}
if [ ! -f "$archive" ]; then
  echo "nm-check: no static library at $archive (configure --disable-static?): skipped"
  exit 77
fi
# nm -g --defined-only: one "ADDRESS TYPE NAME" line per global definition,
# plus a "member.o:" header per archive member.
all=$($NM -g --defined-only "$archive") || { echo "nm-check: $NM failed on $archive"; exit 99; }
names=$(printf '%s\n' "$all" | awk 'NF == 3 { print $3 }')
count=$(printf '%s\n' "$names" | grep -c '^gull_')
bad=$(printf '%s\n' "$names" | grep -v '^gull_' | grep -v '^$' | sort -u)
if [ -n "$bad" ]; then
  n=$(printf '%s\n' "$bad" | wc -l)
  echo "nm-check: FAIL: $archive defines $n global symbol(s) without the gull_ prefix:"
  printf '  %s\n' $bad
  echo "A host that defines one of these names cannot link libgull.a statically."
  synthesis 0 1
  exit 1
fi
if [ "$count" -lt 1 ]; then
  echo "nm-check: FAIL: $archive defines no gull_ symbol at all (empty or unreadable archive?)"
  synthesis 0 1
  exit 1
fi
echo "nm-check: $archive: $count global symbols, all gull_"
synthesis 1 0
