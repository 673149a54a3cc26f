// /block_types/* (upstream api/block_types.py), /block_capabilities/
// (api/block_capabilities.py) and the start-up registration of system block types.
// The /block_types/slug/{slug}/block_documents lookups live in block_documents_routes.cpp.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/logging.h"
#include "lib/models/block_schemas.h"
#include "lib/models/block_types.h"
#include "lib/models/system_blocks.h"

namespace prefectcore::api {
namespace {

using models::BlockTypeRepository;

// A lower-cased copy, for upstream's reserved-name check.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

Result<HttpResponse> create_block_type(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto create,
                      schemas::decode_block_type_create(body.root(), {std::string("body")}));
  if (lower(create.name).rfind("prefect", 0) == 0) {
    return Status::forbidden("Block type names beginning with 'Prefect' are reserved.");
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto created, BlockTypeRepository(*tx).create(create, rc.api.ids.random_id(),
                                                                    rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(201, schemas::encode_block_type(created));
}

Result<HttpResponse> read_block_type(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto type, BlockTypeRepository(*tx).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_block_type(type));
}

Result<HttpResponse> read_block_type_by_slug(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto type, BlockTypeRepository(*tx).find_by_slug(rc.param("slug")));
  if (!type) {
    return Status::not_found("Block type not found");
  }
  return HttpResponse::json(200, schemas::encode_block_type(*type));
}

Result<HttpResponse> filter_block_types(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  const Dialect& d = db->dialect();
  PC_ASSIGN_OR_RETURN(auto types, body.filter("block_types", models::block_type_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(auto schema_filter,
                      body.filter("block_schemas", models::block_schema_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto found,
                      BlockTypeRepository(*tx).list(types, schema_filter, limit, offset));
  return json_list(200, found, schemas::write_block_type);
}

// upstream _should_update_block_type: the stored fields are all set, so anything short of
// sending all four unchanged fields counts as a change.
bool should_update(const schemas::BlockTypeUpdate& u, const schemas::BlockType& t) {
  auto same = [](const std::optional<std::optional<std::string>>& sent,
                 const std::optional<std::string>& stored, bool unescape) {
    if (!sent) {
      return false;
    }
    if (!sent->has_value() || !stored) {
      return !sent->has_value() && !stored;
    }
    return unescape ? schemas::html_unescape(**sent) == schemas::html_unescape(*stored)
                    : **sent == *stored;
  };
  return !(same(u.logo_url, t.logo_url, false) &&
           same(u.documentation_url, t.documentation_url, false) &&
           same(u.description, t.description, true) && same(u.code_example, t.code_example, true));
}

Result<HttpResponse> update_block_type(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto update,
                      schemas::decode_block_type_update(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  BlockTypeRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto type, repo.get(rc.param("id")));
  if (should_update(update, type)) {
    PC_RETURN_IF_ERROR(repo.update(type.id, update, rc.api.clock.now()).status());
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_block_type(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  BlockTypeRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto type, repo.get(rc.param("id")));
  if (type.is_protected) {
    return Status::forbidden("protected block types cannot be deleted.");
  }
  PC_RETURN_IF_ERROR(repo.remove(type.id).status());
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> install_system_block_types(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_RETURN_IF_ERROR(models::install_system_block_types(*db, rc.api.ids, rc.api.clock.now()));
  return HttpResponse::json(200, "null");
}

Result<HttpResponse> read_block_capabilities(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto caps, models::BlockSchemaRepository(*tx, rc.api.ids).capabilities());
  std::string out;
  core::JsonWriter(out).string_array(caps);
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

namespace {
Status install_system_blocks(ApiContext& ctx) {
  return models::run_block_auto_registration(*ctx.db, ctx.ids, ctx.clock.now());
}
}  // namespace

void install_blocks_on_start(ApiContext& ctx) {
  if (ctx.db == nullptr || !ctx.settings.register_blocks_on_start) {
    return;
  }
  if (Status s = install_system_blocks(ctx); !s.ok()) {
    PC_LOG_WARNING("could not register the system block types: {}", s.message());
  }
}

void register_block_type_routes(Router& router) {
  router.add("POST", "/block_types/", create_block_type);
  router.add("GET", "/block_types/{id:uuid}", read_block_type);
  router.add("GET", "/block_types/slug/{slug}", read_block_type_by_slug);
  router.add("POST", "/block_types/filter", filter_block_types);
  router.add("PATCH", "/block_types/{id:uuid}", update_block_type);
  router.add("DELETE", "/block_types/{id:uuid}", delete_block_type);
  router.add("POST", "/block_types/install_system_block_types", install_system_block_types);
  router.add("GET", "/block_capabilities/", read_block_capabilities);
}

}  // namespace prefectcore::api
