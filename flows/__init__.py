"""Prefect flows: which task runs in which order, and the approval loop."""

from editorbot.logs import report_user_errors_as_warnings

# Here because every process that runs a flow imports this package, whoever started it
# (the CLI, the bot, a runner's subprocess): a user's bad note is one warning line there.
report_user_errors_as_warnings()
