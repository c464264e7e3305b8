#!/bin/sh
# Builds the libgit2 that handoff's hooks link: Debian's own libgit2 (the source package of the
# installed libgit2-dev, Debian's patches applied), static, without HTTPS, SSH, GSSAPI and NTLM —
# no handoff executable talks to a remote through libgit2.
#
# Why: Debian's libgit2.so pulls in 21 shared libraries (libcrypto, Kerberos, mbedTLS, libssh2…);
# mapping and binding them costs every hook ~4 ms at start, most of a small repository's budget
# (bench/RESULTS.md). This build links only libc, zlib, pcre2 and http-parser: a post-commit hook
# goes from ~10 ms to ~5 ms.
#
#   scripts/libgit2-minimal.sh PREFIX     # builds once into PREFIX, prints PREFIX/lib/pkgconfig
#
# Then build with PKG_CONFIG_PATH set to that folder (install.sh and bench/run.sh do). Needs curl,
# dpkg-source (dpkg-dev), cmake, a C compiler and the -dev packages libgit2-dev depends on; it only
# talks to deb.debian.org. Exits non-zero, with one line saying why, when it cannot.
set -eu
prefix=${1:?usage: scripts/libgit2-minimal.sh PREFIX}
pcdir="$prefix/lib/pkgconfig"
if [ -f "$pcdir/libgit2.pc" ] && [ -f "$prefix/lib/libgit2.a" ]; then
    echo "$pcdir"
    exit 0
fi
fail() { echo "libgit2-minimal: $*" >&2; exit 1; }
for tool in curl dpkg-source cmake cc make; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (apt-get install curl dpkg-dev cmake build-essential)"
done
installed=$(dpkg-query -W -f='${Version}' libgit2-dev 2>/dev/null) || fail "libgit2-dev is not installed (apt-get install libgit2-dev)"

work=$(mktemp -d "${TMPDIR:-/tmp}/handoff-libgit2.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The installed version's source, else the bookworm point release of the same upstream version
# (the pool keeps only some revisions).
fetched=
for version in "$installed" "1.5.1+ds-1+deb12u1"; do
    upstream=${version%-*}
    for pool in http://deb.debian.org/debian/pool/main/libg/libgit2 \
                http://deb.debian.org/debian-security/pool/updates/main/libg/libgit2; do
        if curl -fsSL -o "$work/libgit2_$version.dsc" "$pool/libgit2_$version.dsc" 2>/dev/null \
            && curl -fsSL -o "$work/libgit2_$upstream.orig.tar.xz" "$pool/libgit2_$upstream.orig.tar.xz" 2>/dev/null \
            && curl -fsSL -o "$work/libgit2_$version.debian.tar.xz" "$pool/libgit2_$version.debian.tar.xz" 2>/dev/null; then
            fetched=$version
            break 2
        fi
    done
done
[ -n "$fetched" ] || fail "cannot download libgit2's Debian source (tried $installed) from deb.debian.org"
# dpkg-source checks the files against the checksums in the .dsc.
dpkg-source -q -x "$work/libgit2_$fetched.dsc" "$work/src" >/dev/null 2>&1 || fail "dpkg-source could not unpack libgit2 $fetched"

cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTS=OFF -DBUILD_CLI=OFF \
    -DUSE_HTTPS=OFF -DUSE_SSH=OFF -DUSE_GSSAPI=OFF -DUSE_NTLMCLIENT=OFF \
    -DUSE_HTTP_PARSER=system -DREGEX_BACKEND=pcre2 -DUSE_SHA1=CollisionDetection >"$work/cmake.log" 2>&1 \
    || fail "cmake failed (see its log: rerun with TMPDIR set to keep it)"
make -C "$work/build" -j "$(nproc 2>/dev/null || echo 2)" >"$work/make.log" 2>&1 || fail "the libgit2 build failed"
make -C "$work/build" install >/dev/null 2>&1 || fail "installing libgit2 into $prefix failed"
# SwiftPM reads `Libs` only: a static libgit2 needs its dependencies named there.
sed -i 's|^Libs: .*|Libs: -L${libdir} -lgit2 -lhttp_parser -lpcre2-8 -lz -lrt -lpthread|; s|^Requires.private:.*||' "$pcdir/libgit2.pc"
echo "$pcdir"
