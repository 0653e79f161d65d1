// The reference architecture "Migrate large CSV data sets to Amazon DynamoDB at
// scale using AWS Step Functions Distributed Map", with csv2ddb as the worker:
//
//   S3 CSV --ItemReader--> Distributed Map --ItemBatcher--> csv2ddb Lambda --> DynamoDB
//                               |  ResultWriter -> s3://BUCKET/migration_results/
//                               v                 error records -> s3://BUCKET/migration_errors/
//                          Consolidate (same Lambda) --> SNS publish of the summary
//
// One function serves both steps: a worker event carries "Items" (+ "BatchInput"),
// a consolidation event carries "report" (the Map's ResultWriterDetails).
// IAM is least privilege: every statement names the table, the bucket, a prefix
// of the bucket, the topic, the function or the state machine's own executions.
import * as cdk from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

import { Csv2ddbConfig, KeyType } from './config';

export const ERRORS_PREFIX = 'migration_errors';
export const RESULTS_PREFIX = 'migration_results';

/** The reference's Retry for transient Lambda errors: 2 s, backoff x2, 6 tries. */
export const LAMBDA_RETRY: sfn.RetryProps = {
  errors: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  interval: cdk.Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
};

/**
 * Batches that fail for a reason a later attempt can overcome: DynamoDB
 * throttling past the worker's own retries (WriteFailed), S3 reads and
 * writes (ReadFailed, RejectsFailed), the invocation's deadline
 * (Incomplete). Retried by the state machine with backoff and jitter, so
 * throttling delays a batch instead of failing it: 10 s, 20 s, 40 s, 80 s
 * (at most 5 min), 5 attempts in all.
 */
export const WORKER_RETRY: sfn.RetryProps = {
  errors: ['csv2ddb.WriteFailed', 'csv2ddb.ReadFailed', 'csv2ddb.RejectsFailed', 'csv2ddb.Incomplete'],
  interval: cdk.Duration.seconds(10),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: cdk.Duration.minutes(5),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * A ResultWriter whose grant is the results prefix only. CDK's own grants
 * s3:PutObject on the whole bucket, which would let the state machine
 * overwrite the source data.
 */
class PrefixResultWriter extends sfn.ResultWriterV2 {
  constructor(private readonly target: s3.IBucket, private readonly basePrefix: string) {
    // COMPACT: a succeeded child's entry is its output (the batch result),
    // not also its input (every row of the batch): the consolidation reads
    // a few dozen bytes per batch. JSONL: read line by line.
    // One prefix per execution (migration_results/<execution name>/<map run
    // id>/...): when the Map fails, its output (ResultWriterDetails) is lost
    // to the Catch, and the consolidation finds the manifest under it.
    super({
      bucket: target,
      prefix: resultsPrefixPath(basePrefix),
      writerConfig: new sfn.WriterConfig({
        transformation: sfn.Transformation.COMPACT,
        outputType: sfn.OutputType.JSONL,
      }),
    });
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: [this.target.arnForObjects(`${this.basePrefix}/*`)],
    })];
  }
}

/** migration_results/<execution name>, as a JSONPath intrinsic (States.Format). */
export function resultsPrefixPath(basePrefix: string): string {
  return sfn.JsonPath.format(`${basePrefix}/{}`, sfn.JsonPath.executionName);
}

export interface Csv2ddbStackProps extends cdk.StackProps {
  readonly config: Csv2ddbConfig;
}

