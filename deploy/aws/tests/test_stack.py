"""Infrastructure tests on the synthesized template: bucket privacy, routes, IAM, the state machine."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match

from bookenrich_infra.definition import placeholder_resolver, resources_of_type, state_machine_definition

ID = "????????-????-????-????-????????????"


@pytest.fixture(scope="module")
def template(synthesized: dict[str, Any]) -> dict[str, Any]:
    prod: dict[str, Any] = synthesized["templates"]["prod"]
    return prod


@pytest.fixture(scope="module")
def definition(template: dict[str, Any]) -> dict[str, Any]:
    return state_machine_definition(template, placeholder_resolver(template))


def logical_id(template: dict[str, Any], kind: str, prefix: str) -> str:
    (match,) = [k for k in resources_of_type(template, kind) if k.startswith(prefix)]
    return match


def statements_of(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    """Every IAM statement attached to the role whose logical id starts with ``role_prefix``."""
    role = logical_id(template, "AWS::IAM::Role", role_prefix)
    out: list[dict[str, Any]] = []
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            out.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return out


def object_patterns(statement: dict[str, Any]) -> set[str]:
    """The key patterns of a statement's object ARNs (``bucket-arn/<pattern>``)."""
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    out = set()
    for resource in resources:
        join = resource.get("Fn::Join") if isinstance(resource, dict) else None
        assert join is not None, f"not a bucket object ARN: {resource}"
        assert join[1][0] == {"Fn::GetAtt": [join[1][0]["Fn::GetAtt"][0], "Arn"]}
        out.add(join[1][1].lstrip("/"))
    return out


def actions(statement: dict[str, Any]) -> set[str]:
    value = statement["Action"]
    return set(value if isinstance(value, list) else [value])


def s3_access(template: dict[str, Any], role_prefix: str) -> dict[str, set[str]]:
    """Per S3 action, the key patterns (or ``list:<prefix>`` conditions) a role is allowed."""
    out: dict[str, set[str]] = {}
    for statement in statements_of(template, role_prefix):
        for action in actions(statement):
            if not action.startswith("s3:"):
                continue
            if action == "s3:ListBucket":
                prefixes = statement["Condition"]["StringLike"]["s3:prefix"]
                out.setdefault(action, set()).update(prefixes)
            else:
                out.setdefault(action, set()).update(object_patterns(statement))
    return out


# ---- storage ---------------------------------------------------------------------------------


