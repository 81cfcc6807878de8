#!/usr/bin/env python3
"""Generates corpus_keys.txt: credentials in operations logs (see docs/privacy.md).

The second half of the Privacy Shield's labelled corpus (generate.py writes the first): vendor API
keys and tokens, passwords in connection strings, values in URL-encoded and JSON-escaped text, and
secrets marked only by the name of the setting that holds them, each in the contexts logs put them
in, plus near misses: references to secrets, placeholders, masks, publishable keys and look-alikes.

Every value is random, drawn in the shape the service documents (prefix, alphabet, length,
structure); none is a real credential. Same markup as generate.py:
  {{kind:value}}    a true value the shield must find with exactly this extent and kind
  {{~class:text}}   a near miss of the named class the shield must leave alone
Deterministic: `python3 generate_keys.py > corpus_keys.txt`.
"""
import base64
import json
import random
import string
import urllib.parse

R = random.Random(20260117)
HEX = "0123456789abcdef"
DIGITS = string.digits
UPPER = string.ascii_uppercase
LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"


def t(kind, value):
    return "{{%s:%s}}" % (kind, value)


def n(cls, text):
    return "{{~%s:%s}}" % (cls, text)


def rs(alphabet, k):
    return "".join(R.choice(alphabet) for _ in range(k))


def uuid():
    h = rs(HEX, 32)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], R.choice("89ab"), h[17:20], h[20:])


def b64_of_bytes(k):
    return base64.b64encode(bytes(R.randrange(256) for _ in range(k))).decode()


def password():
    while True:
        pw = rs(ALNUM + "!#%^*-_+", R.randint(8, 20)) + R.choice(DIGITS)
        if "***" not in pw:  # three stars read as a mask (docs/privacy.md)
            return pw


def spaced_password():
    return "%s %s%d" % (rs(LETTERS, R.randint(4, 8)), rs(LETTERS, R.randint(4, 8)), R.randint(10, 99))


def opaque():
    return rs(ALNUM, R.randint(24, 40)) + R.choice(DIGITS)


def mixed_letters(k):
    while True:
        s = rs(LETTERS, k)
        if any(c.isupper() for c in s) and any(c.islower() for c in s):
            return s


def snowflake():
    return str(R.randint(10 ** 17, 2 * 10 ** 18))


# --- Vendor values, by kind -----------------------------------------------------------------

def v_gcp_api_key():
    return "AIzaSy" + rs(B64URL, 33)


def v_gcp_oauth_client_secret():
    return "GOCSPX-" + rs(B64URL, 28)


def v_google_oauth_token():
    return "ya29.a0" + rs(B64URL, R.randint(120, 220))


def v_azure_storage_key():
    if R.random() < 0.3:
        return rs(B64, 76) + "+ASt" + rs(B64, 5) + R.choice("AQgw") + "=="
    return b64_of_bytes(64)


def v_azure_identifiable_key():
    return (rs(ALNUM, 52) + "JQQJ9" + R.choice("9DH") + rs(ALNUM, 1) + R.choice("ABCDEFGHIJKL") +
            rs(ALNUM, 16) + rs(LETTERS, 1) + rs(ALNUM, 7))


def v_azure_client_secret():
    return rs(ALNUM + "_~.", 3) + R.choice(DIGITS) + "Q~" + rs(ALNUM + "_~.-", 34)


def v_digitalocean():
    return R.choice(["dop_v1_", "doo_v1_", "dor_v1_"]) + rs(HEX, 64)


def v_alibaba():
    return "LTAI5t" + rs(ALNUM, 18)


def v_heroku_hrku():
    return "HRKU-AA" + rs(B64URL, 58)


def v_openai():
    r = R.random()
    if r < 0.5:
        return "sk-proj-" + rs(B64URL, 74) + "T3BlbkFJ" + rs(B64URL, 74)
    if r < 0.75:
        return "sk-svcacct-" + rs(B64URL, 58) + "T3BlbkFJ" + rs(B64URL, 58)
    return "sk-" + rs(ALNUM, 20) + "T3BlbkFJ" + rs(ALNUM, 20)


def v_anthropic():
    return R.choice(["sk-ant-api03-", "sk-ant-admin01-"]) + rs(B64URL, 93) + "AA"


def v_huggingface():
    return R.choice(["hf_", "hf_", "api_org_"]) + mixed_letters(34)


def v_groq():
    return "gsk_" + rs(ALNUM, 52)


def v_replicate():
    return "r8_" + rs(ALNUM, 37)


def v_perplexity():
    return "pplx-" + rs(ALNUM, 48)