export class Csv2ddbStack extends cdk.Stack {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly worker: lambda.Function;
  readonly topic: sns.Topic;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: Csv2ddbStackProps) {
    super(scope, id, props);
    // Render `resultWriterV2` (the only ResultWriter that is not deprecated);
    // set here, before any child exists, so the stack does not depend on cdk.json.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const config = props.config;

    this.bucket = new s3.Bucket(this, 'SourceBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
      lifecycleRules: [{
        // The batch results are read once, by the consolidation.
        id: 'ExpireMigrationResults',
        prefix: `${RESULTS_PREFIX}/`,
        expiration: cdk.Duration.days(config.resultsExpirationDays),
        abortIncompleteMultipartUploadAfter: cdk.Duration.days(1),
      }],
    });

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: config.tableName,
      partitionKey: { name: config.partitionKey, type: attributeType(config.partitionKeyType) },
      sortKey: config.sortKey ? { name: config.sortKey, type: attributeType(config.sortKeyType) } : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });

    this.worker = this.buildWorker(config);

    this.topic = new sns.Topic(this, 'ResultsTopic', { enforceSSL: true });
    if (config.notificationEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(config.notificationEmail));
    }

    this.stateMachine = new sfn.StateMachine(this, 'MigrationStateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `csv2ddb: CSV in S3 -> DynamoDB table ${config.tableName} (${config.mode} mode)`,
      definitionBody: sfn.DefinitionBody.fromChainable(this.buildDefinition(config)),
    });
    // ItemReader with Bucket.$ gets no grant from CDK: allow our bucket only.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects('*')],
    }));

    new cdk.CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new cdk.CfnOutput(this, 'TableName', { value: this.table.tableName });
    new cdk.CfnOutput(this, 'FunctionName', { value: this.worker.functionName });
    new cdk.CfnOutput(this, 'TopicArn', { value: this.topic.topicArn });
    new cdk.CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new cdk.CfnOutput(this, 'Mode', { value: config.mode });
  }

  private buildWorker(config: Csv2ddbConfig): lambda.Function {
    if (config.lambdaIsPlaceholder) {
      cdk.Annotations.of(this).addWarningV2('csv2ddb:placeholderLambda',
        'build/lambda/csv2ddb-lambda.zip not found and allowPlaceholder set: the Lambda uses ' +
        'deploy/placeholder/, whose bootstrap fails every invocation. Not for deployment: ' +
        'build the package with `make lambda-zip`.');
    }
    const logGroup = new logs.LogGroup(this, 'WorkerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    // An explicit role: the default one carries AWSLambdaBasicExecutionRole,
    // whose logs actions are granted on "*".
    const role = new iam.Role(this, 'WorkerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'csv2ddb worker: write the table, read the bucket, write migration_errors/',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteTable',
      actions: ['dynamodb:BatchWriteItem', 'dynamodb:DescribeTable'],
      resources: [this.table.tableArn],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      // rows of range mode, and migration_results/ for the consolidation
      sid: 'ReadSource',
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects('*')],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      // After a failed Map the consolidation looks for the ResultWriter's
      // manifest under migration_results/<execution name>/: one listing per
      // execution, never per batch, and of that prefix only.
      sid: 'FindResultsOfFailedMap',
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${RESULTS_PREFIX}/*`] } },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      // a batch's error records go under a key of their own (a re-run batch
      // replaces them): nothing is listed or deleted
      sid: 'WriteErrorRecords',
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(`${ERRORS_PREFIX}/*`)],
    }));

    return new lambda.Function(this, 'Worker', {
      description: 'csv2ddb: validate, transform and write a batch of CSV rows; consolidate the results',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: config.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(config.lambdaCode),
      memorySize: 1024,
      timeout: cdk.Duration.minutes(15),
      role,
      logGroup,
      environment: {
        CSV2DDB_TABLE: this.table.tableName,
        CSV2DDB_ERRORS_BUCKET: this.bucket.bucketName,
        CSV2DDB_ERRORS_PREFIX: ERRORS_PREFIX,
        CSV2DDB_MAPPING_TOML: config.mappingToml,
      },
    });
  }

  private buildDefinition(config: Csv2ddbConfig): sfn.IChainable {
    // Inside the Map: one Lambda invocation per batch. Transient Lambda errors
    // and the worker's retryable errors are retried; anything else (or the
    // last failed attempt) fails this batch: its error is kept in the
    // ResultWriter's FAILED files and the consolidation lists and judges it.
    const migrateBatch = new tasks.LambdaInvoke(this, 'Validate, Transform, and Migrate Items', {
      lambdaFunction: this.worker,
      payload: sfn.TaskInput.fromJsonPathAt('$'),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    migrateBatch.addRetry(LAMBDA_RETRY);
    migrateBatch.addRetry(WORKER_RETRY);
    migrateBatch.addCatch(new sfn.Fail(this, 'Batch Failed', {
      error: 'Csv2ddb.BatchFailed',
      causePath: '$.error.Cause',
    }), { errors: ['States.ALL'], resultPath: '$.error' });

    const itemReader = config.mode === 'csv'
      ? new sfn.S3CsvItemReader({
        bucketNamePath: sfn.JsonPath.stringAt('$.bucket_name'),
        key: sfn.JsonPath.stringAt('$.file_key'),
        csvHeaders: sfn.CsvHeaders.useFirstRow(),
      })
      : new sfn.S3JsonItemReader({
        bucketNamePath: sfn.JsonPath.stringAt('$.bucket_name'),
        key: sfn.JsonPath.stringAt('$.manifest_key'),
      });

    const map = new sfn.DistributedMap(this, 'Read Input File', {
      label: 'MigrateRows',
      itemReader,
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: config.maxItemsPerBatch,
        maxInputBytesPerBatch: config.maxInputBytesPerBatch,
        batchInput: { 'execution_name.$': '$$.Execution.Name' },
      }),
      maxConcurrency: config.maxConcurrency,
      // As the reference: past this share of failed batches (after their
      // retries) the Map fails, which leaves the execution redrivable (a
      // redrive re-runs the failed batches only). Within it, the summary
      // lists the failed batches and the consolidation judges them again
      // with the same percentage (execution/verdict.h).
      toleratedFailurePercentage: config.toleratedFailurePercentage,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      // Results go to S3, not into the 256 KiB state: the Map's output is
      // {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}.
      resultWriterV2: new PrefixResultWriter(this.bucket, RESULTS_PREFIX),
    });
    map.itemProcessor(migrateBatch);

    const consolidate = new tasks.LambdaInvoke(this, 'Consolidate Migration', {
      lambdaFunction: this.worker,
      payload: sfn.TaskInput.fromObject({
        execution_name: sfn.JsonPath.stringAt('$$.Execution.Name'),
        report: sfn.JsonPath.entirePayload,
        tolerated_failure_percentage: config.toleratedFailurePercentage,
      }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    consolidate.addRetry(LAMBDA_RETRY);

    // The summary is both the SNS message and the execution's output.
    const publish = new tasks.SnsPublish(this, 'Publish Results', {
      topic: this.topic,
      message: sfn.TaskInput.fromJsonPathAt('$'),
      resultPath: sfn.JsonPath.DISCARD,
    });

    // A failed consolidation is announced too, then the execution fails with it.
    const publishFailure = new tasks.SnsPublish(this, 'Publish Failure', {
      topic: this.topic,
      message: sfn.TaskInput.fromObject({
        STATUS: 'FAILED',
        EXECUTION_NAME: sfn.JsonPath.stringAt('$$.Execution.Name'),
        DESTINATION_TABLE_NAME: config.tableName,
        ERROR: sfn.JsonPath.stringAt('$.error.Error'),
        CAUSE: sfn.JsonPath.stringAt('$.error.Cause'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const failed = new sfn.Fail(this, 'Migration Failed', {
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    publishFailure.next(failed);
    consolidate.addCatch(publishFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    // A failed Map (past the tolerated failures, an unreadable CSV, ...) is
    // consolidated too: its output (ResultWriterDetails) is lost to the Catch,
    // so the consolidation gets the error and where the ResultWriter writes
    // this execution's results, reads whatever it wrote there (the batches
    // that finished) and publishes a summary with the counts, the failed
    // batches and STATUS FAILED.
    const mapFailed = new sfn.Pass(this, 'Collect Failed Map Run', {
      parameters: {
        MapError: sfn.JsonPath.objectAt('$.error'),
        ResultWriterPrefix: {
          Bucket: this.bucket.bucketName,
          Prefix: resultsPrefixPath(RESULTS_PREFIX),
        },
      },
    });
    map.addCatch(mapFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    mapFailed.next(consolidate);

    // After publishing: the verdict of the consolidation. A failed Map ends
    // the execution with the Map's error; too many failed batches (STATUS
    // FAILED) with States.ExceedToleratedFailureThreshold.
    const mapFailedEnd = new sfn.Fail(this, 'Map Failed', {
      errorPath: '$.MAP_ERROR.Error',
      causePath: '$.MAP_ERROR.Cause',
    });
    const tooManyFailed = new sfn.Fail(this, 'Too Many Failed Batches', {
      error: 'States.ExceedToleratedFailureThreshold',
      causePath: '$.ERROR',
    });
    const verdict = new sfn.Choice(this, 'Within Tolerated Failures?')
      .when(sfn.Condition.isPresent('$.MAP_ERROR'), mapFailedEnd)
      .when(sfn.Condition.stringEquals('$.STATUS', 'FAILED'), tooManyFailed)
      .otherwise(new sfn.Succeed(this, 'Migration Complete'));

    return map
      .next(consolidate)
      .next(publish)
      .next(verdict);
  }
}

function attributeType(t: KeyType): dynamodb.AttributeType {
  switch (t) {
    case 'S': return dynamodb.AttributeType.STRING;
    case 'N': return dynamodb.AttributeType.NUMBER;
    case 'B': return dynamodb.AttributeType.BINARY;
  }
}
