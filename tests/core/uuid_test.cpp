#include "lib/core/uuid.h"

#include <set>

#include <doctest/doctest.h>

#include "lib/core/time.h"

using namespace prefectcore;
using namespace prefectcore::core;

TEST_CASE("uuid4 ids are version 4, variant 1, lowercase and distinct") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = uuid4();
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '4');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    CHECK(normalize_uuid(id).value() == id);
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("uuid7 ids sort by their timestamp") {
  const auto t1 = parse_time("2024-01-01T00:00:00Z").value();
  const auto t2 = parse_time("2024-01-01T00:00:01Z").value();
  const std::string a = uuid7(t1);
  const std::string b = uuid7(t2);
  CHECK(a[14] == '7');
  CHECK(a < b);
}

TEST_CASE("normalize_uuid accepts Python's forms and rejects others") {
  const std::string canonical = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
  CHECK(normalize_uuid("3FA85F64-5717-4562-B3FC-2C963F66AFA6").value() == canonical);
  CHECK(normalize_uuid("3fa85f6457174562b3fc2c963f66afa6").value() == canonical);
  CHECK(normalize_uuid("{3fa85f64-5717-4562-b3fc-2c963f66afa6}").value() == canonical);
  CHECK(normalize_uuid("urn:uuid:3fa85f64-5717-4562-b3fc-2c963f66afa6").value() == canonical);
  CHECK_FALSE(normalize_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa").has_value());
  CHECK_FALSE(normalize_uuid("3fa85f64x5717-4562-b3fc-2c963f66afa6").has_value());
  CHECK_FALSE(normalize_uuid("zfa85f64-5717-4562-b3fc-2c963f66afa6").has_value());
  CHECK_FALSE(normalize_uuid("name").has_value());
}

TEST_CASE("sequential ids are predictable for tests") {
  SequentialIds ids;
  CHECK(ids.random_id() == "00000000-0000-4000-8000-000000000001");
  CHECK(ids.random_id() == "00000000-0000-4000-8000-000000000002");
}
