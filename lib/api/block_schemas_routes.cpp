// /block_schemas/* (upstream api/block_schemas.py).

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/block_schemas.h"
#include "lib/models/block_types.h"
#include "lib/schemas/block_checksum.h"

namespace prefectcore::api {
namespace {

using models::BlockSchemaRepository;

Result<HttpResponse> create_block_schema(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto create,
                      schemas::decode_block_schema_create(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  auto type = models::BlockTypeRepository(*tx).get(create.block_type_id);
  if (!type) {
    return Status::not_found(fmt::format("Block type {} not found.", create.block_type_id));
  }
  BlockSchemaRepository repo(*tx, rc.api.ids);
  // upstream answers 200 with the schema already stored under this checksum and version.
  PC_ASSIGN_OR_RETURN(
      auto existing,
      repo.find_by_checksum(schemas::block_schema_checksum(create.fields), create.version));
  if (existing) {
    return HttpResponse::json(200, schemas::encode_block_schema(*existing));
  }
  PC_ASSIGN_OR_RETURN(auto created, repo.create(create, rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(201, schemas::encode_block_schema(created));
}

Result<HttpResponse> read_block_schema(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto schema, BlockSchemaRepository(*tx, rc.api.ids).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_block_schema(schema));
}

Result<HttpResponse> read_block_schema_by_checksum(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  std::optional<std::string> version;
  if (auto v = rc.request.query_param("version")) {
    version = std::string(*v);
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(
      auto schema,
      BlockSchemaRepository(*tx, rc.api.ids).find_by_checksum(rc.param("checksum"), version));
  if (!schema) {
    return Status::not_found("Block schema not found");
  }
  return HttpResponse::json(200, schemas::encode_block_schema(*schema));
}

Result<HttpResponse> filter_block_schemas(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(
      auto filter, body.filter("block_schemas", models::block_schema_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto found,
                      BlockSchemaRepository(*tx, rc.api.ids).list(filter, limit, offset));
  return json_list(200, found, schemas::write_block_schema);
}

Result<HttpResponse> delete_block_schema(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  BlockSchemaRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto schema, repo.get(rc.param("id")));
  if (schema.block_type && schema.block_type->is_protected) {
    return Status::forbidden("Block schemas for protected block types cannot be deleted.");
  }
  PC_RETURN_IF_ERROR(repo.remove(schema.id).status());
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

}  // namespace

void register_block_schema_routes(Router& router) {
  router.add("POST", "/block_schemas/", create_block_schema);
  router.add("DELETE", "/block_schemas/{id:uuid}", delete_block_schema);
  router.add("POST", "/block_schemas/filter", filter_block_schemas);
  router.add("GET", "/block_schemas/{id:uuid}", read_block_schema);
  router.add("GET", "/block_schemas/checksum/{checksum}", read_block_schema_by_checksum);
}

}  // namespace prefectcore::api
