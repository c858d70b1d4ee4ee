"""AWS Lambda handlers of the bookenrich scale-out deployment (docs/aws.md).

Every handler only does I/O (API Gateway events, S3, Step Functions); reading the export,
enriching books and building the dashboard are calls into the ``bookenrich`` package.

Handlers (``module.handler``):

- ``upload``         POST /upload: multipart CSV -> ``uploads/{uuid}/raw.csv``, status ``processing``
- ``status_api``     GET /status/{uuid}
- ``data_api``       GET /data/{uuid} (``get``) and DELETE /data/{uuid} (``delete``)
- ``orchestrator``   export -> batches + originals in S3 -> one Step Functions execution
- ``processor``      enriches one batch (a Distributed Map child)
- ``aggregator``     originals + every batch result -> ``data/{uuid}.json``, status ``complete``
- ``job_failed``     marks the job ``error`` (the state machine's Catch, or an execution that ended badly)
- ``dead_letters``   marks ``error`` the jobs of dead-lettered asynchronous invokes and events
"""
