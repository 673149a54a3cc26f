// /block_documents/* (upstream api/block_documents.py) and the document lookups under
// /block_types/slug/{slug}/block_documents (api/block_types.py).

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/block_documents.h"
#include "lib/models/block_types.h"

namespace prefectcore::api {
namespace {

using models::BlockDocumentRepository;

const std::vector<std::string_view> kSorts = {"NAME_DESC", "NAME_ASC", "BLOCK_TYPE_AND_NAME_ASC"};

models::BlockDocumentSort to_sort(std::string_view s) {
  if (s == "NAME_DESC") {
    return models::BlockDocumentSort::kNameDesc;
  }
  return s == "BLOCK_TYPE_AND_NAME_ASC" ? models::BlockDocumentSort::kBlockTypeAndNameAsc
                                        : models::BlockDocumentSort::kNameAsc;
}

// FastAPI's bool query parsing for ?include_secrets=.
Result<bool> include_secrets(const HttpRequest& request) {
  auto v = request.query_param("include_secrets");
  if (!v) {
    return false;
  }
  std::string s(*v);
  for (char& c : s) {
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  for (std::string_view t : {"1", "true", "t", "yes", "y", "on"}) {
    if (s == t) {
      return true;
    }
  }
  for (std::string_view f : {"0", "false", "f", "no", "n", "off"}) {
    if (s == f) {
      return false;
    }
  }
  return core::invalid_at({std::string("query"), std::string("include_secrets")}, "bool_parsing",
                          "Input should be a valid boolean, unable to interpret input",
                          core::json_quote(*v));
}

// BlockDocumentFilter defaults is_anonymous to {eq_: false}, both when the filter is
// absent and when the object leaves the key out; an explicit null lifts it.
Result<models::SqlCondition> document_filter(const RequestBody& body, const Dialect& d) {
  const core::Loc loc = {std::string("body"), std::string("block_documents")};
  auto m = body.member("block_documents");
  std::string text = R"({"is_anonymous":{"eq_":false}})";
  if (m && m->is_object()) {
    core::JsonObject obj;
    if (m->get_object().get(obj)) {
      return Status::internal("unreadable filter object");
    }
    core::JsonElement ignored;
    text = core::to_json(*m);
    if (obj.at_key("is_anonymous").get(ignored)) {
      text = obj.size() == 0 ? R"({"is_anonymous":{"eq_":false}})"
                             : R"({"is_anonymous":{"eq_":false},)" + text.substr(1);
    }
  } else if (m && !m->is_null()) {
    return models::compile_filter(models::block_document_filter_spec(), *m, loc, d);
  }
  PC_ASSIGN_OR_RETURN(auto doc, core::JsonDocument::parse(text));
  return models::compile_filter(models::block_document_filter_spec(), doc.root(), loc, d);
}

Result<models::BlockDocumentFilters> read_filters(const RequestBody& body, const Dialect& d) {
  models::BlockDocumentFilters f;
  PC_ASSIGN_OR_RETURN(f.documents, document_filter(body, d));
  PC_ASSIGN_OR_RETURN(f.types, body.filter("block_types", models::block_type_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.schemas,
                      body.filter("block_schemas", models::block_schema_filter_spec(), d));
  return f;
}

Result<HttpResponse> create_block_document(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto create,
                      schemas::decode_block_document_create(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto created,
                      BlockDocumentRepository(*tx, rc.api.ids).create(create, rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(201, schemas::encode_block_document(created));
}

Result<HttpResponse> filter_block_documents(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kSorts, "NAME_ASC"));
  PC_ASSIGN_OR_RETURN(auto filters, read_filters(body, db->dialect()));
  bool secrets = false;
  if (auto m = body.member("include_secrets"); m && !m->is_null()) {
    if (m->get_bool().get(secrets)) {
      return core::invalid_at({std::string("body"), std::string("include_secrets")}, "bool_type",
                              "Input should be a valid boolean", core::to_json(*m));
    }
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto docs, BlockDocumentRepository(*tx, rc.api.ids)
                                     .list(filters, secrets, to_sort(sort), limit, offset));
  return json_list(200, docs, schemas::write_block_document);
}

Result<HttpResponse> count_block_documents(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, BlockDocumentRepository(*tx, rc.api.ids).count(filters));
  return HttpResponse::json(200, std::to_string(n));
}

Result<HttpResponse> read_block_document(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(bool secrets, include_secrets(rc.request));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto doc,
                      BlockDocumentRepository(*tx, rc.api.ids).get(rc.param("id"), secrets));
  if (!doc) {
    return Status::not_found("Block document not found");
  }
  return HttpResponse::json(200, schemas::encode_block_document(*doc));
}

Result<HttpResponse> delete_block_document(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, BlockDocumentRepository(*tx, rc.api.ids).remove(rc.param("id")));
  if (!found) {
    return Status::not_found("Block document not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> update_block_document(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto update,
                      schemas::decode_block_document_update(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(
      bool found,
      BlockDocumentRepository(*tx, rc.api.ids).update(rc.param("id"), update, rc.api.clock.now()));
  if (!found) {
    return Status::not_found("Block document not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> read_documents_for_type(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(bool secrets, include_secrets(rc.request));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto type, models::BlockTypeRepository(*tx).find_by_slug(rc.param("slug")));
  if (!type) {
    return Status::not_found("Block type not found");
  }
  // upstream passes a filter on the type id only, so the is_anonymous default applies.
  models::BlockDocumentFilters f;
  f.documents.sql = "block_document.block_type_id = ? AND block_document.is_anonymous = 0";
  f.documents.params = {type->id};
  PC_ASSIGN_OR_RETURN(auto docs, BlockDocumentRepository(*tx, rc.api.ids)
                                     .list(f, secrets, models::BlockDocumentSort::kNameAsc, -1, 0));
  return json_list(200, docs, schemas::write_block_document);
}

Result<HttpResponse> read_document_by_name(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(bool secrets, include_secrets(rc.request));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto doc,
                      BlockDocumentRepository(*tx, rc.api.ids)
                          .get_by_name(rc.param("slug"), rc.param("block_document_name"), secrets));
  if (!doc) {
    return Status::not_found("Block document not found");
  }
  return HttpResponse::json(200, schemas::encode_block_document(*doc));
}

}  // namespace

void register_block_document_routes(Router& router) {
  router.add("POST", "/block_documents/", create_block_document);
  router.add("POST", "/block_documents/filter", filter_block_documents);
  router.add("POST", "/block_documents/count", count_block_documents);
  router.add("GET", "/block_documents/{id:uuid}", read_block_document);
  router.add("DELETE", "/block_documents/{id:uuid}", delete_block_document);
  router.add("PATCH", "/block_documents/{id:uuid}", update_block_document);
  router.add("GET", "/block_types/slug/{slug}/block_documents", read_documents_for_type);
  router.add("GET", "/block_types/slug/{slug}/block_documents/name/{block_document_name}",
             read_document_by_name);
}

}  // namespace prefectcore::api
