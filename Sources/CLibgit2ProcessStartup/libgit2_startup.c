// What git_libgit2_init does at every process start that no handoff executable needs: two start-up
// costs of Debian's libgit2 (built with mbedTLS for HTTPS and libssh2 for SSH), skipped in the
// executables only. No handoff executable talks to a remote through libgit2: every repository
// access is local (no fetch, clone or push through libgit2).
//
// How: Package.swift links the executables with `--wrap=mbedtls_x509_crt_parse_file` and
// `--wrap=libssh2_init`, so libgit2's calls to those functions (in Debian's static archives) come
// here instead. Only the executables link this target: it is a process-wide decision, not one for a
// library to make for whoever links it. HandoffKit and the tests keep libgit2's own start.
#if defined(__linux__)

// The CA bundle. git_mbedtls_stream_global_init parses every certificate of
// /etc/ssl/certs/ca-certificates.crt (about 140) on every start: measured with callgrind on a
// post-commit hook, 52 M of its 67 M instructions, about 9 ms of CPU, for certificates it never uses;
// libgit2 1.5 has no setting read before that init (GIT_OPT_SET_SSL_CERT_LOCATIONS works only after).
// Nothing is loaded and success is reported, so libgit2 keeps an empty CA chain: with it no server
// certificate can verify, so if a future change did make a TLS connection through libgit2 it would
// fail closed (certificate error), never trust blindly.
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}

// libssh2's global set-up. git_transport_ssh_global_init calls libssh2_init, which sets up OpenSSL
// (loading its engines and error strings: 0.97 M instructions, 16 % of a post-commit hook). libssh2
// sets itself up on first use anyway (libssh2_session_init_ex calls _libssh2_init_if_needed), so
// an SSH session, were one ever opened, would still get a fully initialised libssh2.
int __wrap_libssh2_init(int flags) {
    (void)flags;
    return 0;
}
#endif
