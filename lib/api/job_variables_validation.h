#pragma once

// Job variables against the `variables` JSON schema of a work pool's base job template
// (upstream api/validation.py and DeploymentUpdate.check_valid_configuration). Job variables
// overlay in the order pool defaults < deployment < flow run; only a flow run is terminal,
// so only there are required variables enforced. Pools without a template or variables
// schema, and deployments without a pool, are not validated.
//
// The schema check itself is schemas::validate_run_input (upstream's messages), run on the
// schema after upstream's preprocessing (optional fields also accept null; block-typed
// definitions also accept a {"$ref": ...}). Not done: upstream's meta-schema check of the
// variables schema ("Invalid schema: ...").

#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/database.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/schemas/deployment.h"

namespace prefectcore::api {

// POST /deployments/ with a work pool: the deployment's job variables over the pool's valid
// defaults, required keys ignored. Skipped for absent/empty job variables or a missing pool.
// 422 "Error creating deployment: <reason>"; 404 "Block not found." when a default refers to
// a block document that does not exist.
Status check_deployment_job_variables(Transaction& tx, core::IdGenerator& ids,
                                      const std::string& work_pool_name,
                                      const std::optional<std::string>& job_variables);

// PATCH /deployments/{id}: only when the update names a work pool and sends job variables;
// the job variables alone, required keys ignored. 409 "Error creating deployment:
// <ValidationError: '...'>" as upstream words it.
Status check_deployment_update_job_variables(Transaction& tx, const schemas::DeploymentInput& in);

// A flow run from a deployment: pool defaults < deployment < run job variables, required keys
// enforced (unless a pool default was invalid and dropped). 422 "Error creating flow run: ...".
Status check_flow_run_job_variables(Transaction& tx, core::IdGenerator& ids,
                                    const schemas::Deployment& deployment,
                                    const std::optional<std::string>& run_job_variables);

// POST /work_pools/: the template's own defaults must conform, required keys ignored.
// 422 "Validation failed for work pool's job variable defaults: ..."; 404 "Block not found.".
Status check_work_pool_job_variable_defaults(Transaction& tx, core::IdGenerator& ids,
                                             std::string_view base_job_template);

}  // namespace prefectcore::api
