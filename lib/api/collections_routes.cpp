// /collections/views/{view} (upstream api/collections.py). Upstream fetches the view from the
// prefect-collection-registry and falls back to a bundled copy, which it ships only for
// aggregate-worker-metadata; prefectcore serves its own bundled copy and never fetches.

#include "lib/api/data/worker_metadata.h"
#include "lib/api/errors.h"
#include "lib/api/routes.h"

namespace prefectcore::api {
namespace {

Result<HttpResponse> read_view(RequestContext& rc) {
  const std::string& view = rc.param("view");
  if (view == "aggregate-worker-metadata") {
    return HttpResponse::json(200, std::string(data::aggregate_worker_metadata()));
  }
  if (view == "aggregate-block-metadata" || view == "aggregate-flow-metadata" ||
      view == "demo-flows") {
    // Known to upstream, but only ever fetched from the registry.
    return Status::not_found("Requested content missing for view " + view);
  }
  return Status::not_found("View " + view + " not found in registry");
}

}  // namespace

void register_collection_routes(Router& router) {
  router.add("GET", "/collections/views/{view}", read_view);
}

}  // namespace prefectcore::api
