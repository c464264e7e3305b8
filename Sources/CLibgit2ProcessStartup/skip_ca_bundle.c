// Skips the parsing of the system CA bundle that libgit2 does in git_libgit2_init when it is built
// with mbedTLS (Debian's and Ubuntu's libgit2 1.5 are).
//
// Why: git_mbedtls_stream_global_init parses every certificate of /etc/ssl/certs/ca-certificates.crt
// (about 140 PEM certificates) on every process start. Measured with callgrind on a post-commit hook:
// 52 M of its 67 M instructions, about 9 ms of CPU, for certificates it never uses. No handoff
// executable talks TLS through libgit2 (every repository access is local: no fetch, clone or push
// through libgit2), and libgit2 1.5 has no setting read before that init
// (GIT_OPT_SET_SSL_CERT_LOCATIONS only works after it).
//
// How: Package.swift links the executables with `--wrap=mbedtls_x509_crt_parse_file`, so libgit2's
// call to mbedTLS's loader (static, from Debian's libmbedx509.a) comes here instead. Only the
// executables link this target: it is a process-wide decision, not something for a library to make
// for whoever links it.
//
// Safety: nothing is loaded and success is reported, so libgit2 keeps an empty CA chain; with it no
// server certificate can verify, so if a future change did make a TLS connection through libgit2 it
// would fail closed (certificate error), never trust blindly.
#if defined(__linux__)
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}
#endif
