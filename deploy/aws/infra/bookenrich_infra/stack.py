"""The stack: a private bucket, the Lambda functions, the HTTP API, the job state machine, and IAM.

Every function gets its own role with the S3 actions it needs on the key patterns it uses, and may
list only key-shaped prefixes (which hold a whole job id), so none can enumerate jobs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from bookenrich_infra.bundling import LayerRecipe, layer_code
from bookenrich_infra.config import FUNCTIONS_DIR, DeploymentConfig, rate_limits_env
from bookenrich_infra.elf import native_architecture

#: The Lambda error the processor raises for throttling / transient catalogue failures.
THROTTLE_ERROR = "CatalogueThrottled"
#: Lambda service errors worth retrying (the optimized integration names them Lambda.*).
LAMBDA_SERVICE_ERRORS = [
    "Lambda.TooManyRequestsException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.ClientExecutionTimeoutException",
]
#: How long Lambda keeps retrying an asynchronous invocation before it goes to the dead letters.
ASYNC_MAX_EVENT_AGE = cdk.Duration.minutes(15)
#: Asynchronous attempts after the first (Lambda's maximum).
ASYNC_RETRIES = 2
#: Orchestrator timeout, seconds.
ORCHESTRATOR_TIMEOUT = 300
#: A job still without a manifest this long after its upload never started (every asynchronous
#: attempt of the orchestrator is over by then): its status is set to ``error``.
#: A batch's processor time besides its catalogue requests (Lambda, S3, the shared cache's reads),
#: for the ETA: an assumption, not measured on AWS (docs/aws.md).
ASSUMED_BATCH_SECONDS = 0.5
STALE_AFTER_SECONDS = int(ASYNC_MAX_EVENT_AGE.to_seconds()) + ORCHESTRATOR_TIMEOUT + 300
#: With the gateway pacing every catalogue request through the shared budgets, the core's own
#: limiter only keeps a processor from flooding its gateway: answers from the cache need no pacing.
GATEWAY_CORE_RATE = 50.0
#: The core waits this long for an answer: the gateway's wait for a budget token (at most 20 s)
#: plus the catalogue's own answer.
GATEWAY_REQUEST_TIMEOUT_SECONDS = 60
#: Per-route API Gateway throttles (steady requests/s, burst). The frontend polls a job's status
#: every 5 s; an upload starts a job of up to maxBooksPerJob books, so it is the scarcest.
ROUTE_THROTTLES: dict[str, tuple[float, int]] = {
    "POST /upload": (1, 5),
    "GET /status/{uuid}": (50, 100),
    "GET /data/{uuid}": (10, 20),
    "DELETE /data/{uuid}": (5, 10),
}
# A job id in a key: exactly 36 characters, so a list permission cannot enumerate jobs.
_ID = "????????-????-????-????-????????????"

_ARCHITECTURES = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}

_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


class BookEnrichStack(cdk.Stack):
    """The whole deployment; ``config`` comes from the CDK context (see ``DeploymentConfig``)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # Without this flag the Distributed Map's ResultWriter is silently left out of the
        # definition; set here so that `cdk synth` and a plain `python app.py` agree.
        self.node.set_context("@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2", True)
        self.config = config
        if config.log_retention_days not in _RETENTION:
            raise ValueError(f"logRetentionDays must be one of {sorted(_RETENTION)}, got {config.log_retention_days}")
        if config.layer_dir is not None:
            self._check_layer_dir(config.layer_dir, config.architecture)
        self.architecture = _ARCHITECTURES[config.architecture]

        self.bucket = self._bucket()
        # The shared lookup cache: raw catalogue answers by request (bookenrich_aws.lookup_cache).
        self.lookup_cache = self._table("LookupCache")
        # Jobs in flight, client slots (admission), the shared budgets; items expire by TTL.
        self.coordination = self._table("Coordination", sort_key="sk")
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=cdk.Duration.seconds(180),
        )
        self.layer = lambda_.LayerVersion(
            self,
            "BookEnrichLayer",
            code=self._layer_code(),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[self.architecture],
            description="bookenrich (Rust core, abi3 manylinux wheel)",
        )
        self.functions: dict[str, lambda_.Function] = {}
        self._make_functions()
        self.state_machine = self._state_machine()
        self._grant()
        self.api = self._api()
        self._failed_execution_rule()
        self._dead_letter_consumer()
        self._alarms()

        cdk.CfnOutput(self, "ApiUrl", value=self.stage.url)
        cdk.CfnOutput(self, "BucketName", value=self.bucket.bucket_name)
        cdk.CfnOutput(self, "StateMachineArn", value=self.state_machine.state_machine_arn)
        cdk.CfnOutput(self, "DeadLetterQueueUrl", value=self.dead_letters.queue_url)
        cdk.CfnOutput(self, "AlarmTopicArn", value=self.alarm_topic.topic_arn)

    # ---- storage -----------------------------------------------------------------------------

    def _table(self, name: str, *, sort_key: str | None = None) -> dynamodb.TableV2:
        """An on-demand table keyed by ``pk`` (and ``sort_key``) whose items expire at ``expires_at``."""
        return dynamodb.TableV2(
            self,
            name,
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING) if sort_key else None,
            billing=dynamodb.Billing.on_demand(),
            time_to_live_attribute="expires_at",
            # Both hold only what can be rebuilt: cached answers, counters, jobs in flight.
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    @staticmethod
    def _check_layer_dir(layer_dir: Path, architecture: str) -> None:
        """A layer directory made beforehand must hold the package, built for the functions' architecture."""
        layer_package = layer_dir / "python" / "bookenrich" / "__init__.py"
        if not layer_package.is_file():
            raise ValueError(
                f"layerDir {layer_dir} has no python/bookenrich: build it from the manylinux wheel with "
                "`python deploy/aws/build_layer.py WHEEL` (docs/aws.md), or leave layerDir out and let "
                "the synth build the layer"
            )
        for native in sorted(layer_package.parent.glob("_bookenrich*.so")):
            built_for = native_architecture(native)
            if built_for != architecture:
                raise ValueError(
                    f"{native} is built for {built_for}, but the functions run on {architecture}: "
                    f"build the layer from the {architecture} wheel, or pass -c architecture={built_for}"
                )

    def _layer_code(self) -> lambda_.Code:
        """The layer directory given, else the layer the synth builds (``bundling``)."""
        c = self.config
        if c.layer_dir is not None:
            return lambda_.Code.from_asset(str(c.layer_dir))
        return layer_code(
            LayerRecipe(c.architecture, source=c.layer_from, wheel=c.layer_wheel, version=c.layer_version)
        )

    def _bucket(self) -> s3.Bucket:
        rules = [
            s3.LifecycleRule(
                id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(1)
            )
        ]
        if self.config.expire_jobs_after_days > 0:
            rules.append(
                s3.LifecycleRule(id="expire-jobs", expiration=cdk.Duration.days(self.config.expire_jobs_after_days))
            )
        return s3.Bucket(
            self,
            "JobBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=rules,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    # ---- functions ---------------------------------------------------------------------------

    def _function(
        self,
        name: str,
        handler: str,
        description: str,
        *,
        timeout: int = 30,
        memory: int = 256,
        environment: dict[str, str] | None = None,
        reserved: int | None = None,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{name}Logs",
            retention=_RETENTION[self.config.log_retention_days],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        fn = lambda_.Function(
            self,
            name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=self.architecture,
            handler=handler,
            code=lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=["**/__pycache__", "**/*.pyc"]),
            layers=[self.layer],
            description=description,
            timeout=cdk.Duration.seconds(timeout),
            memory_size=memory,
            environment={
                "DATA_BUCKET": self.bucket.bucket_name,
                "COORDINATION_TABLE": self.coordination.table_name,
                "LOG_LEVEL": "INFO",
                **(environment or {}),
            },
            reserved_concurrent_executions=reserved,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
        )
        self.functions[name] = fn
        return fn

    def _processor_environment(self) -> dict[str, str]:
        c = self.config
        env = {
            "BOOKENRICH_CACHE": "off",
            "BOOKENRICH_CONCURRENCY": str(c.processor_request_concurrency),
            "BOOKENRICH_RATE_LIMITS": rate_limits_env(c.child_rate_limits),
        }
        if c.catalogue_gateway:
            enabled = c.published_limits
            env.update(
                {
                    "CATALOGUE_GATEWAY": "true",
                    "LOOKUP_CACHE_TABLE": self.lookup_cache.table_name,
                    "BUDGET_PER_SECOND": rate_limits_env(enabled),
                    "BUDGET_PER_DAY": rate_limits_env({s: v for s, v in c.daily_budgets.items() if s in enabled}),
                    "JOB_DAILY_SHARE": f"{c.job_daily_share:g}",
                    "BOOKENRICH_RATE_LIMITS": rate_limits_env({s: GATEWAY_CORE_RATE for s in enabled}),
                    "BOOKENRICH_REQUEST_TIMEOUT": str(GATEWAY_REQUEST_TIMEOUT_SECONDS),
                }
            )
        env.update(self._enricher_settings())
        return env

    def _enricher_settings(self) -> dict[str, str]:
        """The enricher's configured options: the processors' and the orchestrator's plan of them."""
        c = self.config
        optional = {
            "BOOKENRICH_CONTACT": c.contact,
            "BOOKENRICH_SOURCES": c.sources,
            "BOOKENRICH_MERGE_POLICY": c.merge_policy,
            "BOOKENRICH_OPEN_LIBRARY_URL": c.open_library_url,
            "BOOKENRICH_GOOGLE_BOOKS_URL": c.google_books_url,
        }
        return {k: v for k, v in optional.items() if v}

    def _make_functions(self) -> None:
        c = self.config
        export_env = {"INCLUDE_UNREAD": str(c.include_unread).lower()}
        self._function(
            "Upload",
            "bookenrich_aws.upload.handler",
            "POST /upload: stores the export and starts the job",
            memory=512,
            environment={
                **export_env,
                "MAX_UPLOAD_BYTES": str(c.max_upload_bytes),
                "MAX_BOOKS_PER_JOB": str(c.max_books_per_job),
                "MAX_JOBS_PER_CLIENT": str(c.max_jobs_per_client),
            },
        )
        self._function(
            "Status",
            "bookenrich_aws.status_api.handler",
            "GET /status/{uuid}",
            environment={
                "STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
                "SECONDS_PER_BOOK": f"{c.seconds_per_book:.6g}",
                # The ETA shares these among the jobs in flight (bookenrich_aws.eta).
                "BUDGET_PER_SECOND": rate_limits_env(c.published_limits),
                "PROCESSORS": str(c.concurrency),
                "BATCH_SIZE": str(c.batch_size),
                "BATCH_SECONDS": f"{ASSUMED_BATCH_SECONDS:g}",
            },
        )
        self._function("DataGet", "bookenrich_aws.data_api.get", "GET /data/{uuid}", memory=512)
        self._function("DataDelete", "bookenrich_aws.data_api.delete", "DELETE /data/{uuid}", timeout=60)
        self.api_key_secret: secretsmanager.ISecret | None = None
        if c.google_api_key_secret:
            if c.google_api_key_secret.startswith("arn:"):
                self.api_key_secret = secretsmanager.Secret.from_secret_complete_arn(
                    self, "GoogleApiKey", c.google_api_key_secret
                )
            else:
                self.api_key_secret = secretsmanager.Secret.from_secret_name_v2(
                    self, "GoogleApiKey", c.google_api_key_secret
                )
        # Whether a key is configured changes the plan; the orchestrator gets the ARN, not the key.
        key_arn = {"GOOGLE_BOOKS_API_KEY_SECRET_ARN": self.api_key_secret.secret_arn} if self.api_key_secret else {}
        self._function(
            "Orchestrator",
            "bookenrich_aws.orchestrator.handler",
            "Export -> batches in S3 -> one job execution",
            timeout=ORCHESTRATOR_TIMEOUT,
            memory=1024,
            environment={
                **export_env,
                "BATCH_SIZE": str(c.batch_size),
                "TOLERATED_FAILURE_PERCENTAGE": str(c.tolerated_failure_percentage),
                # Batches put the books the shared cache does not know together (misses_last).
                **({"LOOKUP_CACHE_TABLE": self.lookup_cache.table_name} if c.catalogue_gateway else {}),
                # The request plan of the books the cache does not know, for the jobs' ETAs: the
                # processors' enricher settings, and no cache of its own.
                "BOOKENRICH_CACHE": "off",
                **self._enricher_settings(),
                **key_arn,
            },
        )
        processor_env = {**self._processor_environment(), **key_arn}
        self._function(
            "Processor",
            "bookenrich_aws.processor.handler",
            "Enriches one batch of books",
            timeout=c.processor_timeout_seconds,
            memory=512,
            environment=processor_env,
            reserved=c.concurrency if c.reserve_processor_concurrency else None,
        )
        self._function(
            "Aggregator",
            "bookenrich_aws.aggregator.handler",
            "Batch results -> dashboard JSON, status complete",
            timeout=300,
            memory=1024,
            environment={"INCLUDE_PRIVATE_NOTES": str(c.include_private_notes).lower()},
        )
        self._function("JobFailed", "bookenrich_aws.job_failed.handler", "Marks a failed job 'error'")
        self._function(
            "DeadLetterConsumer",
            "bookenrich_aws.dead_letters.handler",
            "Marks 'error' the jobs of lost asynchronous invocations and events",
            timeout=60,
        )
        # Asynchronous invocations (the orchestrator by the upload handler, JobFailed by EventBridge)
        # that fail for good go to the dead letters, never nowhere.
        for name in ("Orchestrator", "JobFailed"):
            self.functions[name].configure_async_invoke(
                on_failure=destinations.SqsDestination(self.dead_letters),
                max_event_age=ASYNC_MAX_EVENT_AGE,
                retry_attempts=ASYNC_RETRIES,
            )
        # The orchestrator is started by the upload handler (asynchronous invoke).
        self.functions["Upload"].add_environment(
            "ORCHESTRATOR_FUNCTION_NAME", self.functions["Orchestrator"].function_name
        )

    # ---- the job state machine ---------------------------------------------------------------

    def _invoke(self, name: str, function: lambda_.IFunction, payload: dict[str, Any]) -> tasks.LambdaInvoke:
        task = tasks.LambdaInvoke(
            self,
            name,
            lambda_function=function,
            payload=sfn.TaskInput.from_object(payload),
            output_path="$.Payload",
            retry_on_service_exceptions=False,
        )
        task.add_retry(
            errors=LAMBDA_SERVICE_ERRORS,
            interval=cdk.Duration.seconds(2),
            backoff_rate=2,
            max_attempts=6,
            max_delay=cdk.Duration.seconds(60),
            jitter_strategy=sfn.JitterType.FULL,
        )
        return task

    def _state_machine(self) -> sfn.StateMachine:
        c = self.config
        enrich = tasks.LambdaInvoke(
            self,
            "EnrichBatch",
            lambda_function=self.functions["Processor"],
            payload=sfn.TaskInput.from_json_path_at("$"),
            output_path="$.Payload",
            retry_on_service_exceptions=False,
        )
        # Throttled by a catalogue: wait long enough for its window to pass, jittered so that
        # batches throttled together do not come back together.
        enrich.add_retry(
            errors=[THROTTLE_ERROR],
            interval=cdk.Duration.seconds(15),
            backoff_rate=2,
            max_attempts=4,
            max_delay=cdk.Duration.seconds(120),
            jitter_strategy=sfn.JitterType.FULL,
        )
        enrich.add_retry(
            errors=LAMBDA_SERVICE_ERRORS,
            interval=cdk.Duration.seconds(2),
            backoff_rate=2,
            max_attempts=6,
            max_delay=cdk.Duration.seconds(60),
            jitter_strategy=sfn.JitterType.FULL,
        )
        # A batch that fails for good ends its child successfully with a marker: the aggregator
        # finds no result object for it and counts its books as not enriched.
        batch_failed = sfn.Pass(
            self,
            "BatchFailed",
            parameters={
                "batch.$": "$.batch.batch",
                "failed": True,
                "error.$": "$.failure.Error",
            },
        )
        enrich.add_catch(batch_failed, errors=["States.ALL"], result_path="$.failure")

        enrich_all = sfn.DistributedMap(
            self,
            "EnrichBatches",
            item_reader=sfn.S3JsonItemReader(bucket=self.bucket, key=sfn.JsonPath.string_at("$.batchesKey")),
            item_selector={"job.$": "$.job", "batch.$": "$$.Map.Item.Value"},
            max_concurrency=c.concurrency,
            tolerated_failure_percentage_path="$.toleratedFailurePercentage",
            map_execution_type=sfn.StateMachineType.STANDARD,
            # Child summaries go to S3, so the Map's own output is a small reference whatever the
            # number of batches. The prefix comes from the execution name (the job id), which does
            # not depend on what the state's input or output is.
            result_writer_v2=sfn.ResultWriterV2(
                bucket=self.bucket,
                prefix=sfn.JsonPath.format("uploads/{}/map-results", sfn.JsonPath.string_at("$$.Execution.Name")),
            ),
            result_path=sfn.JsonPath.DISCARD,
        )
        enrich_all.item_processor(enrich)

        aggregate = self._invoke("Aggregate", self.functions["Aggregator"], {"job": sfn.JsonPath.object_at("$.job")})
        mark_failed = self._invoke(
            "MarkJobFailed",
            self.functions["JobFailed"],
            {"job": sfn.JsonPath.object_at("$.job"), "failure": sfn.JsonPath.object_at("$.failure")},
        )
        mark_failed.next(sfn.Fail(self, "JobFailedState", error="JobFailed", cause="the job failed; see its status"))
        for state in (enrich_all, aggregate):
            state.add_catch(mark_failed, errors=["States.ALL"], result_path="$.failure")

        log_group = logs.LogGroup(
            self,
            "JobStateMachineLogs",
            retention=_RETENTION[c.log_retention_days],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        # The role is written out here, statement by statement: the constructs would otherwise grant
        # the item reader and result writer the whole bucket. CDK's own additions go to an
        # immutable view of it and are dropped.
        self.state_machine_role = iam.Role(
            self,
            "JobStateMachineRole",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="bookenrich job state machine: invoke the job's functions, read its batches",
        )
        self.state_machine_role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[self.functions[n].function_arn for n in ("Processor", "Aggregator", "JobFailed")],
            )
        )
        self.state_machine_role.add_to_policy(
            iam.PolicyStatement(
                # Log delivery actions take no resource ARN (AWS's documented policy for logging).
                actions=[
                    "logs:CreateLogDelivery",
                    "logs:GetLogDelivery",
                    "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups",
                ],
                resources=["*"],
            )
        )
        state_machine = sfn.StateMachine(
            self,
            "JobStateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(enrich_all.next(aggregate)),
            state_machine_type=sfn.StateMachineType.STANDARD,
            timeout=cdk.Duration.minutes(c.execution_timeout_minutes),
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ERROR, include_execution_data=False),
            role=self.state_machine_role.without_policy_updates(),
        )
        state_machine.node.add_dependency(self.state_machine_role)
        executions = cdk.Arn.format(
            cdk.ArnComponents(
                service="states",
                resource="execution",
                resource_name=f"{state_machine.state_machine_name}:*",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            ),
            self,
        )
        # Distributed Map children are executions of this state machine (a separate policy: the
        # state machine's ARN is only known after it exists).
        iam.Policy(
            self,
            "JobStateMachineChildExecutions",
            roles=[self.state_machine_role],
            statements=[
                iam.PolicyStatement(actions=["states:StartExecution"], resources=[state_machine.state_machine_arn]),
                iam.PolicyStatement(
                    actions=["states:DescribeExecution", "states:StopExecution"], resources=[executions]
                ),
            ],
        )
        self.executions_arn = executions
        return state_machine

    # ---- IAM -----------------------------------------------------------------------------------

    def _objects(self, *patterns: str) -> list[str]:
        return [self.bucket.arn_for_objects(p) for p in patterns]

    def _allow_s3(
        self,
        fn: lambda_.Function,
        *,
        read: tuple[str, ...] = (),
        write: tuple[str, ...] = (),
        delete: tuple[str, ...] = (),
        list_prefixes: tuple[str, ...] = (),
    ) -> None:
        if read:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=self._objects(*read)))
        if write:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=self._objects(*write)))
        if delete:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:DeleteObject"], resources=self._objects(*delete)))
        if list_prefixes:
            fn.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[self.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": list(list_prefixes)}},
                )
            )

    def _grant(self) -> None:
        f = self.functions
        status = f"status/{_ID}.json"
        data = f"data/{_ID}.json"
        job = f"uploads/{_ID}"
        self._allow_s3(f["Upload"], write=(f"{job}/raw.csv", status))
        f["Orchestrator"].grant_invoke(f["Upload"])
        self._allow_s3(
            f["Orchestrator"],
            read=(f"{job}/raw.csv", status),
            write=(f"{job}/originals.json", f"{job}/batches.json", f"{job}/job.json", status),
            list_prefixes=(f"{job}/raw.csv", status),
        )
        self.state_machine.grant_start_execution(f["Orchestrator"])
        self._allow_s3(
            f["Processor"],
            read=(f"{job}/results/*",),
            write=(f"{job}/results/*",),
            list_prefixes=(f"{job}/job.json", f"{job}/results/*"),
        )
        if self.api_key_secret is not None:
            self.api_key_secret.grant_read(f["Processor"])
        self._allow_s3(
            f["Aggregator"],
            read=(f"{job}/job.json", f"{job}/originals.json", f"{job}/results/*", status),
            write=(data, status),
            list_prefixes=(f"{job}/job.json", f"{job}/results/*", status),
        )
        for name in ("JobFailed", "DeadLetterConsumer"):
            self._allow_s3(f[name], read=(status,), write=(status,), list_prefixes=(status,))
        self._allow_s3(
            f["Status"],
            read=(status, f"{job}/job.json"),
            # Only to mark a job that never started (STALE_AFTER_SECONDS).
            write=(status,),
            list_prefixes=(status, f"{job}/job.json", f"{job}/results/*"),
        )
        self._allow_s3(f["DataGet"], read=(data, status), list_prefixes=(data, status))
        self._allow_s3(
            f["DataDelete"],
            read=(status,),
            delete=(f"{job}/*", status, data),
            list_prefixes=(status, data, f"{job}/*"),
        )
        f["DataDelete"].add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:StopExecution"],
                resources=[self.executions_arn],
            )
        )
        # The Distributed Map: the item list, and the ResultWriter's output (child summaries).
        self.state_machine_role.add_to_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=self._objects(f"{job}/batches.json"))
        )
        self.state_machine_role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
                resources=self._objects(f"{job}/map-results/*"),
            )
        )
        for name in ("Orchestrator", "DataDelete"):
            f[name].add_environment("STATE_MACHINE_ARN", self.state_machine.state_machine_arn)
        self._grant_coordination()

    def _allow_table(self, fn: lambda_.Function, actions: list[str], leading_keys: list[str]) -> None:
        """``actions`` on the coordination table's items whose partition key matches ``leading_keys``."""
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=actions,
                resources=[self.coordination.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": leading_keys}},
            )
        )

    def _grant_coordination(self) -> None:
        """Admission and release of jobs (``bookenrich_aws.admission``), item by item."""
        f = self.functions
        release = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        job_keys = ["client#*", "job#*", "queue"]
        self._allow_table(f["Upload"], [*release, "dynamodb:PutItem"], job_keys)
        for name in ("Orchestrator", "Aggregator", "JobFailed", "DeadLetterConsumer", "DataDelete", "Status"):
            self._allow_table(f[name], release, job_keys)
        self._allow_table(f["Status"], ["dynamodb:Query"], ["queue"])
        # The other jobs' plans and progress, for the ETA.
        self._allow_table(f["Status"], ["dynamodb:BatchGetItem"], ["job#*"])
        # The shared budgets: the day's and the second's counters, and the job's own count.
        self._allow_table(f["Processor"], ["dynamodb:UpdateItem"], ["budget#*", "job#*"])
        self._allow_table(f["Processor"], ["dynamodb:GetItem"], ["job#*"])
        # The shared lookup cache: batched reads and writes of answers, nothing else; the
        # orchestrator only reads (which books it knows, to batch the others together).
        f["Processor"].add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"],
                resources=[self.lookup_cache.table_arn],
            )
        )
        if self.config.catalogue_gateway:
            f["Orchestrator"].add_to_role_policy(
                iam.PolicyStatement(actions=["dynamodb:BatchGetItem"], resources=[self.lookup_cache.table_arn])
            )

    # ---- API -----------------------------------------------------------------------------------

    def _api(self) -> apigw.HttpApi:
        api = apigw.HttpApi(
            self,
            "Api",
            description="bookenrich: upload a Goodreads export, poll its status, fetch or delete its dashboard",
            create_default_stage=False,
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=list(self.config.cors_origins),
                allow_methods=[apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.DELETE],
                allow_headers=["content-type"],
                max_age=cdk.Duration.hours(1),
            ),
        )
        self.stage = api.add_stage(
            "DefaultStage",
            stage_name="$default",
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=50, burst_limit=100),
        )
        routes = [
            ("/upload", apigw.HttpMethod.POST, "Upload"),
            ("/status/{uuid}", apigw.HttpMethod.GET, "Status"),
            ("/data/{uuid}", apigw.HttpMethod.GET, "DataGet"),
            ("/data/{uuid}", apigw.HttpMethod.DELETE, "DataDelete"),
        ]
        stage = self.stage.node.default_child
        assert isinstance(stage, apigw.CfnStage)
        for path, method, name in routes:
            for route in api.add_routes(
                path=path,
                methods=[method],
                integration=integrations.HttpLambdaIntegration(f"{name}Integration", self.functions[name]),
            ):
                # Route settings name routes by key: CloudFormation must create the routes first.
                stage.node.add_dependency(route)
        # Per-route throttles (the stage's default above applies to anything else).
        stage.route_settings = {
            route: {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
            for route, (rate, burst) in ROUTE_THROTTLES.items()
        }
        return api

    def _failed_execution_rule(self) -> None:
        """Executions that end without reaching the Catch (timeout, abort) still mark their job."""
        events.Rule(
            self,
            "JobExecutionEnded",
            description="A job execution failed, timed out or was aborted: mark the job 'error'",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={
                    "status": ["FAILED", "TIMED_OUT", "ABORTED"],
                    "stateMachineArn": [self.state_machine.state_machine_arn],
                },
            ),
            targets=[
                targets.LambdaFunction(
                    self.functions["JobFailed"],
                    retry_attempts=4,
                    max_event_age=cdk.Duration.hours(2),
                    dead_letter_queue=self.dead_letters,
                )
            ],
        )

    def _dead_letter_consumer(self) -> None:
        """Every dead letter marks its job ``error`` (bookenrich_aws.dead_letters)."""
        self.functions["DeadLetterConsumer"].add_event_source(
            event_sources.SqsEventSource(self.dead_letters, batch_size=10, report_batch_item_failures=True)
        )

    def _alarms(self) -> None:
        """Alarms on anything lost or failing, to an SNS topic (mailed to ``alarmEmail`` when set)."""
        self.alarm_topic = sns.Topic(self, "Alarms", display_name="bookenrich alarms")
        if self.config.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(self.config.alarm_email))
        five_minutes = cdk.Duration.minutes(5)
        alarms = {
            # Any dead letter at all: a job's start or its failure marking was lost (the consumer
            # marks the job, but someone should know why).
            "DeadLetterReceived": (
                self.dead_letters.metric_number_of_messages_sent(period=five_minutes, statistic="Sum"),
                "a job's asynchronous start or failure event went to the dead-letter queue",
            ),
            # A dead letter the consumer cannot handle stays: its job may still read 'processing'.
            "DeadLetterStuck": (
                self.dead_letters.metric_approximate_age_of_oldest_message(period=five_minutes, statistic="Maximum"),
                "a dead letter has not been consumed for 15 minutes",
            ),
            "OrchestratorErrors": (
                self.functions["Orchestrator"].metric_errors(period=five_minutes, statistic="Sum"),
                "the orchestrator failed (Lambda retries it, then dead-letters it)",
            ),
            "JobExecutionsFailed": (
                self.state_machine.metric_failed(period=five_minutes, statistic="Sum"),
                "a job execution failed",
            ),
            "JobExecutionsTimedOut": (
                self.state_machine.metric_timed_out(period=five_minutes, statistic="Sum"),
                "a job execution timed out",
            ),
        }
        thresholds = {"DeadLetterStuck": 15 * 60}
        action = cloudwatch_actions.SnsAction(self.alarm_topic)
        for name, (metric, description) in alarms.items():
            alarm = cloudwatch.Alarm(
                self,
                f"{name}Alarm",
                metric=metric,
                threshold=thresholds.get(name, 1),
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            alarm.add_alarm_action(action)