def v_xai():
    return "xai-" + rs(ALNUM, 80)


def v_openrouter():
    return "sk-or-v1-" + rs(HEX, 64)


def v_langsmith():
    return R.choice(["lsv2_pt_", "lsv2_sk_"]) + rs(HEX, 32) + "_" + rs(HEX, 10)


def v_stripe():
    prefix = R.choice(["sk_live_", "rk_live_", "sk_test_", "sk_live_"])
    return prefix + R.choice(["51", "4e"]) + rs(ALNUM, R.choice([22, 97]))


def v_stripe_webhook():
    return "whsec_" + rs(ALNUM, 32)


def v_square():
    return R.choice(["EAAA" + rs(B64URL, 60), "sq0atp-" + rs(B64URL, 22), "sq0csp-" + rs(B64URL, 43)])


def v_plaid():
    return "access-" + R.choice(["production", "sandbox", "development"]) + "-" + uuid()


def v_twilio_sid():
    return "AC" + rs(HEX, 32)


def v_twilio_key():
    return "SK" + rs(HEX, 32)


def v_sendgrid():
    return "SG." + rs(B64URL, 22) + "." + rs(B64URL, 43)


def v_mailgun():
    return "key-" + rs(HEX, 32)


def v_mailchimp():
    return rs(HEX, 32) + "-us" + str(R.randint(1, 21))


def v_brevo():
    return "xkeysib-" + rs(HEX, 64) + "-" + rs(ALNUM, 16)


def v_discord_webhook(escaped=False):
    host = R.choice(["discord.com", "discordapp.com", "ptb.discord.com"])
    url = "https://%s/api/webhooks/%s/%s" % (host, snowflake(), rs(B64URL, 68))
    return url.replace("/", "\\/") if escaped else url


def v_discord_bot():
    uid = base64.b64encode(snowflake().encode()).decode().rstrip("=")
    return "%s.%s.%s" % (uid, rs(B64URL, 6), rs(B64URL, R.choice([27, 38])))


def v_telegram():
    return "%d:AA%s" % (R.randint(10 ** 8, 8 * 10 ** 9), rs(B64URL, 33))


def v_teams_webhook():
    return "https://%s.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s" % (
        R.choice(["contoso", "acme", "fabrikam"]), uuid(), uuid(), rs(HEX, 32), uuid())


def v_newrelic():
    return R.choice(["NRAK-" + rs(UPPER + DIGITS, 27), rs(HEX, 36) + "NRAL", "NRII-" + rs(B64URL, 32),
                     "NRJS-" + rs(HEX, 19)])


def v_grafana():
    r = R.random()
    if r < 0.4:
        return "glsa_" + rs(ALNUM, 32) + "_" + rs(HEX, 8)
    if r < 0.7:
        payload = json.dumps({"o": str(R.randint(100000, 999999)), "n": "stack-%d-ops" % R.randint(1, 999),
                              "k": rs(ALNUM, 24), "m": {"r": "prod-us-east-0"}}, separators=(",", ":"))
        return "glc_" + base64.b64encode(payload.encode()).decode()
    return "eyJrIjoi" + rs(ALNUM, 72)


def v_sentry_token():
    if R.random() < 0.5:
        return "sntryu_" + rs(HEX, 64)
    payload = json.dumps({"iat": R.randint(1700000000, 1760000000), "url": "https://sentry.io",
                          "region_url": "https://us.sentry.io", "org": "acme"}, separators=(",", ":"))
    return "sntrys_" + base64.b64encode(payload.encode()).decode().rstrip("=") + "_" + rs(B64, 43)


def v_dynatrace():
    return "dt0c01." + rs(UPPER + DIGITS, 24) + "." + rs(UPPER + DIGITS, 64)


def v_npm():
    return "npm_" + rs(ALNUM, 36)


def v_pypi():
    return "pypi-AgEIcHlwaS5vcmc" + rs(B64URL, R.randint(120, 180))


def v_rubygems():
    return "rubygems_" + rs(HEX, 48)


def v_docker():
    return "dckr_pat_" + rs(B64URL, 27)


def v_jfrog():
    return "AKCp" + rs(ALNUM, 69)


def v_gitlab():
    return R.choice(["glpat-" + rs(B64URL, 20), "glpat-" + rs(B64URL, 27) + ".01." + rs(HEX, 9),
                     "glrt-" + rs(B64URL, 20), "gldt-" + rs(B64URL, 20), "glptt-" + rs(HEX, 40),
                     "GR1348941" + rs(B64URL, 20)])


