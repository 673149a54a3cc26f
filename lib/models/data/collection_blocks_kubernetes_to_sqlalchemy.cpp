// The block types of prefect-kubernetes, -shell, -slack, -snowflake and -sqlalchemy
// (upstream collection_blocks_data.json), in upstream's order. Structure only: our own
// one-sentence descriptions and code examples, no per-field descriptions or examples
// (docs/blocks.md, "System block types").

#include "lib/models/data/block_data.h"

namespace prefectcore::models::data {
namespace {

constexpr BlockData kBlocks[] = {
    {"Kubernetes Cluster Config", "kubernetes-cluster-config",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "2d0b896006ad463b49c28aaac14f31e00e32cfab-250x250.png",
     "https://docs.prefect.io/api-ref/prefect/blocks/kubernetes/#"
     "prefect.blocks.kubernetes.KubernetesClusterConfig",
     "Holds a kubeconfig and the context to use from it.",
     "```python\nfrom prefect_kubernetes import KubernetesClusterConfig\n"
     "\nblock = KubernetesClusterConfig.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"KubernetesClusterConfig","description":"Holds a kubeconfig and the )"
     R"(context to use from it.","type":"object","properties":{"config":{"title":"Config",)"
     R"("type":"object"},"context_name":{"title":"Context Name","type":"string"}},)"
     R"("required":["config","context_name"],"block_type_slug":"kubernetes-cluster-config",)"
     R"("secret_fields":[],"block_schema_references":{}})",
     "", "0.4.0"},
    {"Kubernetes Credentials", "kubernetes-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "2d0b896006ad463b49c28aaac14f31e00e32cfab-250x250.png",
     "https://prefecthq.github.io/prefect-kubernetes/credentials/#"
     "prefect_kubernetes.credentials.KubernetesCredentials",
     "Builds Kubernetes API clients from a cluster config.",
     "```python\nfrom prefect_kubernetes.credentials import KubernetesCredentials\n"
     "\nblock = KubernetesCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"KubernetesCredentials","description":"Builds Kubernetes API clients from )"
     R"(a cluster config.","type":"object","properties":{"cluster_config":{"$ref":"#/)"
     R"(definitions/KubernetesClusterConfig"}},"block_type_slug":"kubernetes-credentials",)"
     R"("secret_fields":[],"block_schema_references":{"cluster_config":{"block_type_slug":)"
     R"("kubernetes-cluster-config","block_schema_checksum":"sha256:)"
     R"(20a520a1ae109a4bf00c87f689cfc978c661410639eace10763b1c33272d77e9"}},"definitions":{)"
     R"("KubernetesClusterConfig":{"title":"KubernetesClusterConfig","description":"Holds a )"
     R"(kubeconfig and the context to use from it.","type":"object","properties":{"config":{)"
     R"("title":"Config","type":"object"},"context_name":{"title":"Context Name","type":)"
     R"("string"}},"required":["config","context_name"],"block_type_slug":)"
     R"("kubernetes-cluster-config","secret_fields":[],"block_schema_references":{}}}})",
     "", "0.3.7"},
    {"Shell Operation", "shell-operation",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "0b47a017e1b40381de770c17647c49cdf6388d1c-250x250.png",
     "https://prefecthq.github.io/prefect-shell/commands/#"
     "prefect_shell.commands.ShellOperation",
     "Runs shell commands in a chosen shell, directory and environment.",
     "```python\nfrom prefect_shell import ShellOperation\n"
     "\nblock = ShellOperation.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"ShellOperation","description":"Runs shell commands in a chosen shell, )"
     R"(directory and environment.","type":"object","properties":{"commands":{"title":)"
     R"("Commands","type":"array","items":{"type":"string"}},"stream_output":{"title":)"
     R"("Stream Output","default":true,"type":"boolean"},"env":{"title":"Environment )"
     R"(Variables","type":"object","additionalProperties":{"type":"string"}},"working_dir":{)"
     R"("title":"Working Directory","format":"directory-path","type":"string"},"shell":{)"
     R"("title":"Shell","type":"string"},"extension":{"title":"Extension","type":"string"}},)"
     R"("required":["commands"],"block_type_slug":"shell-operation","secret_fields":[],)"
     R"("block_schema_references":{}})",
     "", "0.2.2"},
    {"Slack Credentials", "slack-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "c1965ecbf8704ee1ea20d77786de9a41ce1087d1-500x500.png",
     "https://prefecthq.github.io/prefect-slack/credentials/#"
     "prefect_slack.credentials.SlackCredentials",
     "Holds a Slack bot token.",
     "```python\nfrom prefect_slack import SlackCredentials\n"
     "\nblock = SlackCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"SlackCredentials","description":"Holds a Slack bot token.","type":)"
     R"("object","properties":{"token":{"title":"Token","type":"string","writeOnly":true,)"
     R"("format":"password"}},"required":["token"],"block_type_slug":"slack-credentials",)"
     R"("secret_fields":["token"],"block_schema_references":{}})",
     "", "0.2.2"},
    {"Snowflake Connector", "snowflake-connector",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "bd359de0b4be76c2254bd329fe3a267a1a3879c2-250x250.png",
     "https://prefecthq.github.io/prefect-snowflake/database/#"
     "prefect_snowflake.database.SnowflakeConnector",
     "Runs queries against a Snowflake database.",
     "```python\nfrom prefect_snowflake.database import SnowflakeConnector\n"
     "\nblock = SnowflakeConnector.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"SnowflakeConnector","description":"Runs queries against a Snowflake )"
     R"(database.","type":"object","properties":{"credentials":{"title":"Credentials",)"
     R"("allOf":[{"$ref":"#/definitions/SnowflakeCredentials"}]},"database":{"title":)"
     R"("Database","type":"string"},"warehouse":{"title":"Warehouse","type":"string"},)"
     R"("schema":{"title":"Schema","type":"string"},"fetch_size":{"title":"Fetch Size",)"
     R"("default":1,"type":"integer"},"poll_frequency_s":{"title":"Poll Frequency [)"
     R"(seconds]","default":1,"type":"integer"}},"required":["credentials","database",)"
     R"("warehouse","schema"],"block_type_slug":"snowflake-connector","secret_fields":[)"
     R"("credentials.password","credentials.private_key",)"
     R"("credentials.private_key_passphrase","credentials.token"],"block_schema_references":)"
     R"({"credentials":{"block_type_slug":"snowflake-credentials","block_schema_checksum":)"
     R"("sha256:b545b56d94b5894c3146e273dfc7c2dfcc289c2e75e48fd3b6021bd4bbc50822"}},)"
     R"("definitions":{"SnowflakeCredentials":{"title":"SnowflakeCredentials","description":)"
     R"("Holds the account and login used to connect to Snowflake.","type":"object",)"
     R"("properties":{"account":{"title":"Account","type":"string"},"user":{"title":"User",)"
     R"("type":"string"},"password":{"title":"Password","type":"string","writeOnly":true,)"
     R"("format":"password"},"private_key":{"title":"Private Key","type":"string",)"
     R"("writeOnly":true,"format":"password"},"private_key_path":{"title":"Private Key )"
     R"(Path","type":"string","format":"path"},"private_key_passphrase":{"title":"Private )"
     R"(Key Passphrase","type":"string","writeOnly":true,"format":"password"},)"
     R"("authenticator":{"title":"Authenticator","default":"snowflake","enum":["snowflake",)"
     R"("snowflake_jwt","externalbrowser","okta_endpoint","oauth","username_password_mfa"],)"
     R"("type":"string"},"token":{"title":"Token","type":"string","writeOnly":true,"format":)"
     R"("password"},"endpoint":{"title":"Endpoint","type":"string"},"role":{"title":"Role",)"
     R"("type":"string"},"autocommit":{"title":"Autocommit","type":"boolean"}},"required":[)"
     R"("account","user"],"block_type_slug":"snowflake-credentials","secret_fields":[)"
     R"("password","private_key","private_key_passphrase","token"],)"
     R"("block_schema_references":{}}}})",
     "", "0.27.3"},
    {"Snowflake Credentials", "snowflake-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "bd359de0b4be76c2254bd329fe3a267a1a3879c2-250x250.png",
     "https://prefecthq.github.io/prefect-snowflake/credentials/#"
     "prefect_snowflake.credentials.SnowflakeCredentials",
     "Holds the account and login used to connect to Snowflake.",
     "```python\nfrom prefect_snowflake import SnowflakeCredentials\n"
     "\nblock = SnowflakeCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"SnowflakeCredentials","description":"Holds the account and login used to )"
     R"(connect to Snowflake.","type":"object","properties":{"account":{"title":"Account",)"
     R"("type":"string"},"user":{"title":"User","type":"string"},"password":{"title":)"
     R"("Password","type":"string","writeOnly":true,"format":"password"},"private_key":{)"
     R"("title":"Private Key","type":"string","writeOnly":true,"format":"password"},)"
     R"("private_key_path":{"title":"Private Key Path","type":"string","format":"path"},)"
     R"("private_key_passphrase":{"title":"Private Key Passphrase","type":"string",)"
     R"("writeOnly":true,"format":"password"},"authenticator":{"title":"Authenticator",)"
     R"("default":"snowflake","enum":["snowflake","snowflake_jwt","externalbrowser",)"
     R"("okta_endpoint","oauth","username_password_mfa"],"type":"string"},"token":{"title":)"
     R"("Token","type":"string","writeOnly":true,"format":"password"},"endpoint":{"title":)"
     R"("Endpoint","type":"string"},"role":{"title":"Role","type":"string"},"autocommit":{)"
     R"("title":"Autocommit","type":"boolean"}},"required":["account","user"],)"
     R"("block_type_slug":"snowflake-credentials","secret_fields":["password","private_key",)"
     R"("private_key_passphrase","token"],"block_schema_references":{}})",
     "", "0.27.3"},
    {"Database Credentials", "database-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "fb3f4debabcda1c5a3aeea4f5b3f94c28845e23e-250x250.png",
     "https://prefecthq.github.io/prefect-sqlalchemy/credentials/#"
     "prefect_sqlalchemy.credentials.DatabaseCredentials",
     "Holds the driver and connection details of a SQLAlchemy database.",
     "```python\nfrom prefect_sqlalchemy import DatabaseCredentials\n"
     "\nblock = DatabaseCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"DatabaseCredentials","description":"Holds the driver and connection )"
     R"(details of a SQLAlchemy database.","type":"object","properties":{"driver":{"title":)"
     R"("Driver","anyOf":[{"$ref":"#/definitions/AsyncDriver"},{"$ref":"#/definitions/)"
     R"(SyncDriver"},{"type":"string"}]},"username":{"title":"Username","type":"string"},)"
     R"("password":{"title":"Password","type":"string","writeOnly":true,"format":)"
     R"("password"},"database":{"title":"Database","type":"string"},"host":{"title":"Host",)"
     R"("type":"string"},"port":{"title":"Port","type":"string"},"query":{"title":"Query",)"
     R"("type":"object","additionalProperties":{"type":"string"}},"url":{"title":"Url",)"
     R"("minLength":1,"maxLength":65536,"format":"uri","type":"string"},"connect_args":{)"
     R"("title":"Connect Args","type":"object"}},"block_type_slug":"database-credentials",)"
     R"("secret_fields":["password"],"block_schema_references":{},"definitions":{)"
     R"("AsyncDriver":{"title":"AsyncDriver","enum":["postgresql+asyncpg",)"
     R"("sqlite+aiosqlite","mysql+asyncmy","mysql+aiomysql"]},"SyncDriver":{"title":)"
     R"("SyncDriver","enum":["postgresql+psycopg2","postgresql+pg8000",)"
     R"("postgresql+psycopg2cffi","postgresql+pypostgresql","postgresql+pygresql",)"
     R"("mysql+mysqldb","mysql+pymysql","mysql+mysqlconnector","mysql+cymysql",)"
     R"("mysql+oursql","mysql+pyodbc","sqlite+pysqlite","sqlite+pysqlcipher",)"
     R"("oracle+cx_oracle","mssql+pyodbc","mssql+mxodbc","mssql+pymssql"]}}})",
     "", "0.4.0"},
    {"SQLAlchemy Connector", "sqlalchemy-connector",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "3c7dff04f70aaf4528e184a3b028f9e40b98d68c-250x250.png",
     "https://prefecthq.github.io/prefect-sqlalchemy/database/#"
     "prefect_sqlalchemy.database.SqlAlchemyConnector",
     "Runs queries against a database through SQLAlchemy.",
     "```python\nfrom prefect_sqlalchemy import SqlAlchemyConnector\n"
     "\nblock = SqlAlchemyConnector.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"SqlAlchemyConnector","description":"Runs queries against a database )"
     R"(through SQLAlchemy.","type":"object","properties":{"connection_info":{"title":)"
     R"("Connection Info","anyOf":[{"$ref":"#/definitions/ConnectionComponents"},{"type":)"
     R"("string","minLength":1,"maxLength":65536,"format":"uri"}]},"connect_args":{"title":)"
     R"("Additional Connection Arguments","type":"object"},"fetch_size":{"title":"Fetch )"
     R"(Size","default":1,"type":"integer"}},"required":["connection_info"],)"
     R"("block_type_slug":"sqlalchemy-connector","secret_fields":[)"
     R"("connection_info.password"],"block_schema_references":{},"definitions":{)"
     R"("AsyncDriver":{"title":"AsyncDriver","enum":["postgresql+asyncpg",)"
     R"("sqlite+aiosqlite","mysql+asyncmy","mysql+aiomysql"]},"SyncDriver":{"title":)"
     R"("SyncDriver","enum":["postgresql+psycopg2","postgresql+pg8000",)"
     R"("postgresql+psycopg2cffi","postgresql+pypostgresql","postgresql+pygresql",)"
     R"("mysql+mysqldb","mysql+pymysql","mysql+mysqlconnector","mysql+cymysql",)"
     R"("mysql+oursql","mysql+pyodbc","sqlite+pysqlite","sqlite+pysqlcipher",)"
     R"("oracle+cx_oracle","mssql+pyodbc","mssql+mxodbc","mssql+pymssql"]},)"
     R"("ConnectionComponents":{"title":"ConnectionComponents","type":"object","properties":)"
     R"({"driver":{"title":"Driver","anyOf":[{"$ref":"#/definitions/AsyncDriver"},{"$ref":"#)"
     R"(/definitions/SyncDriver"},{"type":"string"}]},"database":{"title":"Database","type":)"
     R"("string"},"username":{"title":"Username","type":"string"},"password":{"title":)"
     R"("Password","type":"string","writeOnly":true,"format":"password"},"host":{"title":)"
     R"("Host","type":"string"},"port":{"title":"Port","type":"string"},"query":{"title":)"
     R"("Query","type":"object","additionalProperties":{"type":"string"}}},"required":[)"
     R"("driver","database"]}}})",
     "", "0.4.0"},
};

}  // namespace

std::span<const BlockData> collection_blocks_kubernetes_to_sqlalchemy() { return kBlocks; }

}  // namespace prefectcore::models::data
