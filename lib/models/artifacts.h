#pragma once

// Artifacts and artifact collections (upstream models/artifacts.py) over the Database
// interface. A keyed artifact also upserts its key's artifact_collection row, which always
// mirrors the key's latest artifact.
//
// Thread-bound: a repository borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/schemas/artifact.h"

namespace prefectcore::models {

// ArtifactFilter and ArtifactCollectionFilter (artifact_filter_spec.cpp).
const FilterSpec& artifact_filter_spec();
const FilterSpec& artifact_collection_filter_spec();

// The filters an artifact list/count request may combine. `artifacts` is compiled with
// artifact_filter_spec() for artifacts and artifact_collection_filter_spec() for collections.
struct ArtifactFilters {
  SqlCondition artifacts;
  SqlCondition flow_runs;
  SqlCondition task_runs;
  SqlCondition flows;
  SqlCondition deployments;
};

enum class ArtifactSort { kCreatedDesc, kUpdatedDesc, kIdDesc, kKeyDesc, kKeyAsc };

class ArtifactRepository {
 public:
  explicit ArtifactRepository(Transaction& tx) : tx_(tx) {}

  // Inserts the artifact; a keyed one also becomes its key's collection entry (a new row
  // gets `collection_id`).
  Result<schemas::Artifact> create(const schemas::ArtifactCreate& artifact, const std::string& id,
                                   const std::string& collection_id, Timestamp now);
  // kNotFound "Artifact not found.".
  Result<schemas::Artifact> get(const std::string& id);
  // The collection row of `key` in the Artifact shape (its id is the collection's, as
  // upstream returns it); kNotFound "Artifact not found.".
  Result<schemas::Artifact> latest(const std::string& key);
  // Applies the sent fields to the artifact and, if it is its key's latest, to the
  // collection. false when neither row exists.
  Result<bool> update(const std::string& id, const schemas::ArtifactUpdate& update);
  // Deletes the artifact; if it was its key's latest, the collection moves to the previous
  // version or goes away. false when no artifact has `id`.
  Result<bool> remove(const std::string& id);

  Result<std::vector<schemas::Artifact>> list(const ArtifactFilters& filters, ArtifactSort sort,
                                              std::int64_t limit, std::int64_t offset);
  Result<std::int64_t> count(const ArtifactFilters& filters);
  Result<std::vector<schemas::ArtifactCollection>> list_latest(const ArtifactFilters& filters,
                                                               ArtifactSort sort,
                                                               std::int64_t limit,
                                                               std::int64_t offset);
  Result<std::int64_t> count_latest(const ArtifactFilters& filters);

 private:
  Result<std::vector<schemas::Artifact>> select(const std::string& where,
                                                const std::vector<SqlValue>& params,
                                                std::string_view tail);
  Result<std::vector<schemas::ArtifactCollection>> select_collections(
      const std::string& where, const std::vector<SqlValue>& params, std::string_view tail);

  Transaction& tx_;
};

}  // namespace prefectcore::models