def v_shopify():
    return R.choice(["shpat_", "shpca_", "shppa_", "shpss_"]) + rs(HEX, 32)


def v_vault():
    return R.choice(["hvs.CAESI" + rs(B64URL, 86), "hvb.AAAAAQ" + rs(B64URL, 138), "hvs." + rs(B64URL, 24)])


def v_terraform():
    return rs(ALNUM, 14) + ".atlasv1." + rs(B64URL, 67)


def v_doppler():
    return R.choice(["dp.pt." + rs(ALNUM, 43), "dp.st.prd." + rs(ALNUM, 43), "dp.sa." + rs(ALNUM, 43)])


def v_databricks():
    return "dapi" + rs(HEX, 32) + R.choice(["", "", "-2"])


def v_pulumi():
    return "pul-" + rs(HEX, 40)


def v_atlassian():
    return "ATATT3xFfGF0" + rs(B64URL, 170) + "=" + rs(HEX.upper(), 8)


def v_linear():
    return "lin_api_" + rs(ALNUM, 40)


def v_postman():
    return "PMAK-" + rs(HEX, 24) + "-" + rs(HEX, 34)


def v_tailscale():
    return "tskey-" + R.choice(["auth", "api", "client"]) + "-" + rs(ALNUM, 17) + "-" + rs(ALNUM, 33)


def v_supabase():
    return "sbp_" + rs(HEX, 40)


def v_openshift():
    return "sha256~" + rs(B64URL, 43)


def v_sonar():
    return R.choice(["squ_", "sqp_", "sqa_"]) + rs(HEX, 40)


def v_buildkite():
    return "bkua_" + rs(HEX, 40)


def v_flyio():
    return "fo1_" + rs(B64URL, 43)


def v_age():
    return "AGE-SECRET-KEY-1" + rs(BECH32, 58)


def v_onepassword():
    payload = json.dumps({"signInAddress": "my.1password.com", "userAuth": {"method": "SRPg-4096"},
                          "email": "svc@example.invalid", "srpX": rs(HEX, 64), "muk": {"alg": "A256GCM"}},
                         separators=(",", ":"))
    return "ops_" + base64.b64encode(payload.encode()).decode().rstrip("=")


