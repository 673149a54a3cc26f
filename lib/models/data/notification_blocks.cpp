// The notification blocks of prefect.blocks.notifications as prefect 3.8.4 describes
// them (Block._to_block_type, model_json_schema): registered, not protected.

#include "lib/models/data/block_data.h"

namespace prefectcore::models::data {
namespace {

constexpr BlockData kNotificationBlocks[] = {
    {"Slack Webhook", "slack-webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "c1965ecbf8704ee1ea20d77786de9a41ce1087d1-500x500.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via a provided Slack webhook.\n"
     "\nSupports both standard Slack webhooks (hooks.slack.com) and Slack GovCloud\n"
     "webhooks (hooks.slack-gov.com).",
     "Load a saved Slack webhook and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import SlackWebhook\n"
     "\nslack_webhook_block = SlackWebhook.load(\"BLOCK_NAME\")\n"
     "slack_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"SlackWebhook","description":"Enables sending notifications via a provided )"
     R"(Slack webhook.\n\nSupports both standard Slack webhooks (hooks.slack.com) and Slack )"
     R"(GovCloud\nwebhooks (hooks.slack-gov.com).","type":"object","properties":{)"
     R"("notify_type":{"title":"Notify Type","description":"The type of notification being )"
     R"(performed.","default":"info","enum":["info","success","warning","failure"],"type":)"
     R"("string","position":0},"url":{"title":"Webhook URL","description":"Slack incoming )"
     R"(webhook URL used to send notifications.","examples":["https://hooks.slack.com/XXX"],)"
     R"("format":"password","type":"string","writeOnly":true,"position":1},)"
     R"("allow_private_urls":{"title":"Allow Private Urls","description":"Whether to allow )"
     R"(notifications to private URLs. Defaults to True.","default":true,"type":"boolean",)"
     R"("position":2}},"required":["url"],"block_type_slug":"slack-webhook","secret_fields":)"
     R"(["url"],"block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Microsoft Teams Webhook", "ms-teams-webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "817efe008a57f0a24f3587414714b563e5e23658-250x250.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via a provided Microsoft Teams webhook.",
     "Load a saved Teams webhook and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import MicrosoftTeamsWebhook\n"
     "teams_webhook_block = MicrosoftTeamsWebhook.load(\"BLOCK_NAME\")\n"
     "teams_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"MicrosoftTeamsWebhook","description":"Enables sending notifications via a )"
     R"(provided Microsoft Teams webhook.","type":"object","properties":{"notify_type":{)"
     R"("title":"Notify Type","description":"The type of notification being performed.",)"
     R"("default":"info","enum":["info","success","warning","failure"],"type":"string",)"
     R"("position":0},"url":{"title":"Webhook URL","description":"The Microsoft Power )"
     R"(Automate (Workflows) URL used to send notifications to Teams.","examples":["https://)"
     R"(prod-NO.LOCATION.logic.azure.com:443/workflows/WFID/triggers/manual/paths/)"
     R"(invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGNATURE"],)"
     R"("format":"password","type":"string","writeOnly":true,"position":1},)"
     R"("allow_private_urls":{"title":"Allow Private Urls","description":"Whether to allow )"
     R"(notifications to private URLs. Defaults to True.","default":true,"type":"boolean",)"
     R"("position":2},"include_image":{"title":"Include Image","description":"Include an )"
     R"(image with the notification.","default":true,"type":"boolean","position":3},"wrap":{)"
     R"("title":"Wrap","description":"Wrap the notification text.","default":true,"type":)"
     R"("boolean","position":4}},"required":["url"],"block_type_slug":"ms-teams-webhook",)"
     R"("secret_fields":["url"],"block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Pager Duty Webhook", "pager-duty-webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "8dbf37d17089c1ce531708eac2e510801f7b3aee-250x250.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via a provided PagerDuty webhook.",
     "Load a saved PagerDuty webhook and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import PagerDutyWebHook\n"
     "pagerduty_webhook_block = PagerDutyWebHook.load(\"BLOCK_NAME\")\n"
     "pagerduty_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"PagerDutyWebHook","description":"Enables sending notifications via a )"
     R"(provided PagerDuty webhook.","type":"object","properties":{"notify_type":{"title":)"
     R"("Notify Type","description":"The severity of the notification.","default":"info",)"
     R"("enum":["info","success","warning","failure"],"type":"string","position":0},)"
     R"("integration_key":{"title":"Integration Key","description":"This can be found on )"
     R"(the Events API V2 integration's detail page, and is also referred to as a Routing )"
     R"(Key. This must be provided alongside `api_key`, but will error if provided )"
     R"(alongside `url`.","format":"password","type":"string","writeOnly":true,"position":)"
     R"(1},"api_key":{"title":"API Key","description":"This can be found under )"
     R"(Integrations. This must be provided alongside `integration_key`, but will error if )"
     R"(provided alongside `url`.","format":"password","type":"string","writeOnly":true,)"
     R"("position":2},"source":{"title":"Source","description":"The source string as part )"
     R"(of the payload.","anyOf":[{"type":"string"},{"type":"null"}],"default":"Prefect",)"
     R"("position":3},"component":{"title":"Component","description":"The component string )"
     R"(as part of the payload.","default":"Notification","type":"string","position":4},)"
     R"("group":{"title":"Group","description":"The group string as part of the payload.",)"
     R"("anyOf":[{"type":"string"},{"type":"null"}],"default":null,"position":5},"class_id":)"
     R"({"title":"Class ID","description":"The class string as part of the payload.",)"
     R"("anyOf":[{"type":"string"},{"type":"null"}],"default":null,"position":6},)"
     R"("region_name":{"title":"Region Name","description":"The region name.","default":)"
     R"("us","enum":["us","eu"],"type":"string","position":7},"clickable_url":{"title":)"
     R"("Clickable URL","description":"A clickable URL to associate with the notice.",)"
     R"("anyOf":[{"format":"uri","minLength":1,"type":"string"},{"type":"null"}],"default":)"
     R"(null,"position":8},"include_image":{"title":"Include Image","description":)"
     R"("Associate the notification status via a represented icon.","default":true,"type":)"
     R"("boolean","position":9},"custom_details":{"title":"Custom Details","description":)"
     R"("Additional details to include as part of the payload.","anyOf":[{)"
     R"("additionalProperties":{"type":"string"},"type":"object"},{"type":"null"}],)"
     R"("default":null,"examples":["{\"disk_space_left\": \"145GB\"}"],"position":10}},)"
     R"("required":["integration_key","api_key"],"block_type_slug":"pager-duty-webhook",)"
     R"("secret_fields":["integration_key","api_key"],"block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Twilio SMS", "twilio-sms",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "8bd8777999f82112c09b9c8d57083ac75a4a0d65-250x250.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via Twilio SMS.",
     "Load a saved `TwilioSMS` block and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import TwilioSMS\n"
     "twilio_webhook_block = TwilioSMS.load(\"BLOCK_NAME\")\n"
     "twilio_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"TwilioSMS","description":"Enables sending notifications via Twilio SMS.",)"
     R"("type":"object","properties":{"notify_type":{"title":"Notify Type","description":)"
     R"("The type of notification being performed.","default":"info","enum":["info",)"
     R"("success","warning","failure"],"type":"string","position":0},"account_sid":{"title":)"
     R"("Account Sid","description":"The Twilio Account SID - it can be found on the )"
     R"(homepage of the Twilio console.","type":"string","position":1},"auth_token":{)"
     R"("title":"Auth Token","description":"The Twilio Authentication Token - it can be )"
     R"(found on the homepage of the Twilio console.","format":"password","type":"string",)"
     R"("writeOnly":true,"position":2},"from_phone_number":{"title":"From Phone Number",)"
     R"("description":"The valid Twilio phone number to send the message from.","examples":[)"
     R"("18001234567"],"type":"string","position":3},"to_phone_numbers":{"title":"To Phone )"
     R"(Numbers","description":"A list of valid Twilio phone number(s) to send the message )"
     R"(to.","examples":["[\"18004242424\", \"18004242425\"]"],"items":{"type":"string"},)"
     R"("type":"array","position":4}},"required":["account_sid","auth_token",)"
     R"("from_phone_number","to_phone_numbers"],"block_type_slug":"twilio-sms",)"
     R"("secret_fields":["auth_token"],"block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Opsgenie Webhook", "opsgenie-webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "d8b5bc6244ae6cd83b62ec42f10d96e14d6e9113-280x280.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via a provided Opsgenie webhook.",
     "Load a saved Opsgenie webhook and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import OpsgenieWebhook\n"
     "opsgenie_webhook_block = OpsgenieWebhook.load(\"BLOCK_NAME\")\n"
     "opsgenie_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"OpsgenieWebhook","description":"Enables sending notifications via a )"
     R"(provided Opsgenie webhook.","type":"object","properties":{"notify_type":{"title":)"
     R"("Notify Type","description":"The type of notification being performed.","default":)"
     R"("info","enum":["info","success","warning","failure"],"type":"string","position":0},)"
     R"("apikey":{"title":"API Key","description":"The API Key associated with your )"
     R"(Opsgenie account.","format":"password","type":"string","writeOnly":true,"position":)"
     R"(1},"target_user":{"title":"Target User","description":"The user(s) you wish to )"
     R"(notify.","anyOf":[{"items":{"type":"string"},"type":"array"},{"type":"null"}],)"
     R"("default":null,"position":2},"target_team":{"title":"Target Team","description":)"
     R"("The team(s) you wish to notify.","anyOf":[{"items":{"type":"string"},"type":)"
     R"("array"},{"type":"null"}],"default":null,"position":3},"target_schedule":{"title":)"
     R"("Target Schedule","description":"The schedule(s) you wish to notify.","anyOf":[{)"
     R"("items":{"type":"string"},"type":"array"},{"type":"null"}],"default":null,)"
     R"("position":4},"target_escalation":{"title":"Target Escalation","description":"The )"
     R"(escalation(s) you wish to notify.","anyOf":[{"items":{"type":"string"},"type":)"
     R"("array"},{"type":"null"}],"default":null,"position":5},"region_name":{"title":)"
     R"("Region Name","description":"The 2-character region code.","default":"us","enum":[)"
     R"("us","eu"],"type":"string","position":6},"batch":{"title":"Batch","description":)"
     R"("Notify all targets in batches (instead of individually).","default":false,"type":)"
     R"("boolean","position":7},"tags":{"title":"Tags","description":"A comma-separated )"
     R"(list of tags you can associate with your Opsgenie message.","anyOf":[{"items":{)"
     R"("type":"string"},"type":"array"},{"type":"null"}],"default":null,"examples":["[)"
     R"(\"tag1\", \"tag2\"]"],"position":8},"priority":{"title":"Priority","description":)"
     R"("The priority to associate with the message. It is on a scale between 1 (LOW) and 5 )"
     R"((EMERGENCY).","anyOf":[{"type":"integer"},{"type":"null"}],"default":3,"position":)"
     R"(9},"alias":{"title":"Alias","description":"The alias to associate with the )"
     R"(message.","anyOf":[{"type":"string"},{"type":"null"}],"default":null,"position":10},)"
     R"("entity":{"title":"Entity","description":"The entity to associate with the )"
     R"(message.","anyOf":[{"type":"string"},{"type":"null"}],"default":null,"position":11},)"
     R"("details":{"title":"Details","description":"Additional details composed of key/)"
     R"(values pairs.","anyOf":[{"additionalProperties":{"type":"string"},"type":"object"},{)"
     R"("type":"null"}],"default":null,"examples":["{\"key1\": \"value1\", \"key2\": )"
     R"(\"value2\"}"],"position":12}},"required":["apikey"],"block_type_slug":)"
     R"("opsgenie-webhook","secret_fields":["apikey"],"block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Mattermost Webhook", "mattermost-webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "1350a147130bf82cbc799a5f868d2c0116207736-250x250.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via a provided Mattermost webhook.",
     "Load a saved Mattermost webhook and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import MattermostWebhook\n"
     "\nmattermost_webhook_block = MattermostWebhook.load(\"BLOCK_NAME\")\n"
     "\nmattermost_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"MattermostWebhook","description":"Enables sending notifications via a )"
     R"(provided Mattermost webhook.","type":"object","properties":{"notify_type":{"title":)"
     R"("Notify Type","description":"The type of notification being performed.","default":)"
     R"("info","enum":["info","success","warning","failure"],"type":"string","position":0},)"
     R"("hostname":{"title":"Hostname","description":"The hostname of your Mattermost )"
     R"(server.","examples":["Mattermost.example.com"],"type":"string","position":1},)"
     R"("secure":{"title":"Secure","description":"Whether to use secure https connection.",)"
     R"("default":false,"type":"boolean","position":2},"token":{"title":"Token",)"
     R"("description":"The token associated with your Mattermost webhook.","format":)"
     R"("password","type":"string","writeOnly":true,"position":3},"botname":{"title":"Bot )"
     R"(name","description":"The name of the bot that will send the message.","anyOf":[{)"
     R"("type":"string"},{"type":"null"}],"default":null,"position":4},"channels":{"title":)"
     R"("Channels","description":"The channel(s) you wish to notify.","anyOf":[{"items":{)"
     R"("type":"string"},"type":"array"},{"type":"null"}],"default":null,"position":5},)"
     R"("include_image":{"title":"Include Image","description":"Whether to include the )"
     R"(Apprise status image in the message.","default":false,"type":"boolean","position":)"
     R"(6},"path":{"title":"Path","description":"An optional sub-path specification to )"
     R"(append to the hostname.","anyOf":[{"type":"string"},{"type":"null"}],"default":null,)"
     R"("position":7},"port":{"title":"Port","description":"The port of your Mattermost )"
     R"(server.","default":8065,"type":"integer","position":8}},"required":["hostname",)"
     R"("token"],"block_type_slug":"mattermost-webhook","secret_fields":["token"],)"
     R"("block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Discord Webhook", "discord-webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "9e94976c80ef925b66d24e5d14f0d47baa6b8f88-250x250.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via a provided Discord webhook.",
     "Load a saved Discord webhook and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import DiscordWebhook\n"
     "\ndiscord_webhook_block = DiscordWebhook.load(\"BLOCK_NAME\")\n"
     "\ndiscord_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"DiscordWebhook","description":"Enables sending notifications via a )"
     R"(provided Discord webhook.","type":"object","properties":{"notify_type":{"title":)"
     R"("Notify Type","description":"The type of notification being performed.","default":)"
     R"("info","enum":["info","success","warning","failure"],"type":"string","position":0},)"
     R"("webhook_id":{"title":"Webhook Id","description":"The first part of 2 tokens )"
     R"(provided to you after creating a incoming-webhook.","format":"password","type":)"
     R"("string","writeOnly":true,"position":1},"webhook_token":{"title":"Webhook Token",)"
     R"("description":"The second part of 2 tokens provided to you after creating a )"
     R"(incoming-webhook.","format":"password","type":"string","writeOnly":true,"position":)"
     R"(2},"botname":{"title":"Bot name","description":"Identify the name of the bot that )"
     R"(should issue the message. If one isn't specified then the default is to just use )"
     R"(your account (associated with the incoming-webhook).","anyOf":[{"type":"string"},{)"
     R"("type":"null"}],"default":null,"position":3},"tts":{"title":"Tts","description":)"
     R"("Whether to enable Text-To-Speech.","default":false,"type":"boolean","position":4},)"
     R"("include_image":{"title":"Include Image","description":"Whether to include an image )"
     R"(in-line with the message describing the notification type.","default":false,"type":)"
     R"("boolean","position":5},"avatar":{"title":"Avatar","description":"Whether to )"
     R"(override the default discord avatar icon.","default":false,"type":"boolean",)"
     R"("position":6},"avatar_url":{"title":"Avatar URL","description":"Over-ride the )"
     R"(default discord avatar icon URL. By default this is not set and Apprise chooses the )"
     R"(URL dynamically based on the type of message (info, success, warning, or error).",)"
     R"("anyOf":[{"type":"string"},{"type":"null"}],"default":null,"position":7}},)"
     R"("required":["webhook_id","webhook_token"],"block_type_slug":"discord-webhook",)"
     R"("secret_fields":["webhook_id","webhook_token"],"block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Custom Webhook", "custom-webhook",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "c7247cb359eb6cf276734d4b1fbf00fb8930e89e-250x250.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via any custom webhook.\n"
     "\nAll nested string param contains `{{key}}` will be substituted with value from "
     "context/secrets.\n\nContext values include: `subject`, `body` and `name`.",
     "Load a saved custom webhook and send a message:\n"
     "```python\nfrom prefect.blocks.notifications import CustomWebhookNotificationBlock\n"
     "\ncustom_webhook_block = CustomWebhookNotificationBlock.load(\"BLOCK_NAME\")\n"
     "\ncustom_webhook_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"CustomWebhookNotificationBlock","description":"Enables sending )"
     R"(notifications via any custom webhook.\n\nAll nested string param contains `{{key}}` )"
     R"(will be substituted with value from context/secrets.\n\nContext values include: )"
     R"(`subject`, `body` and `name`.","type":"object","properties":{"name":{"title":"Name",)"
     R"("description":"Name of the webhook.","type":"string","position":0},"url":{"title":)"
     R"("Webhook URL","description":"The webhook URL.","examples":["https://hooks.slack.com/)"
     R"(XXX"],"type":"string","position":1},"method":{"title":"Method","description":"The )"
     R"(webhook request method. Defaults to `POST`.","default":"POST","enum":["GET","POST",)"
     R"("PUT","PATCH","DELETE"],"type":"string","position":2},"params":{"title":"Query )"
     R"(Params","description":"Custom query params.","anyOf":[{"additionalProperties":{)"
     R"("type":"string"},"type":"object"},{"type":"null"}],"default":null,"position":3},)"
     R"("json_data":{"title":"JSON Data","description":"Send json data as payload.","anyOf":)"
     R"([{"additionalProperties":true,"type":"object"},{"type":"null"}],"default":null,)"
     R"("examples":["{\"text\": \"{{subject}}\\n{{body}}\", \"title\": \"{{name}}\", )"
     R"(\"token\": \"{{tokenFromSecrets}}\"}"],"position":4},"form_data":{"title":"Form )"
     R"(Data","description":"Send form data as payload. Should not be used together with )"
     R"(_JSON Data_. Can be a dictionary for form-encoded data or a string for raw body )"
     R"(content.","anyOf":[{"additionalProperties":{"type":"string"},"type":"object"},{)"
     R"("type":"string"},{"type":"null"}],"default":null,"examples":["{\"text\": \"{{)"
     R"(subject}}\\n{{body}}\", \"title\": \"{{name}}\", \"token\": \"{{)"
     R"(tokenFromSecrets}}\"}"],"position":5},"headers":{"title":"Headers","description":)"
     R"("Custom headers.","anyOf":[{"additionalProperties":{"type":"string"},"type":)"
     R"("object"},{"type":"null"}],"default":null,"position":6},"cookies":{"title":)"
     R"("Cookies","description":"Custom cookies.","anyOf":[{"additionalProperties":{"type":)"
     R"("string"},"type":"object"},{"type":"null"}],"default":null,"position":7},"timeout":{)"
     R"("title":"Timeout","description":"Request timeout in seconds. Defaults to 10.",)"
     R"("default":10,"type":"number","position":8},"allow_private_urls":{"title":"Allow )"
     R"(Private Urls","description":"Whether to allow notifications to private URLs. )"
     R"(Defaults to True.","default":true,"type":"boolean","position":9},"secrets":{"title":)"
     R"("Custom Secret Values","description":"A dictionary of secret values to be )"
     R"(substituted in other configs.","examples":["{\"tokenFromSecrets\":)"
     R"(\"SomeSecretToken\"}"],"type":"object","position":10}},"required":["name","url"],)"
     R"("block_type_slug":"custom-webhook","secret_fields":["secrets.*"],)"
     R"("block_schema_references":{}})",
     "notify", kCoreBlockVersion},
    {"Sendgrid Email", "sendgrid-email",
     "https://cdn.sanity.io/images/3ugk85nk/production/"
     "82bc6ed16ca42a2252a5512c72233a253b8a58eb-250x250.png",
     "https://docs.prefect.io/latest/automate/events/automations-triggers#"
     "sending-notifications-with-automations",
     "Enables sending notifications via Sendgrid email service.",
     "Load a saved Sendgrid and send a email message:\n"
     "```python\nfrom prefect.blocks.notifications import SendgridEmail\n"
     "\nsendgrid_block = SendgridEmail.load(\"BLOCK_NAME\")\n"
     "\nsendgrid_block.notify(\"Hello from Prefect!\")\n"
     "```",
     R"({"title":"SendgridEmail","description":"Enables sending notifications via Sendgrid )"
     R"(email service.","type":"object","properties":{"notify_type":{"title":"Notify Type",)"
     R"("description":"The type of notification being performed.","default":"info","enum":[)"
     R"("info","success","warning","failure"],"type":"string","position":0},"api_key":{)"
     R"("title":"API Key","description":"The API Key associated with your sendgrid )"
     R"(account.","format":"password","type":"string","writeOnly":true,"position":1},)"
     R"("sender_email":{"title":"Sender email id","description":"The sender email id.",)"
     R"("examples":["test-support@gmail.com"],"type":"string","position":2},"to_emails":{)"
     R"("title":"Recipient emails","description":"Email ids of all recipients.","examples":[)"
     R"("[\"recipient1@gmail.com\", \"recipient2@gmail.com\"]"],"items":{"type":"string"},)"
     R"("type":"array","position":3}},"required":["api_key","sender_email","to_emails"],)"
     R"("block_type_slug":"sendgrid-email","secret_fields":["api_key"],)"
     R"("block_schema_references":{}})",
     "notify", kCoreBlockVersion},
};

}  // namespace

std::span<const BlockData> notification_blocks() { return kNotificationBlocks; }

}  // namespace prefectcore::models::data
