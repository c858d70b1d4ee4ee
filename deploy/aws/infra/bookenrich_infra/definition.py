"""The state machine definition as deployed: taken from the synthesized template and resolved.

CDK emits the definition as an ``Fn::Join`` of strings, ``Ref``s and ``Fn::GetAtt``s. Resolving it
with the real (or test) names gives the exact JSON Step Functions runs, which the workflow tests
run in moto and ``asl-validator`` checks; neither works from a hand-written copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Stand-in account and region for resolving a template outside AWS.
ACCOUNT = "123456789012"
REGION = "us-east-1"


class Resolver:
    """Resolves CloudFormation intrinsics against known resource names and attributes."""

    def __init__(
        self,
        refs: Mapping[str, str],
        attributes: Mapping[tuple[str, str], str],
        *,
        account: str = ACCOUNT,
        region: str = REGION,
    ) -> None:
        self.refs = {
            "AWS::Partition": "aws",
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::URLSuffix": "amazonaws.com",
            **refs,
        }
        self.attributes = dict(attributes)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                if arg not in self.refs:
                    raise KeyError(f"Ref {arg}: no value given")
                return self.refs[arg]
            if key == "Fn::GetAtt":
                resource, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
                if (resource, attribute) not in self.attributes:
                    raise KeyError(f"Fn::GetAtt {resource}.{attribute}: no value given")
                return self.attributes[(resource, attribute)]
            if key == "Fn::Join":
                separator, items = arg
                return str(separator).join(str(self(item)) for item in self(items))
            if key == "Fn::Select":
                index, items = arg
                return self(items)[int(self(index))]
            if key == "Fn::Split":
                separator, text = arg
                return str(self(text)).split(separator)
        return {k: self(v) for k, v in value.items()}


def placeholder_resolver(
    template: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    *,
    account: str = ACCOUNT,
    region: str = REGION,
) -> Resolver:
    """A resolver giving every resource of ``template`` a name (``names[logical_id]``, else the id)."""
    names = dict(names or {})
    refs: dict[str, str] = {}
    attributes: dict[tuple[str, str], str] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type", "")
        name = names.get(logical_id, logical_id)
        if kind == "AWS::Lambda::Function":
            refs[logical_id] = name
            attributes[(logical_id, "Arn")] = f"arn:aws:lambda:{region}:{account}:function:{name}"
        elif kind == "AWS::S3::Bucket":
            refs[logical_id] = name
            attributes[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
        elif kind == "AWS::StepFunctions::StateMachine":
            refs[logical_id] = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
            attributes[(logical_id, "Name")] = name
            attributes[(logical_id, "Arn")] = refs[logical_id]
        elif kind == "AWS::IAM::Role":
            refs[logical_id] = name
            attributes[(logical_id, "Arn")] = f"arn:aws:iam::{account}:role/{name}"
        elif kind == "AWS::Logs::LogGroup":
            refs[logical_id] = name
            attributes[(logical_id, "Arn")] = f"arn:aws:logs:{region}:{account}:log-group:{name}:*"
        elif kind == "AWS::SQS::Queue":
            refs[logical_id] = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            attributes[(logical_id, "Arn")] = f"arn:aws:sqs:{region}:{account}:{name}"
            attributes[(logical_id, "QueueName")] = name
        elif kind in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            refs[logical_id] = name
            attributes[(logical_id, "Arn")] = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        elif kind == "AWS::SNS::Topic":
            refs[logical_id] = f"arn:aws:sns:{region}:{account}:{name}"
        elif kind == "AWS::Lambda::LayerVersion":
            refs[logical_id] = f"arn:aws:lambda:{region}:{account}:layer:{name}:1"
        else:
            refs[logical_id] = name
    return Resolver(refs, attributes, account=account, region=region)


def resources_of_type(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The template's resources of one type, by logical id."""
    return {k: v for k, v in template.get("Resources", {}).items() if v.get("Type") == kind}


def state_machine_definition(template: Mapping[str, Any], resolver: Resolver) -> dict[str, Any]:
    """The template's one state machine definition, resolved and parsed."""
    machines = resources_of_type(template, "AWS::StepFunctions::StateMachine")
    if len(machines) != 1:
        raise ValueError(f"expected one state machine in the template, found {len(machines)}")
    (resource,) = machines.values()
    properties = resource["Properties"]
    text = properties.get("DefinitionString")
    if text is None:
        raise ValueError("the state machine has no DefinitionString")
    resolved = resolver(text)
    definition: dict[str, Any] = json.loads(resolved)
    return definition


def function_environment(template: Mapping[str, Any], logical_id: str, resolver: Resolver) -> dict[str, str]:
    """A function's environment variables, resolved."""
    resource = template["Resources"][logical_id]
    variables = resource["Properties"].get("Environment", {}).get("Variables", {})
    return {k: str(resolver(v)) for k, v in variables.items()}