# kind -> (value generator, the setting names a config would hold it in)
VENDORS = {
    "gcp_api_key": (v_gcp_api_key, ["GOOGLE_API_KEY", "FIREBASE_API_KEY", "MAPS_KEY"]),
    "gcp_oauth_client_secret": (v_gcp_oauth_client_secret, ["GOOGLE_CLIENT_SECRET", "OAUTH_SECRET"]),
    "google_oauth_token": (v_google_oauth_token, ["GOOGLE_ACCESS_TOKEN", "gcloud_token"]),
    "azure_identifiable_key": (v_azure_identifiable_key, ["AZURE_DEVOPS_PAT", "APIM_KEY"]),
    "azure_client_secret": (v_azure_client_secret, ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"]),
    "digitalocean_token": (v_digitalocean, ["DIGITALOCEAN_TOKEN", "DO_PAT"]),
    "alibaba_access_key": (v_alibaba, ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"]),
    "heroku_api_key": (v_heroku_hrku, ["HEROKU_API_KEY"]),
    "openai_api_key": (v_openai, ["OPENAI_API_KEY", "LLM_KEY"]),
    "anthropic_api_key": (v_anthropic, ["ANTHROPIC_API_KEY", "CLAUDE_KEY"]),
    "huggingface_token": (v_huggingface, ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]),
    "groq_api_key": (v_groq, ["GROQ_API_KEY"]),
    "replicate_token": (v_replicate, ["REPLICATE_API_TOKEN"]),
    "perplexity_api_key": (v_perplexity, ["PPLX_API_KEY"]),
    "xai_api_key": (v_xai, ["XAI_API_KEY"]),
    "openrouter_api_key": (v_openrouter, ["OPENROUTER_API_KEY"]),
    "langsmith_api_key": (v_langsmith, ["LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"]),
    "stripe_key": (v_stripe, ["STRIPE_SECRET_KEY", "STRIPE_KEY"]),
    "stripe_webhook_secret": (v_stripe_webhook, ["STRIPE_WEBHOOK_SECRET"]),
    "square_token": (v_square, ["SQUARE_ACCESS_TOKEN"]),
    "plaid_access_token": (v_plaid, ["PLAID_ACCESS_TOKEN"]),
    "twilio_account_sid": (v_twilio_sid, ["TWILIO_ACCOUNT_SID"]),
    "twilio_api_key": (v_twilio_key, ["TWILIO_API_KEY"]),
    "sendgrid_api_key": (v_sendgrid, ["SENDGRID_API_KEY"]),
    "mailgun_api_key": (v_mailgun, ["MAILGUN_API_KEY", "MG_KEY"]),
    "mailchimp_api_key": (v_mailchimp, ["MAILCHIMP_API_KEY", "MC_KEY"]),
    "brevo_api_key": (v_brevo, ["BREVO_API_KEY", "SENDINBLUE_KEY"]),
    "discord_bot_token": (v_discord_bot, ["DISCORD_TOKEN", "DISCORD_BOT"]),
    "telegram_bot_token": (v_telegram, ["TELEGRAM_BOT_TOKEN", "TG_BOT"]),
    "new_relic_key": (v_newrelic, ["NEW_RELIC_API_KEY", "NEW_RELIC_LICENSE_KEY", "NR_KEY"]),
    "grafana_token": (v_grafana, ["GRAFANA_TOKEN", "GRAFANA_SA"]),
    "sentry_token": (v_sentry_token, ["SENTRY_AUTH_TOKEN"]),
    "dynatrace_token": (v_dynatrace, ["DT_API_TOKEN", "DYNATRACE_TOKEN"]),
    "npm_token": (v_npm, ["NPM_TOKEN", "NODE_AUTH_TOKEN"]),
    "pypi_token": (v_pypi, ["TWINE_PASSWORD", "PYPI_TOKEN"]),
    "rubygems_token": (v_rubygems, ["GEM_HOST_API_KEY"]),
    "docker_hub_token": (v_docker, ["DOCKERHUB_TOKEN", "DOCKER_PAT"]),
    "jfrog_token": (v_jfrog, ["ARTIFACTORY_API_KEY", "JFROG_KEY"]),
    "gitlab_token": (v_gitlab, ["GITLAB_TOKEN", "CI_RUNNER_TOKEN", "GL_PAT"]),
    "shopify_token": (v_shopify, ["SHOPIFY_ACCESS_TOKEN"]),
    "vault_token": (v_vault, ["VAULT_TOKEN"]),
    "terraform_cloud_token": (v_terraform, ["TF_TOKEN_app_terraform_io", "TFE_TOKEN"]),
    "doppler_token": (v_doppler, ["DOPPLER_TOKEN"]),
    "databricks_token": (v_databricks, ["DATABRICKS_TOKEN"]),
    "pulumi_token": (v_pulumi, ["PULUMI_ACCESS_TOKEN"]),
    "atlassian_token": (v_atlassian, ["JIRA_API_TOKEN", "CONFLUENCE_TOKEN"]),
    "linear_api_key": (v_linear, ["LINEAR_API_KEY"]),
    "postman_api_key": (v_postman, ["POSTMAN_API_KEY"]),
    "tailscale_key": (v_tailscale, ["TS_AUTHKEY", "TAILSCALE_API_KEY"]),
    "supabase_key": (v_supabase, ["SUPABASE_ACCESS_TOKEN"]),
    "openshift_token": (v_openshift, ["OC_TOKEN", "OPENSHIFT_TOKEN"]),
    "sonar_token": (v_sonar, ["SONAR_TOKEN"]),
    "buildkite_token": (v_buildkite, ["BUILDKITE_API_TOKEN"]),
    "flyio_token": (v_flyio, ["FLY_API_TOKEN"]),
    "age_secret_key": (v_age, ["SOPS_AGE_KEY"]),
    "onepassword_token": (v_onepassword, ["OP_SERVICE_ACCOUNT_TOKEN"]),
}


def quote(name, value, style):
    """A setting in one of the forms configs and dumps print."""
    return [
        "export %s=%s" % (name, value),
        "%s: \"%s\"" % (name, value),
        "  %s: %s" % (name.lower(), value),
        "{\"%s\":\"%s\",\"region\":\"us-east-1\"}" % (name, value),
        "\"Env\": [\"PATH=/usr/local/bin\", \"%s=%s\"]" % (name, value),
        "%s='%s' ./deploy.sh" % (name, value),
    ][style]


def vendor_line():
    kind = R.choice(list(VENDORS))
    gen, names = VENDORS[kind]
    value = gen()
    name = R.choice(names)
    mark = t(kind, value)
    r = R.random()
    if r < 0.45:
        return quote(name, mark, R.randint(0, 5))
    if r < 0.6:
        return "%s level=info msg=\"client configured\" key=%s" % (ts(), mark)
    if r < 0.7:
        return "curl -s -H \"Authorization: Bearer %s\" https://api.example.com/v1/status" % mark
    if r < 0.8:
        return "%s WARN request rejected: 401 for credential %s (revoked?)" % (ts(), mark)
    if r < 0.9:
        return "{\"level\":\"debug\",\"msg\":\"loaded secret\",\"value\":\"%s\",\"source\":\"env\"}" % mark
    return "%s ERROR auth failed token=%s user=svc-deploy" % (ts(), mark)


def ts():
    return "2025-%02d-%02dT%02d:%02d:%02d.%03dZ" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23),
                                                    R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))


