"""The CDK app of the bookenrich AWS deployment (docs/aws.md): bucket, functions, API, state machine."""

from bookenrich_infra.config import DeploymentConfig, child_rate_limits
from bookenrich_infra.stack import BookEnrichStack

__all__ = ["BookEnrichStack", "DeploymentConfig", "child_rate_limits"]
