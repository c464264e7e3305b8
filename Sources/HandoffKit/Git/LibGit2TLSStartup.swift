#if os(Linux)
/// Skips the parsing of the system CA bundle that libgit2 does in `git_libgit2_init` when it is
/// built with mbedTLS (Debian's and Ubuntu's libgit2 1.5 are).
///
/// Why: `git_mbedtls_stream_global_init` parses every certificate of
/// `/etc/ssl/certs/ca-certificates.crt` (≈140 PEM certificates) on every process start. Measured with
/// callgrind on a post-commit hook: 52 M of its 67 M instructions, about 9 ms of CPU — most of the
/// hook's cost, for certificates it never uses. No handoff executable talks TLS through libgit2
/// (every repository access is local: no fetch, clone or push via libgit2), and libgit2 1.5 offers
/// no setting read before that init (`GIT_OPT_SET_SSL_CERT_LOCATIONS` only works after it).
///
/// How: this definition, in the executable, interposes the one mbedTLS function libgit2 calls to
/// load the bundle; the dynamic linker resolves libgit2's call to it rather than to libmbedx509's.
/// It loads nothing and reports success, so libgit2 keeps an empty CA chain.
///
/// Safety: with an empty chain no server certificate can verify, so if a future change did make a
/// TLS connection through libgit2 it would fail closed (certificate error), never trust blindly.
/// With a libgit2 built on OpenSSL or another backend the symbol is simply never called.
@_cdecl("mbedtls_x509_crt_parse_file")
public func handoffSkipCABundleParsing(_ chain: UnsafeMutableRawPointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    0
}
#endif
