"""Prefect flows: which task runs in which order, and the approval loop."""

from editorbot.logs import report_user_errors_as_warnings
from flows.client_tls import share_tls_context

# Here because every process that runs a flow imports this package, whoever started it
# (the CLI, the bot, a runner's subprocess): a user's bad note is one warning line there,
# and its Prefect clients share one TLS context.
report_user_errors_as_warnings()
share_tls_context()