def host():
    return R.choice(["db.internal", "pg-primary.prod.svc.cluster.local", "mysql-0.mysql", "mongo.example.net",
                     "redis.cache.svc", "rabbitmq.mq", "10.0.3.17"]).replace("10.0.3.17", "db-10-0-3-17")


def user():
    return R.choice(["app", "svc_orders", "admin", "readonly", "deploy", "replicator"])


# --- Structured vendor formats and their contexts ---------------------------------------------

def structured_line():
    r = R.randint(0, 21)
    if r == 0:
        return "%s posting alert to %s" % (ts(), t("discord_webhook", v_discord_webhook()))
    if r == 1:
        return "{\"webhook_url\":\"%s\",\"retries\":3}" % t("discord_webhook", v_discord_webhook(escaped=True))
    if r == 2:
        return "%s POST %s -> 200" % (ts(), t("teams_webhook", v_teams_webhook()))
    if r == 3:
        tok = v_telegram()
        return "GET https://api.telegram.org/bot%s/sendMessage?chat_id=-100%d 200" % (
            t("telegram_bot_token", tok), R.randint(10 ** 9, 10 ** 10))
    if r == 4:
        key = rs(HEX, 32)
        return "SENTRY_DSN=https://%s@o%d.ingest.us.sentry.io/%d" % (
            t("sentry_dsn", key), R.randint(10 ** 5, 10 ** 6), R.randint(10 ** 15, 10 ** 16))
    if r == 5:
        return "sentry: using dsn \"https://%s@sentry.example.com/%d\"" % (t("sentry_dsn", rs(HEX, 32)), R.randint(1, 40))
    if r == 6:
        acct = R.choice(["stprod", "logsarchive", "backups01"])
        return "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;EndpointSuffix=core.windows.net" % (
            acct, t("azure_storage_key", v_azure_storage_key()))
    if r == 7:
        return "Endpoint=sb://orders-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%s" % (
            t("azure_shared_access_key", b64_of_bytes(32)))
    if r == 8:
        sig = urllib.parse.quote(b64_of_bytes(32), safe="")
        return "GET https://stprod.blob.core.windows.net/exports/report.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-06-01T00:00:00Z&st=2025-05-01T00:00:00Z&spr=https&sig=%s 403" % (
            t("azure_sas_signature", sig))
    if r == 9:
        return "DD_API_KEY=%s DD_SITE=datadoghq.eu" % t("datadog_api_key", rs(HEX, 32))
    if r == 10:
        return "curl -X POST \"https://api.datadoghq.com/api/v1/events\" -H \"DD-API-KEY: %s\" -H \"DD-APPLICATION-KEY: %s\"" % (
            t("datadog_api_key", rs(HEX, 32)), t("datadog_app_key", rs(HEX, 40)))
    if r == 11:
        return "{\"routing_key\":\"%s\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"disk full\"}}" % (
            t("pagerduty_key", rs(HEX, 32)))
    if r == 12:
        return "PAGERDUTY_TOKEN=%s" % t("pagerduty_key", rs(ALNUM + "_-", 19) + R.choice(DIGITS))
    if r == 13:
        return "HEROKU_API_KEY=%s heroku apps" % t("heroku_api_key", uuid())
    if r == 14:
        return "TWILIO_AUTH_TOKEN=%s TWILIO_ACCOUNT_SID=%s" % (t("twilio_auth_token", rs(HEX, 32)),
                                                              t("twilio_account_sid", v_twilio_sid()))
    if r == 15:
        return "POST https://api.twilio.com/2010-04-01/Accounts/%s/Messages.json 201" % t("twilio_account_sid", v_twilio_sid())
    if r == 16:
        return "mailchimp: list sync with key %s done" % t("mailchimp_api_key", v_mailchimp())
    if r == 17:
        return "terraform login: token %s stored in credentials.tfrc.json" % t("terraform_cloud_token", v_terraform())
    if r == 18:
        return "az ad sp credential reset -> {\"password\": \"%s\"}" % t("azure_client_secret", v_azure_client_secret())
    if r == 19:
        return "discord: logged in with %s" % t("discord_bot_token", v_discord_bot())
    if r == 20:
        return "New Relic agent: license_key=%s" % t("new_relic_key", rs(HEX, 36) + "NRAL")
    return "x-ms-blob: key %s rotated" % t("azure_storage_key", rs(B64, 76) + "+ASt" + rs(B64, 5) + R.choice("AQgw") + "==")


