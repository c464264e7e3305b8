// GSSAPI for a statically linked libgit2, without Kerberos.
//
// Why: Debian's libgit2.a is built with GSSAPI, for HTTP "Negotiate" (SPNEGO/Kerberos) authentication,
// but Debian ships no static libgssapi_krb5; linking the shared one would load seven libraries into
// every hook again, which is what the static libgit2 is for. handoff never talks HTTP through libgit2
// (every repository access is local), so these stand-ins make Negotiate unavailable instead: libgit2's
// first GSSAPI call, gss_indicate_mechs, fails, and libgit2 reports "could not query mechanisms" and
// tries no Negotiate. They fail closed: nothing is ever authenticated through them.
#if defined(__linux__)
#include <stddef.h>
#include <stdint.h>

typedef uint32_t OM_uint32;
// GSS_S_FAILURE (RFC 2744: routine error 13 in the major status's routine-error field).
static const OM_uint32 gssapi_failure = 13u << 16;

void *GSS_C_NT_HOSTBASED_SERVICE = NULL;

static OM_uint32 fail(OM_uint32 *minor) {
    if (minor) *minor = 0;
    return gssapi_failure;
}

OM_uint32 gss_indicate_mechs(OM_uint32 *minor, void **mech_set) {
    if (mech_set) *mech_set = NULL;
    return fail(minor);
}

OM_uint32 gss_import_name(OM_uint32 *minor, const void *name, const void *type, void **out) {
    if (out) *out = NULL;
    return fail(minor);
}

OM_uint32 gss_init_sec_context(OM_uint32 *minor, void *cred, void **context, void *target, void *mech,
                               OM_uint32 flags, OM_uint32 time, void *bindings, void *input, void **actual_mech,
                               void *output, OM_uint32 *ret_flags, OM_uint32 *time_rec) {
    return fail(minor);
}

OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, const void *mech,
                             OM_uint32 *message_context, void *text) {
    return fail(minor);
}

// Releasing what was never created succeeds, so libgit2's cleanup paths run as usual.
OM_uint32 gss_delete_sec_context(OM_uint32 *minor, void **context, void *output) {
    if (minor) *minor = 0;
    if (context) *context = NULL;
    return 0;
}

OM_uint32 gss_release_buffer(OM_uint32 *minor, void *buffer) {
    if (minor) *minor = 0;
    return 0;
}

OM_uint32 gss_release_name(OM_uint32 *minor, void **name) {
    if (minor) *minor = 0;
    if (name) *name = NULL;
    return 0;
}

OM_uint32 gss_release_oid_set(OM_uint32 *minor, void **set) {
    if (minor) *minor = 0;
    if (set) *set = NULL;
    return 0;
}
#endif
