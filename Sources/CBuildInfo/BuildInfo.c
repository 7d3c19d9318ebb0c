// The build's identity, as C string literals: Package.swift defines them from the environment and git
// (a Swift target cannot receive a string at build time; a C macro can). Only this file is recompiled
// when they change.
#include "CBuildInfo.h"

#ifndef METAPROXY_BUILD_COMMIT
#define METAPROXY_BUILD_COMMIT "unknown"
#endif
#ifndef METAPROXY_BUILD_DATE
#define METAPROXY_BUILD_DATE "unknown"
#endif
#ifndef METAPROXY_BUILD_SWIFT_VERSION
#define METAPROXY_BUILD_SWIFT_VERSION ""
#endif

const char *metaproxy_build_commit(void) { return METAPROXY_BUILD_COMMIT; }
const char *metaproxy_build_date(void) { return METAPROXY_BUILD_DATE; }
const char *metaproxy_build_swift_version(void) { return METAPROXY_BUILD_SWIFT_VERSION; }
