// Each public header compiles on its own, with only the public dependency.
#include <doctest/doctest.h>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/http.h>
#include <prefectcore/server.h>
#include <prefectcore/settings.h>
#include <prefectcore/status.h>

TEST_CASE("the public headers expose Server, Settings and Status without internals") {
  prefectcore::Result<int> r = prefectcore::Status::not_found("x");
  CHECK_FALSE(r.has_value());
  CHECK(r.error().code() == prefectcore::ErrorCode::kNotFound);
  CHECK(prefectcore::Settings::defaults().api.port == 4200);
}
