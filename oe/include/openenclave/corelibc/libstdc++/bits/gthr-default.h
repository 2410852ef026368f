// TrustBox OE enclaves: libstdc++'s threading model. An enclave call runs on one thread and
// there is no pthread library, so libstdc++ uses its single-threaded model (no locks, plain
// reference counts) instead of the POSIX one its configuration names.
#include <bits/gthr-single.h>
