// libgit2's SHA-1 through OpenSSL's instead of SHA1DC, in the executables only.
//
// Why: Debian's libgit2 hashes with SHA1DC, the collision-detecting SHA-1, and verifies the checksum
// of the whole index file on every read (git itself does not). On the 100,000-file benchmark
// repository that one check was 268 M of the stop gate's 571 M instructions (callgrind), more than
// git status spends in all. OpenSSL's SHA-1 (the libcrypto.a libssh2 already links, with its
// SHA-NI/AVX2 code) computes the same digests in a fraction of that.
//
// What is given up: collision *detection*, which flags objects crafted to collide (SHAttered). It
// guards against hostile objects arriving from elsewhere; no handoff executable fetches through
// libgit2 (every repository access is local), and git itself detected any such object when it
// fetched it. Every digest stays the same SHA-1.
//
// How: Package.swift wraps libgit2's five SHA-1 backend entry points (`--wrap=git_hash_sha1_*`).
// libgit2 allocates its context for SHA1DC (about 2.5 KB), which leaves ample room for OpenSSL's
// SHA_CTX (96 bytes), kept at its start.
#if defined(__linux__)
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stddef.h>

_Static_assert(sizeof(SHA_CTX) <= 1024, "OpenSSL's SHA_CTX must fit in libgit2's SHA1DC context");

int __wrap_git_hash_sha1_ctx_init(void *context) {
    return SHA1_Init((SHA_CTX *)context) == 1 ? 0 : -1;
}

void __wrap_git_hash_sha1_ctx_cleanup(void *context) {
    (void)context;
}

int __wrap_git_hash_sha1_init(void *context) {
    return SHA1_Init((SHA_CTX *)context) == 1 ? 0 : -1;
}

int __wrap_git_hash_sha1_update(void *context, const void *data, size_t length) {
    return SHA1_Update((SHA_CTX *)context, data, length) == 1 ? 0 : -1;
}

int __wrap_git_hash_sha1_final(unsigned char *out, void *context) {
    return SHA1_Final(out, (SHA_CTX *)context) == 1 ? 0 : -1;
}
#endif
