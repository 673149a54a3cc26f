// The block types of prefect-aws, prefect-azure, prefect-bitbucket and prefect-databricks
// (upstream collection_blocks_data.json), in upstream's order. Structure only: our own
// one-sentence descriptions and code examples, no per-field descriptions or examples
// (docs/blocks.md, "System block types").

#include "lib/models/data/block_data.h"

namespace prefectcore::models::data {
namespace {

constexpr BlockData kBlocks[] = {
    {"AWS Credentials", "aws-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "d74b16fe84ce626345adf235a47008fea2869a60-225x225.png",
     "https://prefecthq.github.io/prefect-aws/credentials/#"
     "prefect_aws.credentials.AwsCredentials",
     "Holds AWS access keys, a profile or region, and boto3 client options.",
     "```python\nfrom prefect_aws import AwsCredentials\n"
     "\nblock = AwsCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"AwsCredentials","description":"Holds AWS access keys, a profile or region,)"
     R"( and boto3 client options.","type":"object","properties":{"aws_access_key_id":{)"
     R"("title":"AWS Access Key ID","type":"string"},"aws_secret_access_key":{"title":"AWS )"
     R"(Access Key Secret","type":"string","writeOnly":true,"format":"password"},)"
     R"("aws_session_token":{"title":"AWS Session Token","type":"string"},"profile_name":{)"
     R"("title":"Profile Name","type":"string"},"region_name":{"title":"Region Name","type":)"
     R"("string"},"aws_client_parameters":{"title":"AWS Client Parameters","allOf":[{"$ref":)"
     R"("#/definitions/AwsClientParameters"}]}},"block_type_slug":"aws-credentials",)"
     R"("secret_fields":["aws_secret_access_key"],"block_schema_references":{},)"
     R"("definitions":{"AwsClientParameters":{"title":"AwsClientParameters","type":"object",)"
     R"("properties":{"api_version":{"title":"API Version","type":"string"},"use_ssl":{)"
     R"("title":"Use SSL","default":true,"type":"boolean"},"verify":{"title":"Verify",)"
     R"("default":true,"anyOf":[{"type":"boolean"},{"type":"string","format":"file-path"}]},)"
     R"("verify_cert_path":{"title":"Certificate Authority Bundle File Path","format":)"
     R"("file-path","type":"string"},"endpoint_url":{"title":"Endpoint URL","type":)"
     R"("string"},"config":{"title":"Botocore Config","type":"object"}}}}})",
     "", "0.4.14"},
    {"AWS Secret", "aws-secret",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "d74b16fe84ce626345adf235a47008fea2869a60-225x225.png",
     "https://prefecthq.github.io/prefect-aws/secrets_manager/#"
     "prefect_aws.secrets_manager.AwsSecret",
     "Reads and writes one secret kept in AWS Secrets Manager.",
     "```python\nfrom prefect_aws.secrets_manager import AwsSecret\n"
     "\nblock = AwsSecret.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"AwsSecret","description":"Reads and writes one secret kept in AWS Secrets )"
     R"(Manager.","type":"object","properties":{"aws_credentials":{"$ref":"#/definitions/)"
     R"(AwsCredentials"},"secret_name":{"title":"Secret Name","type":"string"}},"required":[)"
     R"("aws_credentials","secret_name"],"block_type_slug":"aws-secret","secret_fields":[)"
     R"("aws_credentials.aws_secret_access_key"],"block_schema_references":{)"
     R"("aws_credentials":{"block_type_slug":"aws-credentials","block_schema_checksum":)"
     R"("sha256:2f4efdffedf7323004c3935f3251e5698852939fe1b919ef50be29b8950a5711"}},)"
     R"("definitions":{"AwsClientParameters":{"title":"AwsClientParameters","type":"object",)"
     R"("properties":{"api_version":{"title":"API Version","type":"string"},"use_ssl":{)"
     R"("title":"Use SSL","default":true,"type":"boolean"},"verify":{"title":"Verify",)"
     R"("default":true,"anyOf":[{"type":"boolean"},{"type":"string","format":"file-path"}]},)"
     R"("verify_cert_path":{"title":"Certificate Authority Bundle File Path","format":)"
     R"("file-path","type":"string"},"endpoint_url":{"title":"Endpoint URL","type":)"
     R"("string"},"config":{"title":"Botocore Config","type":"object"}}},"AwsCredentials":{)"
     R"("title":"AwsCredentials","description":"Holds AWS access keys, a profile or region, )"
     R"(and boto3 client options.","type":"object","properties":{"aws_access_key_id":{)"
     R"("title":"AWS Access Key ID","type":"string"},"aws_secret_access_key":{"title":"AWS )"
     R"(Access Key Secret","type":"string","writeOnly":true,"format":"password"},)"
     R"("aws_session_token":{"title":"AWS Session Token","type":"string"},"profile_name":{)"
     R"("title":"Profile Name","type":"string"},"region_name":{"title":"Region Name","type":)"
     R"("string"},"aws_client_parameters":{"title":"AWS Client Parameters","allOf":[{"$ref":)"
     R"("#/definitions/AwsClientParameters"}]}},"block_type_slug":"aws-credentials",)"
     R"("secret_fields":["aws_secret_access_key"],"block_schema_references":{}}}})",
     "", "0.4.14"},
    {"Lambda Function", "lambda-function",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "d74b16fe84ce626345adf235a47008fea2869a60-225x225.png",
     "https://prefecthq.github.io/prefect-aws/s3/#"
     "prefect_aws.lambda_function.LambdaFunction",
     "Invokes an AWS Lambda function, optionally a given version or alias.",
     "```python\nfrom prefect_aws.lambda_function import LambdaFunction\n"
     "\nblock = LambdaFunction.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"LambdaFunction","description":"Invokes an AWS Lambda function, optionally )"
     R"(a given version or alias.","type":"object","properties":{"function_name":{"title":)"
     R"("Function Name","type":"string"},"qualifier":{"title":"Qualifier","type":"string"},)"
     R"("aws_credentials":{"title":"AWS Credentials","allOf":[{"$ref":"#/definitions/)"
     R"(AwsCredentials"}]}},"required":["function_name"],"block_type_slug":)"
     R"("lambda-function","secret_fields":["aws_credentials.aws_secret_access_key"],)"
     R"("block_schema_references":{"aws_credentials":{"block_type_slug":"aws-credentials",)"
     R"("block_schema_checksum":"sha256:2f4efdffedf7323004c3935f3251e5698852939fe1b919ef50be)"
     R"(29b8950a5711"}},"definitions":{"AwsClientParameters":{"title":"AwsClientParameters",)"
     R"("type":"object","properties":{"api_version":{"title":"API Version","type":"string"},)"
     R"("use_ssl":{"title":"Use SSL","default":true,"type":"boolean"},"verify":{"title":)"
     R"("Verify","default":true,"anyOf":[{"type":"boolean"},{"type":"string","format":)"
     R"("file-path"}]},"verify_cert_path":{"title":"Certificate Authority Bundle File Path",)"
     R"("format":"file-path","type":"string"},"endpoint_url":{"title":"Endpoint URL","type":)"
     R"("string"},"config":{"title":"Botocore Config","type":"object"}}},"AwsCredentials":{)"
     R"("title":"AwsCredentials","description":"Holds AWS access keys, a profile or region, )"
     R"(and boto3 client options.","type":"object","properties":{"aws_access_key_id":{)"
     R"("title":"AWS Access Key ID","type":"string"},"aws_secret_access_key":{"title":"AWS )"
     R"(Access Key Secret","type":"string","writeOnly":true,"format":"password"},)"
     R"("aws_session_token":{"title":"AWS Session Token","type":"string"},"profile_name":{)"
     R"("title":"Profile Name","type":"string"},"region_name":{"title":"Region Name","type":)"
     R"("string"},"aws_client_parameters":{"title":"AWS Client Parameters","allOf":[{"$ref":)"
     R"("#/definitions/AwsClientParameters"}]}},"block_type_slug":"aws-credentials",)"
     R"("secret_fields":["aws_secret_access_key"],"block_schema_references":{}}}})",
     "", "0.4.14"},
    {"MinIO Credentials", "minio-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "676cb17bcbdff601f97e0a02ff8bcb480e91ff40-250x250.png",
     "https://prefecthq.github.io/prefect-aws/credentials/#"
     "prefect_aws.credentials.MinIOCredentials",
     "Holds the root user and password of a MinIO server.",
     "```python\nfrom prefect_aws import MinIOCredentials\n"
     "\nblock = MinIOCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"MinIOCredentials","description":"Holds the root user and password of a )"
     R"(MinIO server.","type":"object","properties":{"minio_root_user":{"title":"Minio Root )"
     R"(User","type":"string"},"minio_root_password":{"title":"Minio Root Password","type":)"
     R"("string","writeOnly":true,"format":"password"},"region_name":{"title":"Region Name",)"
     R"("type":"string"},"aws_client_parameters":{"title":"Aws Client Parameters","allOf":[{)"
     R"("$ref":"#/definitions/AwsClientParameters"}]}},"required":["minio_root_user",)"
     R"("minio_root_password"],"block_type_slug":"minio-credentials","secret_fields":[)"
     R"("minio_root_password"],"block_schema_references":{},"definitions":{)"
     R"("AwsClientParameters":{"title":"AwsClientParameters","type":"object","properties":{)"
     R"("api_version":{"title":"API Version","type":"string"},"use_ssl":{"title":"Use SSL",)"
     R"("default":true,"type":"boolean"},"verify":{"title":"Verify","default":true,"anyOf":[)"
     R"({"type":"boolean"},{"type":"string","format":"file-path"}]},"verify_cert_path":{)"
     R"("title":"Certificate Authority Bundle File Path","format":"file-path","type":)"
     R"("string"},"endpoint_url":{"title":"Endpoint URL","type":"string"},"config":{"title":)"
     R"("Botocore Config","type":"object"}}}}})",
     "", "0.4.14"},
    {"S3 Bucket", "s3-bucket",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "d74b16fe84ce626345adf235a47008fea2869a60-225x225.png",
     "https://prefecthq.github.io/prefect-aws/s3/#prefect_aws.s3.S3Bucket",
     "Reads and writes files in an Amazon S3 bucket.",
     "```python\nfrom prefect_aws.s3 import S3Bucket\n"
     "\nblock = S3Bucket.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"S3Bucket","description":"Reads and writes files in an Amazon S3 bucket.",)"
     R"("type":"object","properties":{"bucket_name":{"title":"Bucket Name","type":"string"},)"
     R"("credentials":{"title":"Credentials","anyOf":[{"$ref":"#/definitions/)"
     R"(MinIOCredentials"},{"$ref":"#/definitions/AwsCredentials"}]},"bucket_folder":{)"
     R"("title":"Bucket Folder","default":"","type":"string"}},"required":["bucket_name"],)"
     R"("block_type_slug":"s3-bucket","secret_fields":["credentials.minio_root_password",)"
     R"("credentials.aws_secret_access_key"],"block_schema_references":{"credentials":[{)"
     R"("block_type_slug":"minio-credentials","block_schema_checksum":"sha256:)"
     R"(d2e3f50b8561da66d1ea174618c4f817f5fbb14b76cd8631af65db39363a93c4"},{)"
     R"("block_type_slug":"aws-credentials","block_schema_checksum":"sha256:)"
     R"(2f4efdffedf7323004c3935f3251e5698852939fe1b919ef50be29b8950a5711"}]},"definitions":{)"
     R"("AwsClientParameters":{"title":"AwsClientParameters","type":"object","properties":{)"
     R"("api_version":{"title":"API Version","type":"string"},"use_ssl":{"title":"Use SSL",)"
     R"("default":true,"type":"boolean"},"verify":{"title":"Verify","default":true,"anyOf":[)"
     R"({"type":"boolean"},{"type":"string","format":"file-path"}]},"verify_cert_path":{)"
     R"("title":"Certificate Authority Bundle File Path","format":"file-path","type":)"
     R"("string"},"endpoint_url":{"title":"Endpoint URL","type":"string"},"config":{"title":)"
     R"("Botocore Config","type":"object"}}},"MinIOCredentials":{"title":"MinIOCredentials",)"
     R"("description":"Holds the root user and password of a MinIO server.","type":"object",)"
     R"("properties":{"minio_root_user":{"title":"Minio Root User","type":"string"},)"
     R"("minio_root_password":{"title":"Minio Root Password","type":"string","writeOnly":)"
     R"(true,"format":"password"},"region_name":{"title":"Region Name","type":"string"},)"
     R"("aws_client_parameters":{"title":"Aws Client Parameters","allOf":[{"$ref":"#/)"
     R"(definitions/AwsClientParameters"}]}},"required":["minio_root_user",)"
     R"("minio_root_password"],"block_type_slug":"minio-credentials","secret_fields":[)"
     R"("minio_root_password"],"block_schema_references":{}},"AwsCredentials":{"title":)"
     R"("AwsCredentials","description":"Holds AWS access keys, a profile or region, and )"
     R"(boto3 client options.","type":"object","properties":{"aws_access_key_id":{"title":)"
     R"("AWS Access Key ID","type":"string"},"aws_secret_access_key":{"title":"AWS Access )"
     R"(Key Secret","type":"string","writeOnly":true,"format":"password"},)"
     R"("aws_session_token":{"title":"AWS Session Token","type":"string"},"profile_name":{)"
     R"("title":"Profile Name","type":"string"},"region_name":{"title":"Region Name","type":)"
     R"("string"},"aws_client_parameters":{"title":"AWS Client Parameters","allOf":[{"$ref":)"
     R"("#/definitions/AwsClientParameters"}]}},"block_type_slug":"aws-credentials",)"
     R"("secret_fields":["aws_secret_access_key"],"block_schema_references":{}}}})",
     "get-directory,put-directory,read-path,write-path", "0.4.14"},
    {"Azure Blob Storage Container", "azure-blob-storage-container",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "54e3fa7e00197a4fbd1d82ed62494cb58d08c96a-250x250.png",
     "https://prefecthq.github.io/prefect-azure/blob_storage/#"
     "prefect_azure.blob_storabe.AzureBlobStorageContainer",
     "Reads and writes files in an Azure Blob Storage container.",
     "```python\nfrom prefect_azure.blob_storage import AzureBlobStorageContainer\n"
     "\nblock = AzureBlobStorageContainer.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"AzureBlobStorageContainer","description":"Reads and writes files in an )"
     R"(Azure Blob Storage container.","type":"object","properties":{"container_name":{)"
     R"("title":"Container Name","type":"string"},"credentials":{"title":"Credentials",)"
     R"("allOf":[{"$ref":"#/definitions/AzureBlobStorageCredentials"}]},"base_folder":{)"
     R"("title":"Base Folder","type":"string"}},"required":["container_name"],)"
     R"("block_type_slug":"azure-blob-storage-container","secret_fields":[)"
     R"("credentials.connection_string"],"block_schema_references":{"credentials":{)"
     R"("block_type_slug":"azure-blob-storage-credentials","block_schema_checksum":"sha256:)"
     R"(dc9b1c3fea3d925d95d72044caee3cf67eeb53f24b7e7d1382d3b7133220699c"}},"definitions":{)"
     R"("AzureBlobStorageCredentials":{"title":"AzureBlobStorageCredentials","description":)"
     R"("Holds a connection string or account URL for Azure Blob Storage.","type":"object",)"
     R"("properties":{"connection_string":{"title":"Connection String","type":"string",)"
     R"("writeOnly":true,"format":"password"},"account_url":{"title":"Account URL","type":)"
     R"("string"}},"block_type_slug":"azure-blob-storage-credentials","secret_fields":[)"
     R"("connection_string"],"block_schema_references":{}}}})",
     "get-directory,put-directory,read-path,write-path", "0.3.7"},
    {"Azure Blob Storage Credentials", "azure-blob-storage-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "54e3fa7e00197a4fbd1d82ed62494cb58d08c96a-250x250.png",
     "https://prefecthq.github.io/prefect-azure/credentials/#"
     "prefect_azure.credentials.AzureBlobStorageCredentials",
     "Holds a connection string or account URL for Azure Blob Storage.",
     "```python\nfrom prefect_azure import AzureBlobStorageCredentials\n"
     "\nblock = AzureBlobStorageCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"AzureBlobStorageCredentials","description":"Holds a connection string or )"
     R"(account URL for Azure Blob Storage.","type":"object","properties":{)"
     R"("connection_string":{"title":"Connection String","type":"string","writeOnly":true,)"
     R"("format":"password"},"account_url":{"title":"Account URL","type":"string"}},)"
     R"("block_type_slug":"azure-blob-storage-credentials","secret_fields":[)"
     R"("connection_string"],"block_schema_references":{}})",
     "", "0.3.7"},
    {"Azure Container Instance Credentials", "azure-container-instance-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "54e3fa7e00197a4fbd1d82ed62494cb58d08c96a-250x250.png",
     "https://prefecthq.github.io/prefect-azure/credentials/#"
     "prefect_azure.credentials.AzureContainerInstanceCredentials",
     "Holds the service principal used for Azure Container Instances.",
     "```python\nfrom prefect_azure.credentials import AzureContainerInstanceCredentials\n"
     "\nblock = AzureContainerInstanceCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"AzureContainerInstanceCredentials","description":"Holds the service )"
     R"(principal used for Azure Container Instances.","type":"object","properties":{)"
     R"("client_id":{"title":"Client ID","type":"string"},"tenant_id":{"title":"Tenant ID",)"
     R"("type":"string"},"client_secret":{"title":"Client Secret","type":"string",)"
     R"("writeOnly":true,"format":"password"},"credential_kwargs":{"title":"Additional )"
     R"(Credential Keyword Arguments","type":"object"}},"block_type_slug":)"
     R"("azure-container-instance-credentials","secret_fields":["client_secret"],)"
     R"("block_schema_references":{}})",
     "", "0.3.7"},
    {"Azure Cosmos DB Credentials", "azure-cosmos-db-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "54e3fa7e00197a4fbd1d82ed62494cb58d08c96a-250x250.png",
     "https://prefecthq.github.io/prefect-azure/credentials/#"
     "prefect_azure.credentials.AzureCosmosDbCredentials",
     "Holds the connection string of an Azure Cosmos DB account.",
     "```python\nfrom prefect_azure import AzureCosmosDbCredentials\n"
     "\nblock = AzureCosmosDbCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"AzureCosmosDbCredentials","description":"Holds the connection string of )"
     R"(an Azure Cosmos DB account.","type":"object","properties":{"connection_string":{)"
     R"("title":"Connection String","type":"string","writeOnly":true,"format":"password"}},)"
     R"("required":["connection_string"],"block_type_slug":"azure-cosmos-db-credentials",)"
     R"("secret_fields":["connection_string"],"block_schema_references":{}})",
     "", "0.3.7"},
    {"AzureML Credentials", "azureml-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "54e3fa7e00197a4fbd1d82ed62494cb58d08c96a-250x250.png",
     "https://prefecthq.github.io/prefect-azure/credentials/#"
     "prefect_azure.credentials.AzureMlCredentials",
     "Holds the service principal and workspace of Azure Machine Learning.",
     "```python\nfrom prefect_azure import AzureMlCredentials\n"
     "\nblock = AzureMlCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"AzureMlCredentials","description":"Holds the service principal and )"
     R"(workspace of Azure Machine Learning.","type":"object","properties":{"tenant_id":{)"
     R"("title":"Tenant Id","type":"string"},"service_principal_id":{"title":"Service )"
     R"(Principal Id","type":"string"},"service_principal_password":{"title":"Service )"
     R"(Principal Password","type":"string","writeOnly":true,"format":"password"},)"
     R"("subscription_id":{"title":"Subscription Id","type":"string"},"resource_group":{)"
     R"("title":"Resource Group","type":"string"},"workspace_name":{"title":"Workspace )"
     R"(Name","type":"string"}},"required":["tenant_id","service_principal_id",)"
     R"("service_principal_password","subscription_id","resource_group","workspace_name"],)"
     R"("block_type_slug":"azureml-credentials","secret_fields":[)"
     R"("service_principal_password"],"block_schema_references":{}})",
     "", "0.3.7"},
    {"BitBucket Credentials", "bitbucket-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "5d729f7355fb6828c4b605268ded9cfafab3ae4f-250x250.png",
     nullptr, "Holds a BitBucket token or user name and password.",
     "```python\nfrom prefect_bitbucket import BitBucketCredentials\n"
     "\nblock = BitBucketCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"BitBucketCredentials","description":"Holds a BitBucket token or user name )"
     R"(and password.","type":"object","properties":{"token":{"title":"Token","name":)"
     R"("Personal Access Token","type":"string","writeOnly":true,"format":"password"},)"
     R"("username":{"title":"Username","type":"string"},"password":{"title":"Password",)"
     R"("type":"string","writeOnly":true,"format":"password"},"url":{"title":"URL",)"
     R"("default":"https://api.bitbucket.org/","type":"string"}},"block_type_slug":)"
     R"("bitbucket-credentials","secret_fields":["token","password"],)"
     R"("block_schema_references":{}})",
     "", "0.2.2"},
    {"BitBucket Repository", "bitbucket-repository",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "5d729f7355fb6828c4b605268ded9cfafab3ae4f-250x250.png",
     nullptr, "Clones a BitBucket repository to use as deployment storage.",
     "```python\nfrom prefect_bitbucket.repository import BitBucketRepository\n"
     "\nblock = BitBucketRepository.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"BitBucketRepository","description":"Clones a BitBucket repository to use )"
     R"(as deployment storage.","type":"object","properties":{"repository":{"title":)"
     R"("Repository","type":"string"},"reference":{"title":"Reference","type":"string"},)"
     R"("bitbucket_credentials":{"title":"Bitbucket Credentials","allOf":[{"$ref":"#/)"
     R"(definitions/BitBucketCredentials"}]}},"required":["repository"],"block_type_slug":)"
     R"("bitbucket-repository","secret_fields":["bitbucket_credentials.token",)"
     R"("bitbucket_credentials.password"],"block_schema_references":{)"
     R"("bitbucket_credentials":{"block_type_slug":"bitbucket-credentials",)"
     R"("block_schema_checksum":"sha256:bc97f297635cdfed23d28fa0a131810fdd06c3c34be55840be49)"
     R"(075ec0665536"}},"definitions":{"BitBucketCredentials":{"title":)"
     R"("BitBucketCredentials","description":"Holds a BitBucket token or user name and )"
     R"(password.","type":"object","properties":{"token":{"title":"Token","name":"Personal )"
     R"(Access Token","type":"string","writeOnly":true,"format":"password"},"username":{)"
     R"("title":"Username","type":"string"},"password":{"title":"Password","type":"string",)"
     R"("writeOnly":true,"format":"password"},"url":{"title":"URL","default":"https://)"
     R"(api.bitbucket.org/","type":"string"}},"block_type_slug":"bitbucket-credentials",)"
     R"("secret_fields":["token","password"],"block_schema_references":{}}}})",
     "get-directory", "0.2.2"},
    {"Databricks Credentials", "databricks-credentials",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "ff9a2573c23954bedd27b0f420465a55b1a99dfd-250x250.png",
     "https://prefecthq.github.io/prefect-databricks/credentials/#"
     "prefect_databricks.credentials.DatabricksCredentials",
     "Holds the workspace host and token for the Databricks API.",
     "```python\nfrom prefect_databricks import DatabricksCredentials\n"
     "\nblock = DatabricksCredentials.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"DatabricksCredentials","description":"Holds the workspace host and token )"
     R"(for the Databricks API.","type":"object","properties":{"databricks_instance":{)"
     R"("title":"Databricks Instance","type":"string"},"token":{"title":"Token","type":)"
     R"("string","writeOnly":true,"format":"password"},"client_kwargs":{"title":"Client )"
     R"(Kwargs","type":"object"}},"required":["databricks_instance","token"],)"
     R"("block_type_slug":"databricks-credentials","secret_fields":["token"],)"
     R"("block_schema_references":{}})",
     "", "0.2.3"},
};

}  // namespace

std::span<const BlockData> collection_blocks_aws_to_databricks() { return kBlocks; }

}  // namespace prefectcore::models::data
