// Nothing to import: this target changes how libgit2 starts in the executables that link it
// (see libgit2_startup.c and sha1_openssl.c); HandoffKit and the tests do not link it.
