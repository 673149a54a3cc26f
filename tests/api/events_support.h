#pragma once

// Helpers shared by the events tests: event JSON builders.

#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>

namespace prefectcore::testing {

struct TestEvent {
  std::string id;
  std::string event = "prefect.flow-run.Completed";
  std::string resource_id = "prefect.flow-run.1";
  std::string occurred = "2026-01-01T00:00:00Z";
  std::vector<std::pair<std::string, std::string>> related;  // (id, role)
  std::string extra_resource_labels;  // appended inside the resource object, e.g. ,"a":"b"
  std::string payload = "{}";

  std::string json() const;
};

// A fresh random event id.
std::string new_event_id();

}  // namespace prefectcore::testing
