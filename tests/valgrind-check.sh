#!/bin/sh
# make check: gull under Valgrind (gc/os.c: objects are client blocks).
# A clean run must give no error and no leak; a host that reads a freed
# object must get Valgrind's report naming the free.  Skipped (77) when
# valgrind is not installed, and in a sanitizer build.
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skipped"; exit 77; }
# AddressSanitizer and Valgrind do not run together.
if grep -q "define GULL_ASAN 1" "${top_builddir:-.}/config.h" 2>/dev/null; then
    echo "sanitizer build: skipped (Valgrind cannot run an ASan binary)"; exit 77
fi
bin=${top_builddir:-.}/tests/valgrind_host
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 "$bin" >"$out" 2>&1; then
    cat "$out"; echo "FAIL: a clean host run has Valgrind errors"; exit 1
fi
valgrind -q --error-exitcode=9 "$bin" use-after-free >"$out" 2>&1
status=$?
if [ "$status" -ne 9 ] || ! grep -q "free'd" "$out" || ! grep -q "os_object_free\|gull_" "$out"; then
    cat "$out"; echo "FAIL: Valgrind did not report the read of a freed object with its free"; exit 1
fi
echo "PASS: clean run clean; use after free reported with the allocation and free stacks"
