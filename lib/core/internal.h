#pragma once

// Included first by every internal header: internal headers are not part of the public API.
#ifndef PREFECTCORE_INTERNAL
#error "lib/ headers are internal to prefectcore; include <prefectcore/...> instead"
#endif