def test_the_bucket_is_private_and_https_only(synthesized: dict[str, Any]) -> None:
    assertions = synthesized["assertions"]["prod"]
    assertions.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "BucketEncryption": Match.object_like({}),
        },
    )
    assertions.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Principal": {"AWS": "*"},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_no_bucket_policy_allows_anyone(template: dict[str, Any]) -> None:
    for policy in resources_of_type(template, "AWS::S3::BucketPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Deny", statement


# ---- API -----------------------------------------------------------------------------------------


def test_routes_reach_their_functions(template: dict[str, Any]) -> None:
    routes = resources_of_type(template, "AWS::ApiGatewayV2::Route")
    integrations = resources_of_type(template, "AWS::ApiGatewayV2::Integration")
    found = {}
    for route in routes.values():
        target = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
        uri = integrations[target]["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]
        found[route["Properties"]["RouteKey"]] = uri
        assert route["Properties"].get("AuthorizationType", "NONE") == "NONE"
    expected = {
        "POST /upload": "Upload",
        "GET /status/{uuid}": "Status",
        "GET /data/{uuid}": "DataGet",
        "DELETE /data/{uuid}": "DataDelete",
    }
    assert set(found) == set(expected)
    for route_key, function in expected.items():
        assert found[route_key].startswith(function), (route_key, found[route_key])
    for integration in integrations.values():
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0"


def test_the_api_is_throttled_and_allows_cors(template: dict[str, Any]) -> None:
    (stage,) = resources_of_type(template, "AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["StageName"] == "$default"
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    (api,) = resources_of_type(template, "AWS::ApiGatewayV2::Api").values()
    cors = api["Properties"]["CorsConfiguration"]
    assert set(cors["AllowMethods"]) == {"GET", "POST", "DELETE"}


# ---- functions -----------------------------------------------------------------------------------


def test_functions_run_the_handlers_with_the_layer_and_keep_logs_30_days(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function")
    expected = ["upload", "status_api", "data_api", "data_api", "orchestrator", "processor", "aggregator"]
    expected += ["job_failed", "dead_letters"]
    handlers = {k: f["Properties"]["Handler"] for k, f in functions.items()}
    assert sorted(h.split(".")[1] for h in handlers.values()) == sorted(expected)
    layer = logical_id(template, "AWS::Lambda::LayerVersion", "BookEnrichLayer")
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup")
    for fn in functions.values():
        props = fn["Properties"]
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["arm64"]  # the default: Graviton
        assert props["Layers"] == [{"Ref": layer}]
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["LoggingConfig"]["LogGroup"]["Ref"] in log_groups
    for group in log_groups.values():
        assert group["Properties"]["RetentionInDays"] == 30


def processor_and_map(template: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    processor = template["Resources"][logical_id(template, "AWS::Lambda::Function", "Processor")]["Properties"]
    definition = state_machine_definition(template, placeholder_resolver(template))
    return processor, definition["States"]["EnrichBatches"]


def test_default_concurrency_follows_the_tightest_catalogue(template: dict[str, Any]) -> None:
    processor, fan_out = processor_and_map(template)
    env = processor["Environment"]["Variables"]
    # cdk.json: openlibrary=3,google=1 and no maxConcurrency: Google's 1/s allows one processor.
    assert fan_out["MaxConcurrency"] == 1
    assert processor["ReservedConcurrentExecutions"] == 1
    # The deployment-wide limits are the gateway's shared budgets; the core's own limiter is loose
    # (cached answers need no pacing) and waits long enough for a budget token.
    assert env["CATALOGUE_GATEWAY"] == "true"
    assert env["BUDGET_PER_SECOND"] == "openlibrary=3,google=1"
    assert env["BUDGET_PER_DAY"] == "google=950"
    assert env["JOB_DAILY_SHARE"] == "0.25"
    assert env["BOOKENRICH_RATE_LIMITS"] == "openlibrary=50,google=50"
    assert env["BOOKENRICH_REQUEST_TIMEOUT"] == "60"
    assert env["BOOKENRICH_CACHE"] == "off"
    assert env["BOOKENRICH_CONTACT"] == "ops@example.com"
    assert "GOOGLE_BOOKS_API_KEY" not in env  # a key never goes into the template


def test_processors_share_the_catalogue_limits(synthesized: dict[str, Any]) -> None:
    processor, fan_out = processor_and_map(synthesized["templates"]["test"])
    # The test stack: maxConcurrency=4 sharing 4000 requests/s of each catalogue through the budgets.
    assert fan_out["MaxConcurrency"] == 4
    assert processor["ReservedConcurrentExecutions"] == 4
    assert processor["Environment"]["Variables"]["BUDGET_PER_SECOND"] == "openlibrary=4000,google=4000"


def test_without_the_gateway_processors_split_the_limits(tmp_path: Any) -> None:
    from bookenrich_infra import DeploymentConfig
    from bookenrich_infra.config import rate_limits_env

    config = DeploymentConfig(layer_dir=tmp_path, catalogue_gateway=False, max_concurrency=4, contact="x@y.z")
    assert rate_limits_env(config.child_rate_limits) == "openlibrary=0.75,google=0.25"


# ---- IAM -------------------------------------------------------------------------------------------

EXPECTED_S3 = {
    "Upload": {"s3:PutObject": {f"uploads/{ID}/raw.csv", f"status/{ID}.json"}},
    "Orchestrator": {
        "s3:GetObject": {f"uploads/{ID}/raw.csv", f"status/{ID}.json"},
        "s3:PutObject": {
            f"uploads/{ID}/originals.json",
            f"uploads/{ID}/batches.json",
            f"uploads/{ID}/job.json",
            f"status/{ID}.json",
        },
        "s3:ListBucket": {f"uploads/{ID}/raw.csv", f"status/{ID}.json"},
    },
    "Processor": {
        "s3:GetObject": {f"uploads/{ID}/results/*"},
        "s3:PutObject": {f"uploads/{ID}/results/*"},
        "s3:ListBucket": {f"uploads/{ID}/job.json", f"uploads/{ID}/results/*"},
    },
    "Aggregator": {
        "s3:GetObject": {
            f"uploads/{ID}/job.json",
            f"uploads/{ID}/originals.json",
            f"uploads/{ID}/results/*",
            f"status/{ID}.json",
        },
        "s3:PutObject": {f"data/{ID}.json", f"status/{ID}.json"},
        "s3:ListBucket": {f"uploads/{ID}/job.json", f"uploads/{ID}/results/*", f"status/{ID}.json"},
    },
    "JobFailed": {
        "s3:GetObject": {f"status/{ID}.json"},
        "s3:PutObject": {f"status/{ID}.json"},
        "s3:ListBucket": {f"status/{ID}.json"},
    },
    "Status": {
        "s3:GetObject": {f"status/{ID}.json", f"uploads/{ID}/job.json"},
        # Only to mark a job that never started.
        "s3:PutObject": {f"status/{ID}.json"},
        "s3:ListBucket": {f"status/{ID}.json", f"uploads/{ID}/job.json", f"uploads/{ID}/results/*"},
    },
    "DataGet": {
        "s3:GetObject": {f"data/{ID}.json", f"status/{ID}.json"},
        "s3:ListBucket": {f"data/{ID}.json", f"status/{ID}.json"},
    },
    "DataDelete": {
        "s3:GetObject": {f"status/{ID}.json"},
        "s3:DeleteObject": {f"uploads/{ID}/*", f"status/{ID}.json", f"data/{ID}.json"},
        "s3:ListBucket": {f"status/{ID}.json", f"data/{ID}.json", f"uploads/{ID}/*"},
    },
    "JobStateMachine": {
        "s3:GetObject": {f"uploads/{ID}/batches.json", f"uploads/{ID}/map-results/*"},
        "s3:PutObject": {f"uploads/{ID}/map-results/*"},
        "s3:ListMultipartUploadParts": {f"uploads/{ID}/map-results/*"},
        "s3:AbortMultipartUpload": {f"uploads/{ID}/map-results/*"},
    },
}


@pytest.mark.parametrize("role", sorted(EXPECTED_S3))
def test_each_role_reaches_only_its_keys(template: dict[str, Any], role: str) -> None:
    assert s3_access(template, role) == EXPECTED_S3[role]


def test_no_statement_grants_a_wildcard_except_log_delivery(template: dict[str, Any]) -> None:
    for name, policy in resources_of_type(template, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            assert not any(a.endswith(":*") or a == "*" for a in actions(statement)), (name, statement)
            if statement["Resource"] == "*":
                assert all(a.startswith("logs:") for a in actions(statement)), (name, statement)


def test_only_the_orchestrator_starts_jobs(template: dict[str, Any]) -> None:
    machine = logical_id(template, "AWS::StepFunctions::StateMachine", "JobStateMachine")
    starters: set[str] = set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "states:StartExecution" in actions(statement):
                assert statement["Resource"] == {"Ref": machine}
                starters.update(r["Ref"] for r in policy["Properties"]["Roles"])
    assert {r.split("ServiceRole")[0].split("Role")[0] for r in starters} == {"Orchestrator", "JobStateMachine"}


def test_the_state_machine_manages_only_its_own_child_executions(template: dict[str, Any]) -> None:
    machine = logical_id(template, "AWS::StepFunctions::StateMachine", "JobStateMachine")
    (child,) = [
        s
        for s in statements_of(template, "JobStateMachine")
        if actions(s) == {"states:DescribeExecution", "states:StopExecution"}
    ]
    text = json.dumps(child["Resource"])
    assert ":execution:" in text and machine in text and text.endswith('":*"]]}')
    invoke = [s for s in statements_of(template, "JobStateMachine") if actions(s) == {"lambda:InvokeFunction"}]
    targets = {r["Fn::GetAtt"][0] for s in invoke for r in s["Resource"]}
    assert {t.rstrip("0123456789ABCDEF") for t in targets} == {"Processor", "Aggregator", "JobFailed"}


def test_only_delete_stops_executions(template: dict[str, Any]) -> None:
    stoppers: set[str] = set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "states:StopExecution" in actions(statement):
                stoppers.update(r["Ref"] for r in policy["Properties"]["Roles"])
    assert {re.sub(r"(Service)?Role.*", "", r) for r in stoppers} == {"DataDelete", "JobStateMachine"}


def test_the_upload_handler_may_start_only_the_orchestrator(template: dict[str, Any]) -> None:
    invokes = [s for s in statements_of(template, "Upload") if "lambda:InvokeFunction" in actions(s)]
    resources = [r for s in invokes for r in s["Resource"]]
    assert resources and all(json.dumps(r).count("Orchestrator") == 1 for r in resources)


# ---- the state machine -------------------------------------------------------------------------------


def test_state_machine_shape(definition: dict[str, Any]) -> None:
    assert definition["StartAt"] == "EnrichBatches"
    states = definition["States"]
    assert set(states) == {"EnrichBatches", "Aggregate", "MarkJobFailed", "JobFailedState"}
    fan_out = states["EnrichBatches"]
    assert fan_out["Type"] == "Map"
    assert fan_out["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert fan_out["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert fan_out["ItemReader"]["ReaderConfig"] == {"InputType": "JSON"}
    assert fan_out["ItemReader"]["Parameters"]["Key.$"] == "$.batchesKey"
    assert fan_out["ItemSelector"] == {"job.$": "$.job", "batch.$": "$$.Map.Item.Value"}
    assert fan_out["MaxConcurrency"] >= 1
    assert fan_out["ToleratedFailurePercentagePath"] == "$.toleratedFailurePercentage"
    assert "ItemBatcher" not in fan_out and "ToleratedFailurePercentage" not in fan_out
    assert fan_out["ResultPath"] is None
    assert fan_out["ResultWriter"]["Resource"] == "arn:aws:states:::s3:putObject"
    assert fan_out["Next"] == "Aggregate"
    assert states["Aggregate"]["End"] is True
    for name in ("EnrichBatches", "Aggregate"):
        (catch,) = states[name]["Catch"]
        assert catch == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "MarkJobFailed"}
    assert states["MarkJobFailed"]["Next"] == "JobFailedState"
    assert states["JobFailedState"]["Type"] == "Fail"


def test_children_retry_throttling_with_full_jitter_and_never_fail(definition: dict[str, Any]) -> None:
    processor = definition["States"]["EnrichBatches"]["ItemProcessor"]
    assert processor["StartAt"] == "EnrichBatch"
    task = processor["States"]["EnrichBatch"]
    assert task["Resource"] == "arn:aws:states:::lambda:invoke"
    retries = {tuple(r["ErrorEquals"]): r for r in task["Retry"]}
    throttle = retries[("CatalogueThrottled",)]
    assert throttle["JitterStrategy"] == "FULL" and throttle["BackoffRate"] == 2 and throttle["MaxAttempts"] >= 3
    service = next(r for e, r in retries.items() if "Lambda.TooManyRequestsException" in e)
    assert {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"} <= set(
        service["ErrorEquals"]
    )
    assert service["JitterStrategy"] == "FULL"
    (catch,) = task["Catch"]
    assert catch["ErrorEquals"] == ["States.ALL"] and catch["Next"] == "BatchFailed"
    assert processor["States"]["BatchFailed"]["Type"] == "Pass"
    assert processor["States"]["BatchFailed"]["End"] is True


def test_the_state_machine_is_standard_with_a_timeout(template: dict[str, Any], definition: dict[str, Any]) -> None:
    (machine,) = resources_of_type(template, "AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["StateMachineType"] == "STANDARD"
    assert definition["TimeoutSeconds"] == 120 * 60
    assert machine["Properties"]["LoggingConfiguration"]["Level"] == "ERROR"


def test_executions_that_end_badly_mark_the_job(template: dict[str, Any]) -> None:
    (rule,) = resources_of_type(template, "AWS::Events::Rule").values()
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.states"]
    assert set(pattern["detail"]["status"]) == {"FAILED", "TIMED_OUT", "ABORTED"}
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"]["Fn::GetAtt"][0].startswith("JobFailed")
    # An event EventBridge cannot deliver goes to the dead letters.
    queue = logical_id(template, "AWS::SQS::Queue", "DeadLetters")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 4


# ---- nothing lost -------------------------------------------------------------------------------


def test_failed_asynchronous_invocations_go_to_the_dead_letters(template: dict[str, Any]) -> None:
    queue = logical_id(template, "AWS::SQS::Queue", "DeadLetters")
    configs = {
        c["Properties"]["FunctionName"]["Ref"]: c["Properties"]
        for c in resources_of_type(template, "AWS::Lambda::EventInvokeConfig").values()
    }
    assert {name.rstrip("0123456789ABCDEF") for name in configs} == {"Orchestrator", "JobFailed"}
    for config in configs.values():
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [queue, "Arn"]}
        assert config["MaximumRetryAttempts"] == 2
        assert config["MaximumEventAgeInSeconds"] == 15 * 60
    (properties,) = [r["Properties"] for r in resources_of_type(template, "AWS::SQS::Queue").values()]
    assert properties["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert properties["SqsManagedSseEnabled"] is True


def test_the_dead_letters_are_consumed_and_only_the_consumer_may_read_them(template: dict[str, Any]) -> None:
    queue = logical_id(template, "AWS::SQS::Queue", "DeadLetters")
    (mapping,) = resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["Properties"]["FunctionName"]["Ref"].startswith("DeadLetterConsumer")
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    readers: set[str] = set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "sqs:ReceiveMessage" in actions(statement):
                readers.update(r["Ref"] for r in policy["Properties"]["Roles"])
    assert len(readers) == 1 and next(iter(readers)).startswith("DeadLetterConsumer")
    # The consumer writes statuses, nothing else in the bucket.
    access = s3_access(template, "DeadLetterConsumer")
    assert access == {
        "s3:GetObject": {f"status/{ID}.json"},
        "s3:PutObject": {f"status/{ID}.json"},
        "s3:ListBucket": {f"status/{ID}.json"},
    }


def test_alarms_watch_the_dead_letters_and_the_failures(template: dict[str, Any]) -> None:
    queue = logical_id(template, "AWS::SQS::Queue", "DeadLetters")
    topic = logical_id(template, "AWS::SNS::Topic", "Alarms")
    alarms = {
        k.rstrip("0123456789ABCDEF"): v["Properties"]
        for k, v in resources_of_type(template, "AWS::CloudWatch::Alarm").items()
    }
    assert set(alarms) == {
        "DeadLetterReceivedAlarm",
        "DeadLetterStuckAlarm",
        "OrchestratorErrorsAlarm",
        "JobExecutionsFailedAlarm",
        "JobExecutionsTimedOutAlarm",
    }
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": topic}]
        assert alarm["TreatMissingData"] == "notBreaching"
    received = alarms["DeadLetterReceivedAlarm"]
    assert (received["Namespace"], received["MetricName"], received["Threshold"]) == (
        "AWS/SQS",
        "NumberOfMessagesSent",
        1,
    )
    assert received["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    stuck = alarms["DeadLetterStuckAlarm"]
    assert (stuck["MetricName"], stuck["Threshold"]) == ("ApproximateAgeOfOldestMessage", 900)


def test_a_missing_layer_is_a_clear_error(tmp_path: Any) -> None:
    import aws_cdk as cdk

    from bookenrich_infra import BookEnrichStack, DeploymentConfig

    with pytest.raises(Exception, match="build_layer.py"):
        BookEnrichStack(cdk.App(), "NoLayer", config=DeploymentConfig(layer_dir=tmp_path))
