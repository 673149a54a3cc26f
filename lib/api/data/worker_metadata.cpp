// The data behind GET /collections/views/aggregate-worker-metadata: the worker types a
// Prefect install offers when creating a work pool, keyed by the package that provides
// them. Upstream fetches this view from the prefect-collection-registry and falls back to a
// copy bundled with the server; prefectcore never fetches, so this is its bundled copy,
// written for prefectcore (type names and job-template variables follow the Prefect workers
// they describe). Each base job configuration is what the UI pre-fills for a new pool.

#include "lib/api/data/worker_metadata.h"

namespace prefectcore::api::data {

std::string_view aggregate_worker_metadata() {
  return R"json({
  "prefect": {
    "process": {
      "type": "process",
      "display_name": "Process",
      "description": "Runs each flow run as a subprocess of the worker, on the worker's machine. The simplest way to start running deployments locally.",
      "documentation_url": "https://docs.prefect.io/v3/deploy/infrastructure-concepts/workers",
      "install_command": "pip install prefect",
      "is_beta": false,
      "logo_url": null,
      "default_base_job_configuration": {
        "job_configuration": {
          "command": "{{ command }}",
          "env": "{{ env }}",
          "labels": "{{ labels }}",
          "name": "{{ name }}",
          "stream_output": "{{ stream_output }}",
          "working_dir": "{{ working_dir }}"
        },
        "variables": {
          "type": "object",
          "properties": {
            "name": {"title": "Name", "type": "string", "description": "A name for the processes the worker starts."},
            "env": {"title": "Environment Variables", "type": "object", "additionalProperties": {"type": "string"}, "description": "Extra environment variables for each flow run process."},
            "labels": {"title": "Labels", "type": "object", "additionalProperties": {"type": "string"}, "description": "Labels attached to each flow run process."},
            "command": {"title": "Command", "type": "string", "description": "The command that starts a flow run; leave empty to let the worker build it."},
            "stream_output": {"title": "Stream Output", "type": "boolean", "default": true, "description": "Copy each flow run's output to the worker's standard output."},
            "working_dir": {"title": "Working Directory", "type": "string", "format": "path", "description": "The directory flow run processes start in; a temporary directory when empty."}
          }
        }
      }
    }
  },
  "prefect-docker": {
    "docker": {
      "type": "docker",
      "display_name": "Docker",
      "description": "Runs each flow run in a Docker container on the worker's Docker host.",
      "documentation_url": "https://docs.prefect.io/integrations/prefect-docker",
      "install_command": "pip install prefect-docker",
      "is_beta": false,
      "logo_url": null,
      "default_base_job_configuration": {
        "job_configuration": {
          "command": "{{ command }}",
          "env": "{{ env }}",
          "labels": "{{ labels }}",
          "name": "{{ name }}",
          "image": "{{ image }}",
          "image_pull_policy": "{{ image_pull_policy }}",
          "networks": "{{ networks }}",
          "volumes": "{{ volumes }}",
          "auto_remove": "{{ auto_remove }}",
          "stream_output": "{{ stream_output }}"
        },
        "variables": {
          "type": "object",
          "properties": {
            "name": {"title": "Name", "type": "string", "description": "A name for the containers the worker starts."},
            "env": {"title": "Environment Variables", "type": "object", "additionalProperties": {"type": "string"}},
            "labels": {"title": "Labels", "type": "object", "additionalProperties": {"type": "string"}},
            "command": {"title": "Command", "type": "string"},
            "image": {"title": "Image", "type": "string", "description": "The image flow runs start from; the deployment's image when empty."},
            "image_pull_policy": {"title": "Image Pull Policy", "type": "string", "enum": ["IfNotPresent", "Always", "Never"]},
            "networks": {"title": "Networks", "type": "array", "items": {"type": "string"}, "default": []},
            "volumes": {"title": "Volumes", "type": "array", "items": {"type": "string"}, "default": [], "description": "host:container mounts."},
            "auto_remove": {"title": "Auto Remove", "type": "boolean", "default": false},
            "stream_output": {"title": "Stream Output", "type": "boolean", "default": true}
          }
        }
      }
    }
  },
  "prefect-kubernetes": {
    "kubernetes": {
      "type": "kubernetes",
      "display_name": "Kubernetes",
      "description": "Runs each flow run as a Kubernetes job.",
      "documentation_url": "https://docs.prefect.io/integrations/prefect-kubernetes",
      "install_command": "pip install prefect-kubernetes",
      "is_beta": false,
      "logo_url": null,
      "default_base_job_configuration": {
        "job_configuration": {
          "command": "{{ command }}",
          "env": "{{ env }}",
          "labels": "{{ labels }}",
          "name": "{{ name }}",
          "namespace": "{{ namespace }}",
          "job_manifest": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"generateName": "{{ name }}-", "namespace": "{{ namespace }}", "labels": "{{ labels }}"},
            "spec": {
              "backoffLimit": 0,
              "ttlSecondsAfterFinished": "{{ finished_job_ttl }}",
              "template": {
                "spec": {
                  "restartPolicy": "Never",
                  "serviceAccountName": "{{ service_account_name }}",
                  "containers": [
                    {"name": "prefect-job", "image": "{{ image }}", "imagePullPolicy": "{{ image_pull_policy }}", "args": "{{ command }}", "env": "{{ env }}"}
                  ]
                }
              }
            }
          },
          "stream_output": "{{ stream_output }}"
        },
        "variables": {
          "type": "object",
          "properties": {
            "name": {"title": "Name", "type": "string"},
            "env": {"title": "Environment Variables", "type": "object", "additionalProperties": {"type": "string"}},
            "labels": {"title": "Labels", "type": "object", "additionalProperties": {"type": "string"}},
            "command": {"title": "Command", "type": "string"},
            "namespace": {"title": "Namespace", "type": "string", "default": "default"},
            "image": {"title": "Image", "type": "string"},
            "image_pull_policy": {"title": "Image Pull Policy", "type": "string", "enum": ["IfNotPresent", "Always", "Never"], "default": "IfNotPresent"},
            "service_account_name": {"title": "Service Account Name", "type": "string"},
            "finished_job_ttl": {"title": "Finished Job TTL", "type": "integer", "description": "Seconds a finished job is kept before Kubernetes deletes it."},
            "stream_output": {"title": "Stream Output", "type": "boolean", "default": true}
          }
        }
      }
    }
  }
})json";
}

}  // namespace prefectcore::api::data