# --- Connection strings --------------------------------------------------------------------

def connection_line():
    r = R.randint(0, 17)
    pw = password().replace("@", "!").replace("/", "_").replace(":", "!").replace("#", "!").replace("?", "!")
    if r == 0:
        return "DATABASE_URL=postgres://%s:%s@%s:5432/orders?sslmode=require" % (user(), t("url_password", pw), host())
    if r == 1:
        return "%s FATAL could not connect: postgresql://%s:%s@%s/app" % (ts(), user(), t("url_password", pw), host())
    if r == 2:
        return "spring.datasource.url=jdbc:mysql://%s:3306/shop?user=%s&password=%s&useSSL=true" % (
            host(), user(), t("secret", pw.replace("&", "!")))
    if r == 3:
        return "mariadb://%s:%s@%s:3306/wp" % (user(), t("url_password", pw), host())
    if r == 4:
        return "MONGO_URI=mongodb+srv://%s:%s@cluster0.ab1cd.mongodb.net/prod?retryWrites=true&w=majority" % (
            user(), t("url_password", pw))
    if r == 5:
        return "mongodb://%s:%s@mongo-0:27017,mongo-1:27017/admin?replicaSet=rs0" % (user(), t("url_password", pw))
    if r == 6:
        return "REDIS_URL=redis://:%s@%s:6379/0" % (t("url_password", pw), host())
    if r == 7:
        return "rediss://default:%s@redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345" % t("url_password", pw)
    if r == 8:
        return "AMQP_URL=amqps://%s:%s@rabbitmq.mq:5671/%%2F" % (user(), t("url_password", pw))
    if r == 9:
        return "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"%s\" password=\"%s\";" % (
            user(), t("secret", pw.replace("\"", "!")))
    if r == 10:
        return "Server=tcp:sql-prod.database.windows.net,1433;Initial Catalog=orders;User ID=%s;Password=%s;Encrypt=True;" % (
            user(), t("connection_string_password", pw.replace(";", "!")))
    if r == 11:
        return "Driver={ODBC Driver 18 for SQL Server};Server=%s;Database=erp;Uid=%s;Pwd=%s;" % (
            host(), user(), t("connection_string_password", pw.replace(";", "!").replace("}", "!")))
    if r == 12:
        return "jdbc:sqlserver://%s:1433;databaseName=billing;user=%s;password=%s;encrypt=true" % (
            host(), user(), t("connection_string_password", pw.replace(";", "!")))
    if r == 13:
        return "Host=%s;Port=5432;Database=app;Username=%s;Password=%s" % (
            host(), user(), t("connection_string_password", spaced_password()))
    if r == 14:
        return "ldaps://cn=%s:%s@ldap.corp.example.com:636" % (user(), t("url_password", pw))
    if r == 15:
        return "SMTP_URL=smtp://%s:%s@smtp.mailgun.org:587" % (user(), t("url_password", pw))
    if r == 16:
        return "mirror: sftp://%s:%s@files.example.com:22/upload" % (user(), t("url_password", pw))
    return "GET https://%s:%s@registry.example.com/v2/_catalog 200" % (user(), t("url_password", pw))


# --- Encodings -----------------------------------------------------------------------------

