"""IAM's decision on one request against identity policies, conditions included (moto skips them).

moto checks a policy's actions and resources, but evaluates no condition except a
StringEquals whose key the request carries, and it carries none: `s3:prefix` and
`kms:ViaService` conditions always pass there. This module decides as AWS documents it:
an explicit Deny wins, else any Allow, else denied; a condition key the request lacks fails
a positive operator and satisfies a negated one or an `...IfExists` one. An operator it
does not know is an error, never a pass.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any


@cache
def _wildcard(pattern: str, case_sensitive: bool = True) -> re.Pattern[str]:
    """IAM's `*` and `?` (no other special character) as a regular expression."""
    expression = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(expression, 0 if case_sensitive else re.IGNORECASE)


def _matches(patterns: Any, value: str, case_sensitive: bool = True) -> bool:
    patterns = [patterns] if isinstance(patterns, str) else patterns
    return any(_wildcard(p, case_sensitive).fullmatch(value) for p in patterns)


# Each operator compares one request value with one policy value.
_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda actual, expected: actual == expected,
    "StringEqualsIgnoreCase": lambda actual, expected: actual.lower() == expected.lower(),
    "StringLike": lambda actual, expected: _matches(expected, actual),
    "ArnEquals": lambda actual, expected: actual == expected,
    "ArnLike": lambda actual, expected: _matches(expected, actual),
    "Bool": lambda actual, expected: actual.lower() == str(expected).lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    if_exists = operator.endswith("IfExists")
    name = operator.removesuffix("IfExists")
    negated = name in _NEGATED
    compare = _OPERATORS.get(_NEGATED.get(name, name))
    if compare is None:
        raise ValueError(
            f"the AWS stand-in does not evaluate the condition operator {operator!r}; "
            "teach harness/fakes/iam_evaluation.py before a policy uses it"
        )
    if key not in context:
        return negated or if_exists
    values = [expected] if isinstance(expected, str | bool) else expected
    hit = any(compare(context[key], str(value)) for value in values)
    return not hit if negated else hit


def _applies(statement: Mapping[str, Any], action: str, resource: str, context) -> bool:
    if "Action" in statement:
        if not _matches(statement["Action"], action, case_sensitive=False):
            return False
    elif _matches(statement["NotAction"], action, case_sensitive=False):
        return False
    if "Resource" in statement:
        if not _matches(statement["Resource"], resource):
            return False
    elif _matches(statement["NotResource"], resource):
        return False
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, keys in statement.get("Condition", {}).items()
        for key, expected in keys.items()
    )


def is_allowed(
    policies: Iterable[Mapping[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> bool:
    """Whether identity policies (parsed JSON documents) allow `action` on `resource`."""
    context = context or {}
    allowed = False
    for policy in policies:
        statements = policy["Statement"]
        for statement in [statements] if isinstance(statements, Mapping) else statements:
            if _applies(statement, action, resource, context):
                if statement["Effect"] == "Deny":
                    return False
                allowed = True
    return allowed
