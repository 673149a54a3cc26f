// prefect.filesystems RemoteFileSystem and SMB as prefect 3.8.4 describes them
// (Block._to_block_type, model_json_schema): registered, not protected.

#include "lib/models/data/block_data.h"

namespace prefectcore::models::data {
namespace {

constexpr BlockData kFileSystemBlocks[] = {
    {"Remote File System", "remote-file-system",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "e86b41bc0f9c99ba9489abeee83433b43d5c9365-48x48.png",
     "https://docs.prefect.io/latest/develop/results#specifying-a-default-filesystem",
     "Store data as a file on a remote file system.\n"
     "\nSupports any remote file system supported by `fsspec`. The file system is "
     "specified\nusing a protocol. For example, \"s3://my-bucket/my-folder/\" will use S3.",
     "Load stored remote file system config:\n"
     "```python\nfrom prefect.filesystems import RemoteFileSystem\n"
     "\nremote_file_system_block = RemoteFileSystem.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"RemoteFileSystem","description":"Store data as a file on a remote file )"
     R"(system.\n\nSupports any remote file system supported by `fsspec`. The file system is )"
     R"(specified\nusing a protocol. For example, \"s3://my-bucket/my-folder/\" will use )"
     R"(S3.","type":"object","properties":{"basepath":{"title":"Basepath","description":)"
     R"("Default path for this block to write to.","examples":["s3://my-bucket/my-folder/"],)"
     R"("type":"string","position":0},"settings":{"title":"Settings","description":)"
     R"("Additional settings to pass through to fsspec.","type":"object","position":1}},)"
     R"("required":["basepath"],"block_type_slug":"remote-file-system","secret_fields":[],)"
     R"("block_schema_references":{}})",
     "get-directory,put-directory,read-path,write-path", kCoreBlockVersion},
    {"SMB", "smb",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "3f624663f7beb97d011d011bffd51ecf6c499efc-195x195.png",
     "https://docs.prefect.io/latest/develop/results#specifying-a-default-filesystem",
     "Store data as a file on a SMB share.",
     "Load stored SMB config:\n"
     "\n```python\nfrom prefect.filesystems import SMB\n"
     "smb_block = SMB.load(\"BLOCK_NAME\")\n"
     "```",
     R"({"title":"SMB","description":"Store data as a file on a SMB share.","type":"object",)"
     R"("properties":{"share_path":{"title":"Share Path","description":"SMB target )"
     R"((requires <SHARE>, followed by <PATH>).","examples":["/SHARE/dir/subdir"],"type":)"
     R"("string","position":0},"smb_username":{"title":"SMB Username","description":)"
     R"("Username with access to the target SMB SHARE.","anyOf":[{"format":"password",)"
     R"("type":"string","writeOnly":true},{"type":"null"}],"default":null,"position":1},)"
     R"("smb_password":{"title":"SMB Password","description":"Password for SMB access.",)"
     R"("anyOf":[{"format":"password","type":"string","writeOnly":true},{"type":"null"}],)"
     R"("default":null,"position":2},"smb_host":{"title":"SMB server/hostname",)"
     R"("description":"SMB server/hostname.","type":"string","position":3},"smb_port":{)"
     R"("title":"SMB port","description":"SMB port (default: 445).","anyOf":[{"type":)"
     R"("integer"},{"type":"null"}],"default":null,"position":4}},"required":["share_path",)"
     R"("smb_host"],"block_type_slug":"smb","secret_fields":["smb_username","smb_password"],)"
     R"("block_schema_references":{}})",
     "get-directory,put-directory,read-path,write-path", kCoreBlockVersion},
};

}  // namespace

std::span<const BlockData> file_system_blocks() { return kFileSystemBlocks; }

}  // namespace prefectcore::models::data