def encoded_line():
    r = R.randint(0, 9)
    local = R.choice(["admin", "j.doe", "ops+pager", "maria.garcia", "svc-billing"])
    dom = R.choice(["corp.com", "example.org", "mail.example.co.uk"])
    if r == 0:
        enc = urllib.parse.quote(local + "@" + dom, safe="")
        return "GET /api/v1/users?email=%s&page=2 HTTP/1.1 200" % t("email", enc)
    if r == 1:
        enc = urllib.parse.quote(local + "@" + dom, safe="")
        return "redirect_uri=https%%3A%%2F%%2Fapp.example.com%%2Fcb%%3Flogin%%3D%s" % t("email", enc)
    if r == 2:
        return "{\"user\":\"%s\",\"action\":\"login\"}" % t("email", local + "\\u0040" + dom)
    if r == 3:
        secret = opaque()
        return "GET /proxy?target=https%%3A%%2F%%2Fapi.example.com%%2Fv1%%3Fapi_key%%3D%s%%26q%%3Dx 502" % t("secret", secret)
    if r == 4:
        secret = urllib.parse.quote(b64_of_bytes(24), safe="")
        return "POST /oauth/token grant_type=client_credentials&client_secret=%s&client_id=awoooi" % t("secret", secret)
    if r == 5:
        pw = password().replace("\"", "!").replace("\\", "!")
        return "{\"msg\":\"payload\",\"body\":\"{\\\"username\\\":\\\"ops\\\",\\\"password\\\":\\\"%s\\\"}\"}" % t("secret", pw)
    if r == 6:
        pw = password().replace("\"", "!").replace("\\", "!")
        return "{\"log\":\"{\\\"req\\\":\\\"{\\\\\\\"password\\\\\\\":\\\\\\\"%s\\\\\\\"}\\\"}\"}" % t("secret", pw)
    if r == 7:
        url = "https:\\/\\/hooks.slack.com\\/services\\/T%s\\/B%s\\/%s" % (
            rs(UPPER + DIGITS, 8), rs(UPPER + DIGITS, 8), rs(ALNUM, 24))
        return "{\"url\":\"%s\"}" % t("slack_webhook", url)
    if r == 8:
        pw = password().replace("@", "!").replace("/", "_").replace(":", "!").replace("\\", "!")
        return "{\"dsn\":\"postgres:\\/\\/%s:%s@%s:5432\\/app\"}" % (user(), t("url_password", pw), host())
    return "audit: %s changed %s" % (t("email", local + "\\u0040" + dom), n("prose", "notification settings"))


# --- Settings marked only by their name -------------------------------------------------------

SECRET_NAMES = ["DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "client_secret", "secret_access_key",
                "X-Api-Key", "app_secret", "JWT_SECRET", "encryption_key", "SIGNING_SECRET", "webhook_secret",
                "RAILS_MASTER_KEY", "Ocp-Apim-Subscription-Key", "X-Auth-Token", "Private-Token", "smtp_pass",
                "DB_PASS", "auth_key"]


def named_line():
    name = R.choice(SECRET_NAMES)
    value = password() if "pass" in name.lower() else opaque()
    if name == "secret_access_key":
        value = rs(ALNUM, 32)  # not 40 characters: an S3-compatible store's key, not AWS's
    mark = t("secret", value)
    r = R.randint(0, 6)
    if r == 0:
        return "%s=%s" % (name, mark)
    if r == 1:
        return "  %s: %s" % (name, mark)
    if r == 2:
        return "{\"%s\": \"%s\", \"enabled\": true}" % (name, mark)
    if r == 3:
        if "-" in name:
            return "> %s: %s" % (name, mark)  # an HTTP header in a debug dump
        return "%s = \"%s\"" % (name, mark)
    if r == 4:
        return "env: [{\"name\":\"%s\",\"value\":\"%s\"}]" % (name.upper().replace("-", "_"), mark)
    if r == 5:
        return "'%s' => '%s'," % (name.lower(), mark)
    return "Authorization: Basic %s" % t("authorization", base64.b64encode(
        ("%s:%s" % (user(), password())).encode()).decode())


# --- Near misses ---------------------------------------------------------------------------

