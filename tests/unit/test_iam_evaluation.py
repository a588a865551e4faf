"""The stand-in's IAM decisions follow AWS's rules, conditions included."""

import pytest

from harness.fakes.iam_evaluation import is_allowed

BUCKET = "arn:aws:s3:::content"


def _policy(*statements):
    return [{"Version": "2012-10-17", "Statement": list(statements)}]


LIST_DRAFTS = {
    "Effect": "Allow",
    "Action": "s3:ListBucket",
    "Resource": BUCKET,
    "Condition": {"StringLike": {"s3:prefix": ["drafts/", "drafts/*"]}},
}


def test_a_condition_key_the_request_lacks_fails_a_positive_operator():
    policies = _policy(LIST_DRAFTS)
    assert is_allowed(policies, "s3:ListBucket", BUCKET, {"s3:prefix": "drafts/2026/"})
    assert not is_allowed(policies, "s3:ListBucket", BUCKET, {"s3:prefix": "scripts/"})
    assert not is_allowed(policies, "s3:ListBucket", BUCKET, {})


def test_if_exists_and_negated_operators_pass_when_the_key_is_absent():
    for operator in ("StringLikeIfExists", "StringNotLike"):
        statement = {**LIST_DRAFTS, "Condition": {operator: {"s3:prefix": ["secret/*"]}}}
        assert is_allowed(_policy(statement), "s3:ListBucket", BUCKET, {}), operator
    statement = {**LIST_DRAFTS, "Condition": {"StringNotLike": {"s3:prefix": ["secret/*"]}}}
    assert not is_allowed(_policy(statement), "s3:ListBucket", BUCKET, {"s3:prefix": "secret/a"})


def test_an_explicit_deny_wins_and_nothing_granted_is_denied():
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": f"{BUCKET}/scripts/*"}
    allow = {"Effect": "Allow", "Action": ["s3:Get*"], "Resource": f"{BUCKET}/*"}
    policies = _policy(allow, deny)
    assert is_allowed(policies, "s3:GetObject", f"{BUCKET}/drafts/a")
    assert not is_allowed(policies, "s3:GetObject", f"{BUCKET}/scripts/a")
    assert not is_allowed(policies, "s3:PutObject", f"{BUCKET}/drafts/a")
    # Action names are case-insensitive, resources are not.
    assert is_allowed(policies, "S3:getobject", f"{BUCKET}/drafts/a")
    assert not is_allowed(policies, "s3:GetObject", f"{BUCKET.upper()}/drafts/a")


def test_an_operator_the_stand_in_does_not_know_is_an_error_not_a_pass():
    statement = {**LIST_DRAFTS, "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}}
    with pytest.raises(ValueError, match="does not evaluate the condition operator"):
        is_allowed(_policy(statement), "s3:ListBucket", BUCKET, {"s3:max-keys": "5"})
