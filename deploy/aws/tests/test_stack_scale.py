"""The template's parts for many readers: the lookup cache and coordination tables, who may touch
them (least privilege), the processors' gateway settings and the API's per-route throttles."""

from __future__ import annotations

from typing import Any

import pytest
from test_stack import actions, logical_id, statements_of

from bookenrich_infra.definition import resources_of_type
from bookenrich_infra.stack import ROUTE_THROTTLES

TABLES = ("LookupCache", "Coordination")


@pytest.fixture(scope="module")
def template(synthesized: dict[str, Any]) -> dict[str, Any]:
    prod: dict[str, Any] = synthesized["templates"]["prod"]
    return prod


def dynamodb_grants(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per role, every statement with a DynamoDB action."""
    out: dict[str, list[dict[str, Any]]] = {}
    for role in resources_of_type(template, "AWS::IAM::Role"):
        for statement in statements_of(template, role):
            if any(a.startswith("dynamodb:") for a in actions(statement)):
                out.setdefault(role, []).append(statement)
    return out


def table_of(statement: dict[str, Any]) -> str:
    resource = statement["Resource"]
    assert isinstance(resource, dict), f"one table per statement, by ARN: {resource}"
    table: str = resource["Fn::GetAtt"][0]
    return table


def test_the_tables_are_on_demand_with_ttl(template: dict[str, Any]) -> None:
    tables = resources_of_type(template, "AWS::DynamoDB::GlobalTable")
    assert {k.rstrip("0123456789ABCDEF") for k in tables} == set(TABLES)
    for table in tables.values():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    cache = tables[logical_id(template, "AWS::DynamoDB::GlobalTable", "LookupCache")]["Properties"]
    assert cache["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]


def test_only_the_processor_reads_and_writes_the_lookup_cache(template: dict[str, Any]) -> None:
    cache = logical_id(template, "AWS::DynamoDB::GlobalTable", "LookupCache")
    users = {
        role: [actions(s) for s in statements if table_of(s) == cache]
        for role, statements in dynamodb_grants(template).items()
        if any(table_of(s) == cache for s in statements)
    }
    processor = logical_id(template, "AWS::IAM::Role", "ProcessorServiceRole")
    orchestrator = logical_id(template, "AWS::IAM::Role", "OrchestratorServiceRole")
    assert users == {
        processor: [{"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"}],
        orchestrator: [{"dynamodb:BatchGetItem"}],  # which books the cache knows (misses_last)
    }


def test_coordination_grants_are_by_leading_key(template: dict[str, Any]) -> None:
    table = logical_id(template, "AWS::DynamoDB::GlobalTable", "Coordination")
    allowed: dict[str, dict[str, set[str]]] = {}
    for role, statements in dynamodb_grants(template).items():
        for statement in statements:
            if table_of(statement) != table:
                continue
            keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            name = role.split("ServiceRole")[0]
            for action in actions(statement):
                assert not action.endswith("*"), action
                allowed.setdefault(name, {}).setdefault(action, set()).update(keys)
    release = {
        a: {"client#*", "job#*", "queue"} for a in ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
    }
    assert allowed["Upload"] == {**release, "dynamodb:PutItem": {"client#*", "job#*", "queue"}}
    for name in ("Orchestrator", "Aggregator", "JobFailed", "DeadLetterConsumer", "DataDelete"):
        assert allowed[name] == release, name
    assert allowed["Status"] == {**release, "dynamodb:Query": {"queue"}, "dynamodb:BatchGetItem": {"job#*"}}
    # The processor counts budgets and its job's share; it cannot touch clients or the queue.
    assert allowed["Processor"] == {"dynamodb:UpdateItem": {"budget#*", "job#*"}, "dynamodb:GetItem": {"job#*"}}
    assert set(allowed) == {
        "Upload",
        "Orchestrator",
        "Aggregator",
        "JobFailed",
        "DeadLetterConsumer",
        "DataDelete",
        "Status",
        "Processor",
    }


def test_the_processor_uses_the_gateway_and_its_tables(template: dict[str, Any]) -> None:
    processor = template["Resources"][logical_id(template, "AWS::Lambda::Function", "Processor")]["Properties"]
    env = processor["Environment"]["Variables"]
    assert env["LOOKUP_CACHE_TABLE"] == {"Ref": logical_id(template, "AWS::DynamoDB::GlobalTable", "LookupCache")}
    assert env["COORDINATION_TABLE"] == {"Ref": logical_id(template, "AWS::DynamoDB::GlobalTable", "Coordination")}


def test_each_route_has_its_throttle(template: dict[str, Any]) -> None:
    (stage,) = resources_of_type(template, "AWS::ApiGatewayV2::Stage").values()
    settings = stage["Properties"]["RouteSettings"]
    assert settings == {
        route: {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
        for route, (rate, burst) in ROUTE_THROTTLES.items()
    }
    assert settings["POST /upload"] == {"ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 5}
    routes = {r["Properties"]["RouteKey"] for r in resources_of_type(template, "AWS::ApiGatewayV2::Route").values()}
    assert set(settings) == routes
    # The stage names routes by key: CloudFormation must create them first.
    route_ids = set(resources_of_type(template, "AWS::ApiGatewayV2::Route"))
    assert route_ids <= set(stage["DependsOn"])


def test_the_upload_guards_are_configured(template: dict[str, Any]) -> None:
    upload = template["Resources"][logical_id(template, "AWS::Lambda::Function", "Upload")]["Properties"]
    env = upload["Environment"]["Variables"]
    assert (env["MAX_BOOKS_PER_JOB"], env["MAX_JOBS_PER_CLIENT"]) == ("5000", "2")
    status = template["Resources"][logical_id(template, "AWS::Lambda::Function", "Status")]["Properties"]
    assert status["Environment"]["Variables"]["SECONDS_PER_BOOK"] == "2"
    # The ETA shares the published limits among the jobs in flight (with a contact: 3/s).
    variables = status["Environment"]["Variables"]
    assert variables["BUDGET_PER_SECOND"] == "openlibrary=3,google=1"
    # With Google enabled, one processor for the whole deployment; 25 books a batch.
    assert (variables["PROCESSORS"], variables["BATCH_SIZE"], variables["BATCH_SECONDS"]) == ("1", "25", "0.5")
