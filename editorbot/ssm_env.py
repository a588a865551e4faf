"""Secrets from SSM Parameter Store under `/editorbot/<env>/`, as environment variable names."""

from collections.abc import Mapping

from editorbot.errors import EditorBotError

# Parameter names as infra/modules/secrets creates them -> the variables the code reads.
# The Prefect auth string goes to both sides: the server checks it, clients send it.
ENV_NAMES: Mapping[str, tuple[str, ...]] = {
    "telegram_bot_token": ("EDITORBOT_TELEGRAM_TOKEN",),
    "gemini_api_key": ("EDITORBOT_GEMINI_API_KEY",),
    "llm_api_key": ("EDITORBOT_LLM_API_KEY",),
    "prefect_api_auth_string": ("PREFECT_API_AUTH_STRING", "PREFECT_SERVER_API_AUTH_STRING"),
    "prefect_database_connection_url": ("PREFECT_SERVER_DATABASE_CONNECTION_URL",),
}

# The variables that always hold a secret, wherever their value came from (logs redacts them).
SECRET_ENV_NAMES: frozenset[str] = frozenset(name for names in ENV_NAMES.values() for name in names)

# Each container role reads only `<prefix><role>/`, and in AWS its own IAM role may read only
# that path (infra/modules/iam): the bot never holds the LLM keys, the server no Telegram token.
ROLES = ("server", "runner", "bot")


class SecretsUnavailable(EditorBotError):
    """The secrets for this environment cannot be read from SSM."""


def env_names(parameter: str) -> tuple[str, ...]:
    """The variables a parameter (name relative to the prefix) is exported as."""
    if parameter in ENV_NAMES:
        return ENV_NAMES[parameter]
    # Unknown names still arrive, prefixed, so adding a parameter needs no code change.
    return ("EDITORBOT_" + parameter.replace("/", "_").replace("-", "_").replace(".", "_").upper(),)


def normalize_prefix(prefix: str) -> str:
    """`editorbot/prod` -> `/editorbot/prod/`: the trailing slash makes the prefix a boundary."""
    stripped = prefix.strip().strip("/")
    if not stripped:
        raise SecretsUnavailable(
            "EDITORBOT_SSM_PREFIX is empty; set it to /editorbot/<env>/ or unset it."
        )
    return f"/{stripped}/"


def role_prefix(prefix: str, role: str) -> str:
    """`/editorbot/prod/` and `bot` -> `/editorbot/prod/bot/`, the one path that role reads."""
    if role not in ROLES:
        raise SecretsUnavailable(
            f"EDITORBOT_ROLE is {role!r}; it must be one of {', '.join(ROLES)} (the image sets it)."
        )
    return f"{normalize_prefix(prefix)}{role}/"


def read_parameters(prefix: str, client=None) -> dict[str, str]:
    """Every parameter under the prefix, decrypted: relative name -> value."""
    # Imported here: logs reads this module's names at every start-up and needs no boto3.
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    path = normalize_prefix(prefix)
    found: dict[str, str] = {}
    try:
        # Inside the try: a client without a region or credentials fails here already.
        client = client or boto3.client("ssm")
        for page in client.get_paginator("get_parameters_by_path").paginate(
            Path=path.rstrip("/"), Recursive=True, WithDecryption=True
        ):
            for parameter in page["Parameters"]:
                # `/editorbot/prod-old/x` shares the characters, not the hierarchy.
                if parameter["Name"].startswith(path):
                    found[parameter["Name"].removeprefix(path)] = parameter["Value"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise SecretsUnavailable(
            f"SSM refused to list {path} ({code}); check this container's AWS role may "
            f"ssm:GetParametersByPath and kms:Decrypt there."
        ) from None
    except BotoCoreError as error:
        # botocore's messages name endpoints and missing credentials, never parameter values.
        raise SecretsUnavailable(f"Cannot reach SSM to read {path}: {error}") from None
    if not found:
        raise SecretsUnavailable(
            f"No parameters under {path} in SSM; put them as docs/runbook.md section 3 shows, "
            "or unset EDITORBOT_SSM_PREFIX to run without SSM."
        )
    return found


def load_env(prefix: str, client=None) -> dict[str, str]:
    """Every parameter under the prefix as environment variables: name -> value."""
    env: dict[str, str] = {}
    for parameter, value in sorted(read_parameters(prefix, client).items()):
        for name in env_names(parameter):
            env[name] = value
    return env