def near_line():
    r = R.randint(0, 33)
    if r == 0:
        return "  passwordSecret: %s" % n("reference", "db-credentials")
    if r == 1:
        return "existingSecret: %s" % n("reference", "postgresql-%s-auth" % rs(string.ascii_lowercase, 5))
    if r == 2:
        return "env: - name: DB_PASSWORD valueFrom: secretKeyRef: {name: %s, key: %s}" % (
            n("reference", "db-credentials"), n("reference", "password"))
    if r == 3:
        return "DB_PASSWORD=%s" % n("reference", R.choice(["${DB_PASSWORD}", "$(cat /run/secrets/db_password)",
                                                            "$DB_PASSWORD", "{{ .Values.db.password }}"]))
    if r == 4:
        return "api_key: %s" % n("placeholder", R.choice(["<your-api-key>", "YOUR_API_KEY_HERE", "your_api_key",
                                                           "<API_KEY>", "xxxxxxxxxxxxxxxx", "********"]))
    if r == 5:
        return "password: %s" % n("placeholder", R.choice(["null", "~", "\"\"", "'********'", "[REDACTED]",
                                                            "(sensitive value)", "<hidden>"]))
    if r == 6:
        return "vault: reading %s for %s" % (n("reference", "secret/data/app/db"),
                                             n("reference", "password: vault:secret/data/app#password"))
    if r == 7:
        return "DB_PASSWORD=%s" % n("reference", R.choice(["ref+vault://secret/db#/password", "op://prod/db/password",
                                                            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"]))
    if r == 8:
        return "publishable key %s loaded" % n("publishable_key", R.choice(["pk_live_", "pk_test_"]) + rs(ALNUM, 24))
    if r == 9:
        return "api_key=%s" % n("placeholder", R.choice(["sk_live_" + "x" * 24, "sk-proj-" + "X" * 48,
                                                         "AIza" + "X" * 35, "ghp_" + "x" * 36]))
    if r == 10:
        return "token=%s (masked)" % n("placeholder", R.choice(["sk_live_****" + rs(ALNUM, 4), "ghp_****" + rs(ALNUM, 4),
                                                              "glpat-...%s" % rs(ALNUM, 4)]))
    if r == 11:
        return "pip install %s scikit-learn; HF cache %s" % (n("lookalike", "sk-learn"), n("lookalike", "hf_transformers_cache"))
    if r == 12:
        return "npm config %s set" % n("lookalike", "npm_config_cache=/tmp/.npm")
    if r == 13:
        return "publish routing_key=%s exchange=events" % n("routing_key", R.choice(["orders.created", "billing.#",
                                                                                     "audit.user.login"]))
    if r == 14:
        return "cache-key-%s evicted" % n("hash", rs(HEX, 32))
    if r == 15:
        return "at %s(Native Method)" % n("java_package", "com.%s.%s.%s" % (R.choice(["google", "amazon"]),
                                                                            R.choice(["common", "apache", "netty"]),
                                                                            R.choice(["collect", "handler"])))
    if r == 16:
        return "checksum sha256:%s ok, %s" % (rs(HEX, 64), n("lookalike", "SKU" + rs(UPPER + DIGITS, 12)))
    if r == 17:
        return "kubectl create secret generic %s --from-literal=%s" % (
            n("reference", "db-credentials"), n("placeholder", "password=$(pwgen 32 1)"))
    if r == 18:
        return "secretName: %s" % n("reference", "tls-%s-cert" % rs(string.ascii_lowercase, 4))
    if r == 19:
        return "imagePullSecret: %s" % n("reference", "regcred")
    if r == 20:
        return "DB_PASSWORD_FILE=%s" % n("reference", "/run/secrets/db_password")
    if r == 21:
        return "time %s elapsed %s" % (n("time", "12:34:56"), n("lookalike", "123456:AB"))
    if r == 22:
        return "ticket %s opened by %s" % (n("lookalike", "AC-%d" % R.randint(100, 9999)), n("lookalike", "key-value store"))
    if r == 23:
        return "sig=%s in debug header" % n("lookalike", rs(HEX, 40))
    if r == 24:
        return "pwd=%s and PWD=%s" % (n("path", "/home/deploy"), n("path", "/srv/app"))
    if r == 25:
        return "%s: %s" % (n("reference", "secret_ref"), n("reference", "projects/ops/secrets/db/versions/3"))
    if r == 26:
        return "ansible: password: %s" % n("reference", "!vault |")
    if r == 27:
        return "sops: password: %s" % n("reference", "ENC[AES256_GCM,data:%s,iv:%s,type:str]" % (rs(B64, 24), rs(B64, 22)))
    if r == 28:
        return "tasks: pass=%d fail=%d skip=%d" % (R.randint(0, 99), R.randint(0, 9), R.randint(0, 9))
    if r == 29:
        return "git %s at %s" % (n("git_sha", rs(HEX, 40)), n("lookalike", "dapi-%s" % rs(string.ascii_lowercase, 6)))
    if r == 30:
        return "mailgun public %s" % n("publishable_key", "pubkey-" + rs(HEX, 32))
    if r == 31:
        return "Authorization: %s" % n("placeholder", "Bearer <token>")
    if r == 32:
        return "token: %s" % n("placeholder", R.choice(["${{ secrets.NPM_TOKEN }}", "${GITHUB_TOKEN}", "%(token)s"]))
    return "user %s logged in from %s" % (n("lookalike", "admin%20user"), n("lookalike", "%40home"))


def main():
    generators = [(vendor_line, 1400), (structured_line, 450), (connection_line, 300), (encoded_line, 200),
                  (named_line, 250), (near_line, 500)]
    lines = []
    for gen, count in generators:
        lines.extend(gen() for _ in range(count))
    R.shuffle(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
