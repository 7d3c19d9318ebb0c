#ifndef META_PROXY_CZOOKEEPER_SHIM_H
#define META_PROXY_CZOOKEEPER_SHIM_H
// The multi-threaded client: the C library runs its own I/O and completion threads.
#ifndef THREADED
#define THREADED 1
#endif
#include <zookeeper/zookeeper.h>
#endif
