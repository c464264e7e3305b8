// Nothing to import: this target exists for what it links (see Package.swift and gssapi_unavailable.c).
