// The protected system block types (upstream _install_protected_system_blocks: Webhook,
// Secret, LocalFileSystem) as prefect 3.8.4 describes them, written out by hand.

#include "lib/models/data/block_data.h"

namespace prefectcore::models::data {
namespace {

constexpr BlockData kProtectedBlocks[] = {
    {"Webhook", "webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "c7247cb359eb6cf276734d4b1fbf00fb8930e89e-250x250.png",
     "https://docs.prefect.io/latest/automate/events/webhook-triggers",
     "Block that enables calling webhooks.",
     "```python\nfrom prefect.blocks.webhook import Webhook\n\nwebhook_block = "
     "Webhook.load(\"BLOCK_NAME\")\n```",
     R"({"title":"Webhook","description":"Block that enables calling webhooks.","type":"object",)"
     R"("properties":{"method":{"title":"Method","description":"The webhook request method. )"
     R"(Defaults to `POST`.","default":"POST","enum":["GET","POST","PUT","PATCH","DELETE"],)"
     R"("type":"string","position":0},"url":{"title":"Webhook URL","description":"The webhook )"
     R"(URL.","examples":["https://hooks.slack.com/XXX"],"type":"string","writeOnly":true,)"
     R"("format":"password","position":1},"headers":{"title":"Webhook Headers","description":)"
     R"("A dictionary of headers to send with the webhook request.","type":"object","position":2},)"
     R"("allow_private_urls":{"title":"Allow Private Urls","description":"Whether to allow )"
     R"(notifications to private URLs. Defaults to True.","default":true,"type":"boolean",)"
     R"("position":3},"verify":{"title":"Verify","description":"Whether or not to enforce a )"
     R"(secure connection to the webhook.","default":true,"type":"boolean","position":4}},)"
     R"("required":["url"],"block_type_slug":"webhook","secret_fields":["url","headers.*"],)"
     R"("block_schema_references":{}})",
     "", kCoreBlockVersion},
    {"Secret", "secret",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "c6f20e556dd16effda9df16551feecfb5822092b-48x48.png",
     "https://docs.prefect.io/latest/develop/blocks",
     "A block that represents a secret value. The value stored in this block will be "
     "obfuscated when this block is viewed or edited in the UI.",
     "```python\nfrom prefect.blocks.system import Secret\n\nSecret(value=\"sk-1234567890\")"
     ".save(\"BLOCK_NAME\", overwrite=True)\n\nsecret_block = Secret.load(\"BLOCK_NAME\")\n\n"
     "# Access the stored secret\nsecret_block.get()\n```",
     R"({"title":"Secret","description":"A block that represents a secret value. The value )"
     R"(stored in this block will be obfuscated when this block is viewed or edited in the )"
     R"(UI.","type":"object","properties":{"value":{"title":"Value","description":"A value )"
     R"(that should be kept secret.","examples":["sk-1234567890",{"username":"johndoe",)"
     R"("password":"s3cr3t"}],"anyOf":[{"type":"string","writeOnly":true,"format":"password"},)"
     R"({"type":"object"},{"type":"array"},{"type":"string"},{"type":"integer"},)"
     R"({"type":"number"},{"type":"boolean"}],"writeOnly":true,"format":"password",)"
     R"("position":0}},"required":["value"],"block_type_slug":"secret",)"
     R"("secret_fields":["value"],"block_schema_references":{}})",
     "", kCoreBlockVersion},
    {"Local File System", "local-file-system",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "ad39089fa66d273b943394a68f003f7a19aa850e-48x48.png",
     "https://docs.prefect.io/latest/develop/results#specifying-a-default-filesystem",
     "Store data as a file on a local file system.",
     "Load stored local file system config:\n```python\nfrom prefect.filesystems import "
     "LocalFileSystem\n\nlocal_file_system_block = LocalFileSystem.load(\"BLOCK_NAME\")\n```",
     R"({"title":"LocalFileSystem","description":"Store data as a file on a local file )"
     R"(system.","type":"object","properties":{"basepath":{"title":"Basepath","description":)"
     R"("Default local path for this block to write to.","anyOf":[{"type":"string"},)"
     R"({"type":"null"}],"default":null,"position":0}},"block_type_slug":"local-file-system",)"
     R"("secret_fields":[],"block_schema_references":{}})",
     "get-directory,put-directory,read-path,write-path", kCoreBlockVersion},
};

}  // namespace

std::span<const BlockData> protected_blocks() { return kProtectedBlocks; }

}  // namespace prefectcore::models::data
