#!/bin/sh
# localize-static.sh ARCHIVE — make a static libgull.a export only gull_ names.
#
# Why: gc/ marks its cross-file functions INTERNAL (visibility "hidden").
# That keeps them out of libgull.so, but an archive is only a bag of .o
# files: a host that links libgull.a statically and defines a function of
# its own called vec_push or heap_error gets "multiple definition".
#
# How: link every member into one relocatable object (ld -r), where the
# calls between gc/ files are resolved; then turn the hidden symbols into
# local ones (objcopy --localize-hidden), so nothing outside the object can
# see or collide with them; then replace the archive's members with that one
# object.  Only the default-visibility gull_ API stays global, which
# tests/nm-check.sh checks.
#
# Tools come from the environment, as configure found them: LD, OBJCOPY, AR,
# RANLIB.  Running it twice is harmless (the second run finds one member).
set -e
archive=$1
if [ -z "$archive" ]; then
  echo "usage: $0 ARCHIVE" >&2
  exit 2
fi
: "${LD:=ld}" "${OBJCOPY:=objcopy}" "${AR:=ar}" "${RANLIB:=ranlib}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gull-localize.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
obj=$tmp/libgull.o
# $LD may hold options (libtool sets "ld -m elf_x86_64"): unquoted on purpose.
$LD -r -o "$obj" --whole-archive "$archive" --no-whole-archive
$OBJCOPY --localize-hidden "$obj"
$AR cr "$tmp/new.a" "$obj"
$RANLIB "$tmp/new.a"
# Same directory first, then an atomic rename over the old archive.
cp "$tmp/new.a" "$archive.tmp"
mv -f "$archive.tmp" "$archive"
