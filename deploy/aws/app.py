#!/usr/bin/env python3
"""The CDK app: ``cdk synth`` / ``cdk deploy`` from deploy/aws (see docs/aws.md).

Settings are CDK context values (cdk.json, or ``-c key=value``); see ``DeploymentConfig``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import aws_cdk as cdk

sys.path.insert(0, str(Path(__file__).resolve().parent / "infra"))

from bookenrich_infra import BookEnrichStack, DeploymentConfig  # noqa: E402

app = cdk.App()
config = DeploymentConfig.from_context(app.node.try_get_context)
account = app.node.try_get_context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT")
region = app.node.try_get_context("region") or os.environ.get("CDK_DEFAULT_REGION")
BookEnrichStack(
    app,
    app.node.try_get_context("stackName") or "BookEnrich",
    config=config,
    env=cdk.Environment(account=account, region=region) if account and region else None,
    synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
)
app.synth()
