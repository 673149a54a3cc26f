// The block types of prefect-docker, -email, -gcp, -github and -gitlab
// (upstream collection_blocks_data.json), in upstream's order. Structure only: our own
// one-sentence descriptions and code examples, no per-field descriptions or examples
// (docs/blocks.md, "System block types").

#include "lib/models/data/block_data.h"

namespace prefectcore::models::data {
namespace {

constexpr BlockData kBlocks[] = {
    {"Docker Host", "docker-host",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "14a315b79990200db7341e42553e23650b34bb96-250x250.png",
     nullptr, "Says how to reach a Docker daemon.",
     "```python\nfrom prefect_docker import DockerHost\n"
     "\nblock = DockerHost.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"DockerHost","description":"Says how to reach a Docker daemon.","type":)"
     R"("object","properties":{"base_url":{"title":"Base URL","type":"string"},"version":{)"
     R"("title":"Version","default":"auto","type":"string"},"timeout":{"title":"Timeout",)"
     R"("type":"integer"},"max_pool_size":{"title":"Max Pool Size","type":"integer"},)"
     R"("client_kwargs":{"title":"Additional Configuration","type":"object"}},)"
     R"("block_type_slug":"docker-host","secret_fields":[],"block_schema_references":{}})",
     "", "0.4.5"},
    {"Docker Registry Credentials", "docker-registry-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "14a315b79990200db7341e42553e23650b34bb96-250x250.png",
     nullptr, "Holds the login for a Docker image registry.",
     "```python\nfrom prefect_docker import DockerRegistryCredentials\n"
     "\nblock = DockerRegistryCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"DockerRegistryCredentials","description":"Holds the login for a Docker )"
     R"(image registry.","type":"object","properties":{"username":{"title":"Username",)"
     R"("type":"string"},"password":{"title":"Password","type":"string","writeOnly":true,)"
     R"("format":"password"},"registry_url":{"title":"Registry Url","type":"string"},)"
     R"("reauth":{"title":"Reauth","default":true,"type":"boolean"}},"required":["username",)"
     R"("password","registry_url"],"block_type_slug":"docker-registry-credentials",)"
     R"("secret_fields":["password"],"block_schema_references":{}})",
     "", "0.4.5"},
    {"Email Server Credentials", "email-server-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "82bc6ed16ca42a2252a5512c72233a253b8a58eb-250x250.png",
     "https://prefecthq.github.io/prefect-email/credentials/#"
     "prefect_email.credentials.EmailServerCredentials",
     "Holds the SMTP server and login used to send email.",
     "```python\nfrom prefect_email import EmailServerCredentials\n"
     "\nblock = EmailServerCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"EmailServerCredentials","description":"Holds the SMTP server and login )"
     R"(used to send email.","type":"object","properties":{"username":{"title":"Username",)"
     R"("type":"string"},"password":{"title":"Password","type":"string","writeOnly":true,)"
     R"("format":"password"},"smtp_server":{"title":"SMTP Server","default":)"
     R"("smtp.gmail.com","anyOf":[{"$ref":"#/definitions/SMTPServer"},{"type":"string"}]},)"
     R"("smtp_type":{"title":"SMTP Type","default":465,"anyOf":[{"$ref":"#/definitions/)"
     R"(SMTPType"},{"type":"string"}]},"smtp_port":{"title":"SMTP Port","type":"integer"}},)"
     R"("block_type_slug":"email-server-credentials","secret_fields":["password"],)"
     R"("block_schema_references":{},"definitions":{"SMTPServer":{"title":"SMTPServer",)"
     R"("enum":["smtp.aol.com","smtp.mail.att.net","smtp.comcast.net","smtp.mail.me.com",)"
     R"("smtp.gmail.com","smtp-mail.outlook.com","smtp.mail.yahoo.com"]},"SMTPType":{)"
     R"("title":"SMTPType","enum":[465,587,25]}}})",
     "", "0.3.2"},
    {"BigQuery Warehouse", "bigquery-warehouse",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "10424e311932e31c477ac2b9ef3d53cefbaad708-250x250.png",
     "https://prefecthq.github.io/prefect-gcp/bigquery/#"
     "prefect_gcp.bigquery.BigQueryWarehouse",
     "Runs queries against Google BigQuery.",
     "```python\nfrom prefect_gcp.bigquery import BigQueryWarehouse\n"
     "\nblock = BigQueryWarehouse.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"BigQueryWarehouse","description":"Runs queries against Google BigQuery.",)"
     R"("type":"object","properties":{"gcp_credentials":{"$ref":"#/definitions/)"
     R"(GcpCredentials"},"fetch_size":{"title":"Fetch Size","default":1,"type":"integer"}},)"
     R"("required":["gcp_credentials"],"block_type_slug":"bigquery-warehouse",)"
     R"("secret_fields":["gcp_credentials.service_account_info.*"],)"
     R"("block_schema_references":{"gcp_credentials":{"block_type_slug":"gcp-credentials",)"
     R"("block_schema_checksum":"sha256:361a3f96f389721e2f357560d1017278789c9fe4a800afcd360f)"
     R"(883b84e58207"}},"definitions":{"GcpCredentials":{"title":"GcpCredentials",)"
     R"("description":"Holds a Google Cloud service account and project.","type":"object",)"
     R"("properties":{"service_account_file":{"title":"Service Account File","type":)"
     R"("string","format":"path"},"service_account_info":{"title":"Service Account Info",)"
     R"("type":"object"},"project":{"title":"Project","type":"string"}},"block_type_slug":)"
     R"("gcp-credentials","secret_fields":["service_account_info.*"],)"
     R"("block_schema_references":{}}}})",
     "", "0.5.8"},
    {"GCP Credentials", "gcp-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "10424e311932e31c477ac2b9ef3d53cefbaad708-250x250.png",
     "https://prefecthq.github.io/prefect-gcp/credentials/#"
     "prefect_gcp.credentials.GcpCredentials",
     "Holds a Google Cloud service account and project.",
     "```python\nfrom prefect_gcp import GcpCredentials\n"
     "\nblock = GcpCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"GcpCredentials","description":"Holds a Google Cloud service account and )"
     R"(project.","type":"object","properties":{"service_account_file":{"title":"Service )"
     R"(Account File","type":"string","format":"path"},"service_account_info":{"title":)"
     R"("Service Account Info","type":"object"},"project":{"title":"Project","type":)"
     R"("string"}},"block_type_slug":"gcp-credentials","secret_fields":[)"
     R"("service_account_info.*"],"block_schema_references":{}})",
     "", "0.5.8"},
    {"GcpSecret", "gcpsecret",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "10424e311932e31c477ac2b9ef3d53cefbaad708-250x250.png",
     "https://prefecthq.github.io/prefect-gcp/secret_manager/#"
     "prefect_gcp.secret_manager.GcpSecret",
     "Reads and writes one secret kept in Google Cloud Secret Manager.",
     "```python\nfrom prefect_gcp.secret_manager import GcpSecret\n"
     "\nblock = GcpSecret.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"GcpSecret","description":"Reads and writes one secret kept in Google )"
     R"(Cloud Secret Manager.","type":"object","properties":{"gcp_credentials":{"$ref":"#/)"
     R"(definitions/GcpCredentials"},"secret_name":{"title":"Secret Name","type":"string"},)"
     R"("secret_version":{"title":"Secret Version","default":"latest","type":"string"}},)"
     R"("required":["gcp_credentials","secret_name"],"block_type_slug":"gcpsecret",)"
     R"("secret_fields":["gcp_credentials.service_account_info.*"],)"
     R"("block_schema_references":{"gcp_credentials":{"block_type_slug":"gcp-credentials",)"
     R"("block_schema_checksum":"sha256:361a3f96f389721e2f357560d1017278789c9fe4a800afcd360f)"
     R"(883b84e58207"}},"definitions":{"GcpCredentials":{"title":"GcpCredentials",)"
     R"("description":"Holds a Google Cloud service account and project.","type":"object",)"
     R"("properties":{"service_account_file":{"title":"Service Account File","type":)"
     R"("string","format":"path"},"service_account_info":{"title":"Service Account Info",)"
     R"("type":"object"},"project":{"title":"Project","type":"string"}},"block_type_slug":)"
     R"("gcp-credentials","secret_fields":["service_account_info.*"],)"
     R"("block_schema_references":{}}}})",
     "", "0.5.8"},
    {"GCS Bucket", "gcs-bucket",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "10424e311932e31c477ac2b9ef3d53cefbaad708-250x250.png",
     "https://prefecthq.github.io/prefect-gcp/cloud_storage/#"
     "prefect_gcp.cloud_storage.GcsBucket",
     "Reads and writes files in a Google Cloud Storage bucket.",
     "```python\nfrom prefect_gcp.cloud_storage import GcsBucket\n"
     "\nblock = GcsBucket.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"GcsBucket","description":"Reads and writes files in a Google Cloud )"
     R"(Storage bucket.","type":"object","properties":{"bucket":{"title":"Bucket","type":)"
     R"("string"},"gcp_credentials":{"title":"Gcp Credentials","allOf":[{"$ref":"#/)"
     R"(definitions/GcpCredentials"}]},"bucket_folder":{"title":"Bucket Folder","default":)"
     R"("","type":"string"}},"required":["bucket"],"block_type_slug":"gcs-bucket",)"
     R"("secret_fields":["gcp_credentials.service_account_info.*"],)"
     R"("block_schema_references":{"gcp_credentials":{"block_type_slug":"gcp-credentials",)"
     R"("block_schema_checksum":"sha256:361a3f96f389721e2f357560d1017278789c9fe4a800afcd360f)"
     R"(883b84e58207"}},"definitions":{"GcpCredentials":{"title":"GcpCredentials",)"
     R"("description":"Holds a Google Cloud service account and project.","type":"object",)"
     R"("properties":{"service_account_file":{"title":"Service Account File","type":)"
     R"("string","format":"path"},"service_account_info":{"title":"Service Account Info",)"
     R"("type":"object"},"project":{"title":"Project","type":"string"}},"block_type_slug":)"
     R"("gcp-credentials","secret_fields":["service_account_info.*"],)"
     R"("block_schema_references":{}}}})",
     "get-directory,put-directory,read-path,write-path", "0.5.8"},
    {"GitHub Credentials", "github-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "41971cfecfea5f79ff334164f06ecb34d1038dd4-250x250.png",
     "https://prefecthq.github.io/prefect-github/credentials/#"
     "prefect_github.credentials.GitHubCredentials",
     "Holds a GitHub access token.",
     "```python\nfrom prefect_github import GitHubCredentials\n"
     "\nblock = GitHubCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"GitHubCredentials","description":"Holds a GitHub access token.","type":)"
     R"("object","properties":{"token":{"title":"Token","type":"string","writeOnly":true,)"
     R"("format":"password"}},"block_type_slug":"github-credentials","secret_fields":[)"
     R"("token"],"block_schema_references":{}})",
     "", "0.2.2"},
    {"GitHub Repository", "github-repository",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "41971cfecfea5f79ff334164f06ecb34d1038dd4-250x250.png",
     "https://prefecthq.github.io/prefect-github/repository/#"
     "prefect_github.repository.GitHubRepository",
     "Clones a GitHub repository to use as deployment storage.",
     "```python\nfrom prefect_github.repository import GitHubRepository\n"
     "\nblock = GitHubRepository.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"GitHubRepository","description":"Clones a GitHub repository to use as )"
     R"(deployment storage.","type":"object","properties":{"repository_url":{"title":)"
     R"("Repository URL","type":"string"},"reference":{"title":"Reference","type":"string"},)"
     R"("credentials":{"title":"Credentials","allOf":[{"$ref":"#/definitions/)"
     R"(GitHubCredentials"}]}},"required":["repository_url"],"block_type_slug":)"
     R"("github-repository","secret_fields":["credentials.token"],"block_schema_references":)"
     R"({"credentials":{"block_type_slug":"github-credentials","block_schema_checksum":)"
     R"("sha256:b5c8e41dd52ce29980461dca8dea9be1f755642aad02019316a8a4eb0874f46a"}},)"
     R"("definitions":{"GitHubCredentials":{"title":"GitHubCredentials","description":)"
     R"("Holds a GitHub access token.","type":"object","properties":{"token":{"title":)"
     R"("Token","type":"string","writeOnly":true,"format":"password"}},"block_type_slug":)"
     R"("github-credentials","secret_fields":["token"],"block_schema_references":{}}}})",
     "get-directory", "0.2.2"},
    {"GitLab Credentials", "gitlab-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "a5db0f07a1bb4390f0e1cda9f7ef9091d89633b9-250x250.png",
     nullptr, "Holds a GitLab access token and server URL.",
     "```python\nfrom prefect_gitlab import GitLabCredentials\n"
     "\nblock = GitLabCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"GitLabCredentials","description":"Holds a GitLab access token and server )"
     R"(URL.","type":"object","properties":{"token":{"title":"Token","name":"Personal )"
     R"(Access Token","type":"string","writeOnly":true,"format":"password"},"url":{"title":)"
     R"("URL","type":"string"}},"block_type_slug":"gitlab-credentials","secret_fields":[)"
     R"("token"],"block_schema_references":{}})",
     "", "0.2.2"},
    {"GitLab Repository", "gitlab-repository",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "a5db0f07a1bb4390f0e1cda9f7ef9091d89633b9-250x250.png",
     nullptr, "Clones a GitLab repository to use as deployment storage.",
     "```python\nfrom prefect_gitlab.repositories import GitLabRepository\n"
     "\nblock = GitLabRepository.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"GitLabRepository","description":"Clones a GitLab repository to use as )"
     R"(deployment storage.","type":"object","properties":{"repository":{"title":)"
     R"("Repository","type":"string"},"reference":{"title":"Reference","type":"string"},)"
     R"("credentials":{"title":"Credentials","allOf":[{"$ref":"#/definitions/)"
     R"(GitLabCredentials"}]}},"required":["repository"],"block_type_slug":)"
     R"("gitlab-repository","secret_fields":["credentials.token"],"block_schema_references":)"
     R"({"credentials":{"block_type_slug":"gitlab-credentials","block_schema_checksum":)"
     R"("sha256:61a7e4f1f656f1053a910da869cbf0e1f900f39df0b15ab42173bf519423a444"}},)"
     R"("definitions":{"GitLabCredentials":{"title":"GitLabCredentials","description":)"
     R"("Holds a GitLab access token and server URL.","type":"object","properties":{"token":)"
     R"({"title":"Token","name":"Personal Access Token","type":"string","writeOnly":true,)"
     R"("format":"password"},"url":{"title":"URL","type":"string"}},"block_type_slug":)"
     R"("gitlab-credentials","secret_fields":["token"],"block_schema_references":{}}}})",
     "get-directory", "0.2.2"},
};

}  // namespace

std::span<const BlockData> collection_blocks_docker_to_gitlab() { return kBlocks; }

}  // namespace prefectcore::models::data
