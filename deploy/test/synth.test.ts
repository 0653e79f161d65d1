// Synthesizes the stack offline and checks it against the reference
// architecture: resources and their properties, the Distributed Map's ASL
// (also validated by asl-validator), and least-privilege IAM.
// Run: npx tsc && node --test dist/test/synth.test.js
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { deployDir, readConfig } from '../lib/config';
import {
  ACCOUNT, REGION, asList, iamStatements, only, policiesOfRole, resolve, stateMachineDefinition, synth,
} from './template';

// asl-validator ships no type declarations.
type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) =>
  { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = require('asl-validator') as AslValidator;

const LAMBDA_RETRY = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};

/** The worker's Retry for its own retryable errors (WORKER_RETRY), as ASL. */
const WORKER_RETRY = {
  ErrorEquals: ['csv2ddb.WriteFailed', 'csv2ddb.ReadFailed', 'csv2ddb.RejectsFailed', 'csv2ddb.Incomplete'],
  IntervalSeconds: 10,
  MaxAttempts: 4,
  BackoffRate: 2,
  MaxDelaySeconds: 300,
  JitterStrategy: 'FULL',
};

const csv = synth();
const range = synth({ mode: 'range' });

const bucketId = only(csv.json, 'AWS::S3::Bucket').id;
const tableId = only(csv.json, 'AWS::DynamoDB::Table').id;
const topicId = only(csv.json, 'AWS::SNS::Topic').id;
const functionId = only(csv.json, 'AWS::Lambda::Function').id;
const stateMachine = only(csv.json, 'AWS::StepFunctions::StateMachine');

// Placeholder names and ARNs, as template.ts resolves them.
const BUCKET = bucketId.toLowerCase();
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableId.toLowerCase()}`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionId.toLowerCase()}`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${topicId}`;

/** The ResultWriter's prefix, one per execution. */
const RESULTS_PREFIX_PATH = "States.Format('migration_results/{}', $$.Execution.Name)";

function mapState(definition: any): any {
  const maps = Object.values(definition.States).filter((s: any) => s.Type === 'Map');
  assert.equal(maps.length, 1, 'one Map state');
  return maps[0];
}

describe('DynamoDB table', () => {
  test('on demand, keyed as in the reference (dol_vehicle_id, S)', () => {
    csv.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'tb_ev_vehicle_data',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'dol_vehicle_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'dol_vehicle_id', AttributeType: 'S' }],
    });
  });

  test('name, keys and key types come from context', () => {
    const s = synth({ tableName: 'orders', partitionKey: 'pk', partitionKeyType: 'N', sortKey: 'sk', sortKeyType: 'S' });
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'orders',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'N' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
    });
  });
});

describe('source bucket', () => {
  test('blocks public access', () => {
    csv.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
    });
  });

  test('expires migration_results/ (the batch results) after 14 days', () => {
    csv.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({
          Id: 'ExpireMigrationResults',
          Prefix: 'migration_results/',
          ExpirationInDays: 14,
          Status: 'Enabled',
        })],
      },
    });
    const s = synth({ resultsExpirationDays: '3' });
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 3 })] },
    });
  });

  test('denies requests without TLS', () => {
    csv.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });
});

describe('worker Lambda', () => {
  test('custom runtime provided.al2023, bootstrap, x86_64, 1024 MB, 15 min', () => {
    csv.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'provided.al2023',
      Handler: 'bootstrap',
      Architectures: ['x86_64'],
      MemorySize: 1024,
      Timeout: 900,
    });
  });

  test('environment: table, errors bucket and prefix, mapping', () => {
    const mapping = fs.readFileSync(path.join(deployDir(), '..', 'examples', 'ev_population.toml'), 'utf8');
    csv.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          CSV2DDB_TABLE: { Ref: tableId },
          CSV2DDB_ERRORS_BUCKET: { Ref: bucketId },
          CSV2DDB_ERRORS_PREFIX: 'migration_errors',
          CSV2DDB_MAPPING_TOML: mapping,
        },
      },
    });
  });

  test('without the package, synth fails naming `make lambda-zip`', () => {
    const context: Record<string, unknown> = { lambdaZip: 'no/such/csv2ddb-lambda.zip' };
    assert.throws(() => readConfig((key) => context[key]), /make lambda-zip/);
    assert.throws(() => synth({ ...context, allowPlaceholder: false }), /make lambda-zip/);
  });

  test('allowPlaceholder (offline tests) uses the placeholder bootstrap, with a warning', () => {
    const config = readConfig((key) => ({ lambdaZip: 'no/such/csv2ddb-lambda.zip', allowPlaceholder: 'true' } as any)[key]);
    assert.equal(config.lambdaIsPlaceholder, true);
    const bootstrap = path.join(config.lambdaCode, 'bootstrap');
    assert.ok(fs.statSync(bootstrap).mode & 0o111, 'placeholder bootstrap is executable');
    const s = synth({ lambdaZip: 'no/such/csv2ddb-lambda.zip' });
    Annotations.fromStack(s.stack).hasWarning('*', Match.stringLikeRegexp('make lambda-zip'));
  });

  test('architecture comes from context (the package must match it)', () => {
    synth({ architecture: 'arm64' }).template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
    });
    assert.throws(() => readConfig((key) => ({ architecture: 'sparc', allowPlaceholder: true } as any)[key]),
      /'architecture'/);
  });

  test('uses the built zip when it exists', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv2ddb-zip-'));
    const zip = path.join(dir, 'csv2ddb-lambda.zip');
    fs.writeFileSync(zip, 'not really a zip: CDK copies it as is');
    try {
      const config = readConfig((key) => ({ lambdaZip: zip } as any)[key]);
      assert.equal(config.lambdaIsPlaceholder, false);
      assert.equal(config.lambdaCode, zip);
      const s = synth({ lambdaZip: zip });
      Annotations.fromStack(s.stack).hasNoWarning('*', Match.stringLikeRegexp('make lambda-zip'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('state machine (csv mode)', () => {
  const definition = stateMachineDefinition(csv.json);
  const map = mapState(definition);

  test('starts with a Distributed Map', () => {
    assert.equal(definition.States[definition.StartAt], map);
    assert.deepEqual(map.ItemProcessor.ProcessorConfig, { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
  });

  test('ItemReader: CSV from $.bucket_name / $.file_key, header from the first row', () => {
    assert.deepEqual(map.ItemReader, {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      Parameters: { 'Bucket.$': '$.bucket_name', 'Key.$': '$.file_key' },
    });
  });

  test('ItemBatcher: max items, max bytes, execution_name as BatchInput', () => {
    assert.deepEqual(map.ItemBatcher, {
      MaxItemsPerBatch: 1000,
      MaxInputBytesPerBatch: 204800,
      BatchInput: { 'execution_name.$': '$$.Execution.Name' },
    });
  });

  test('MaxConcurrency 100, ToleratedFailurePercentage 5 (the Map and the consolidation)', () => {
    assert.equal(map.MaxConcurrency, 100);
    assert.equal(map.ToleratedFailurePercentage, 5);
    const consolidate = definition.States[map.Next];
    assert.equal(consolidate.Parameters.Payload.tolerated_failure_percentage, 5);
  });

  test('ResultWriter: the bucket, prefix migration_results/<execution name>, compact JSON Lines', () => {
    assert.deepEqual(map.ResultWriter, {
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: BUCKET, 'Prefix.$': RESULTS_PREFIX_PATH },
      WriterConfig: { Transformation: 'COMPACT', OutputType: 'JSONL' },
    });
  });

  test('item processor invokes the worker with the batch, the reference Retry, the worker Retry, a Catch', () => {
    const proc = map.ItemProcessor;
    const task = proc.States[proc.StartAt];
    assert.equal(task.Type, 'Task');
    assert.equal(task.Resource, 'arn:aws:states:::lambda:invoke');
    assert.deepEqual(task.Parameters, { FunctionName: FUNCTION_ARN, 'Payload.$': '$' });
    assert.equal(task.OutputPath, '$.Payload');
    assert.deepEqual(task.Retry, [LAMBDA_RETRY, WORKER_RETRY]);
    assert.equal(task.Catch.length, 1);
    assert.deepEqual(task.Catch[0].ErrorEquals, ['States.ALL']);
    assert.equal(proc.States[task.Catch[0].Next].Type, 'Fail');
  });

  test('then consolidation (same function, execution_name + report), then SNS publish', () => {
    const consolidate = definition.States[map.Next];
    assert.equal(consolidate.Resource, 'arn:aws:states:::lambda:invoke');
    assert.deepEqual(consolidate.Parameters, {
      FunctionName: FUNCTION_ARN,
      Payload: { 'execution_name.$': '$$.Execution.Name', 'report.$': '$', tolerated_failure_percentage: 5 },
    });
    assert.equal(consolidate.OutputPath, '$.Payload');
    assert.deepEqual(consolidate.Retry, [LAMBDA_RETRY]);

    const publish = definition.States[consolidate.Next];
    assert.equal(publish.Resource, 'arn:aws:states:::sns:publish');
    assert.deepEqual(publish.Parameters, { TopicArn: TOPIC_ARN, 'Message.$': '$' });
    assert.equal(publish.ResultPath, null, 'the execution output is the summary itself');
    // Published first, whatever the verdict; then a failed Map (MAP_ERROR)
    // fails the execution with the Map's error, STATUS FAILED with
    // States.ExceedToleratedFailureThreshold.
    const verdict = definition.States[publish.Next];
    assert.equal(verdict.Type, 'Choice');
    assert.deepEqual(verdict.Choices.map((c: any) => [c.Variable, c.IsPresent ?? c.StringEquals]),
      [['$.MAP_ERROR', true], ['$.STATUS', 'FAILED']]);
    const mapFailed = definition.States[verdict.Choices[0].Next];
    assert.equal(mapFailed.Type, 'Fail');
    assert.equal(mapFailed.ErrorPath, '$.MAP_ERROR.Error');
    assert.equal(mapFailed.CausePath, '$.MAP_ERROR.Cause');
    const failed = definition.States[verdict.Choices[1].Next];
    assert.equal(failed.Type, 'Fail');
    assert.equal(failed.Error, 'States.ExceedToleratedFailureThreshold');
    assert.equal(failed.CausePath, '$.ERROR');
    assert.equal(definition.States[verdict.Default].Type, 'Succeed');
  });

  test('a failed Map is caught and consolidated: the summary is always published', () => {
    assert.equal(map.Catch.length, 1);
    assert.deepEqual(map.Catch[0].ErrorEquals, ['States.ALL']);
    assert.equal(map.Catch[0].ResultPath, '$.error');
    const collect = definition.States[map.Catch[0].Next];
    assert.equal(collect.Type, 'Pass');
    // The Map's output (ResultWriterDetails) is lost to the Catch: the
    // consolidation gets the error and where this execution's results go.
    assert.deepEqual(collect.Parameters, {
      'MapError.$': '$.error',
      ResultWriterPrefix: { Bucket: BUCKET, 'Prefix.$': RESULTS_PREFIX_PATH },
    });
    assert.equal(collect.Next, map.Next, 'the same consolidation as a Map that succeeded');
    const consolidate = definition.States[collect.Next];
    assert.equal(definition.States[consolidate.Next].Resource, 'arn:aws:states:::sns:publish');
  });

  test('a failed consolidation is published, then fails the execution', () => {
    const consolidate = definition.States[map.Next];
    assert.deepEqual(consolidate.Catch.map((c: any) => c.ErrorEquals), [['States.ALL']]);
    const notify = definition.States[consolidate.Catch[0].Next];
    assert.equal(notify.Resource, 'arn:aws:states:::sns:publish');
    assert.equal(notify.Parameters.TopicArn, TOPIC_ARN);
    assert.equal(definition.States[notify.Next].Type, 'Fail');
  });

  test('is valid ASL (asl-validator)', () => {
    const result = aslValidator(definition);
    assert.ok(result.isValid, result.errorsText('\n'));
  });
});

describe('state machine (range mode)', () => {
  const definition = stateMachineDefinition(range.json);
  const map = mapState(definition);

  test('ItemReader: the JSON manifest at $.bucket_name / $.manifest_key', () => {
    assert.deepEqual(map.ItemReader, {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.bucket_name', 'Key.$': '$.manifest_key' },
    });
  });

  test('one byte range per invocation by default, same BatchInput', () => {
    assert.equal(map.ItemBatcher.MaxItemsPerBatch, 1);
    assert.deepEqual(map.ItemBatcher.BatchInput, { 'execution_name.$': '$$.Execution.Name' });
  });

  test('is valid ASL (asl-validator)', () => {
    const result = aslValidator(definition);
    assert.ok(result.isValid, result.errorsText('\n'));
  });
});

describe('context parameters', () => {
  test('override the Map settings (strings, as `-c` passes them)', () => {
    const s = synth({
      maxConcurrency: '50', maxItemsPerBatch: '100', maxInputBytesPerBatch: '65536', toleratedFailurePercentage: '10',
    });
    const map = mapState(stateMachineDefinition(s.json));
    assert.equal(map.MaxConcurrency, 50);
    assert.equal(map.ItemBatcher.MaxItemsPerBatch, 100);
    assert.equal(map.ItemBatcher.MaxInputBytesPerBatch, 65536);
    assert.equal(map.ToleratedFailurePercentage, 10);
    assert.equal(stateMachineDefinition(s.json).States[map.Next].Parameters.Payload.tolerated_failure_percentage, 10);
  });

  test('bad values fail synth with a message naming the parameter', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ mode: 'rows' }, /'mode'/],
      [{ maxInputBytesPerBatch: '300000' }, /'maxInputBytesPerBatch'/],
      [{ toleratedFailurePercentage: '101' }, /'toleratedFailurePercentage'/],
      [{ maxConcurrency: 'lots' }, /'maxConcurrency'/],
      [{ partitionKeyType: 'X' }, /'partitionKeyType'/],
      [{ tableName: 'ab' }, /'tableName'/],
      [{ mappingFile: 'no/such.toml' }, /'mappingFile'/],
    ];
    for (const [bad_context, message] of bad) {
      const context: Record<string, unknown> = { allowPlaceholder: true, ...bad_context };
      assert.throws(() => readConfig((key) => context[key]), message, JSON.stringify(context));
    }
  });
});

describe('IAM: least privilege', () => {
  const statements = iamStatements(csv.json).map(({ owner, statement }) => ({
    owner, statement: resolve(csv.json, statement),
  }));
  const workerRoleId = csv.json.Resources[functionId].Properties.Role['Fn::GetAtt'][0];
  const machineRoleId = stateMachine.props.RoleArn['Fn::GetAtt'][0];
  const of = (roleId: string) => {
    const owners = policiesOfRole(csv.json, roleId);
    return statements.filter((s) => owners.includes(s.owner)).map((s) => s.statement);
  };
  const grants = (list: any[]) => list.flatMap((st) =>
    asList(st.Action).map((action: string) => ({ action, resources: asList(st.Resource), condition: st.Condition })));

  test('no statement allows every resource or every action', () => {
    assert.ok(statements.length > 0);
    for (const { owner, statement } of statements) {
      assert.equal(statement.Effect, 'Allow', owner);
      for (const r of asList(statement.Resource)) assert.notEqual(r, '*', `${owner}: ${JSON.stringify(statement)}`);
      for (const a of asList(statement.Action) as string[]) assert.ok(!a.endsWith('*'), `${owner}: ${a}`);
    }
  });

  test('the roles carry no managed policies', () => {
    for (const id of [workerRoleId, machineRoleId]) {
      assert.equal(csv.json.Resources[id].Properties.ManagedPolicyArns, undefined, id);
    }
  });

  test('worker: the table, the bucket (read), migration_errors/ (put only: no list), its log group', () => {
    const expected: Record<string, string[]> = {
      'dynamodb:BatchWriteItem': [TABLE_ARN],
      'dynamodb:DescribeTable': [TABLE_ARN],
      's3:GetObject': [`${BUCKET_ARN}/*`],
      's3:PutObject': [`${BUCKET_ARN}/migration_errors/*`],
      's3:ListBucket': [BUCKET_ARN],
      'logs:CreateLogStream': [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:`],
      'logs:PutLogEvents': [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:`],
    };
    const seen = new Set<string>();
    for (const g of grants(of(workerRoleId))) {
      assert.ok(g.action in expected, `unexpected worker action ${g.action}`);
      seen.add(g.action);
      for (const r of g.resources) {
        assert.ok(expected[g.action].some((e) => (g.action.startsWith('logs:') ? r.startsWith(e) : r === e)),
          `${g.action} on ${r}`);
      }
    }
    assert.deepEqual([...seen].sort(), Object.keys(expected).sort());
    // The one listing (after a failed Map) is of migration_results/ only.
    const lists = grants(of(workerRoleId)).filter((g) => g.action === 's3:ListBucket');
    assert.deepEqual(lists.map((g) => g.condition), [{ StringLike: { 's3:prefix': ['migration_results/*'] } }]);
  });

  test('state machine: the function, the topic, the bucket, migration_results/, its own executions', () => {
    const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${stateMachine.id}`;
    const executions = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${stateMachine.id}:*`;
    const expected: Record<string, string[]> = {
      'lambda:InvokeFunction': [FUNCTION_ARN, `${FUNCTION_ARN}:*`],
      'sns:Publish': [TOPIC_ARN],
      's3:GetObject': [`${BUCKET_ARN}/*`, `${BUCKET_ARN}/migration_results/*`],
      's3:PutObject': [`${BUCKET_ARN}/migration_results/*`],
      's3:ListMultipartUploadParts': [`${BUCKET_ARN}/migration_results/*`],
      's3:AbortMultipartUpload': [`${BUCKET_ARN}/migration_results/*`],
      'states:StartExecution': [machineArn],
      'states:DescribeExecution': [executions],
      'states:StopExecution': [executions],
      'states:RedriveExecution': [`arn:aws:states:${REGION}:${ACCOUNT}:execution:${stateMachine.id}/MigrateRows:*`],
    };
    const seen = new Set<string>();
    for (const g of grants(of(machineRoleId))) {
      assert.ok(g.action in expected, `unexpected state machine action ${g.action}`);
      seen.add(g.action);
      for (const r of g.resources) assert.ok(expected[g.action].includes(r), `${g.action} on ${r}`);
    }
    assert.deepEqual([...seen].sort(), Object.keys(expected).sort());
  });
});

test('outputs name what the README commands need', () => {
  for (const name of ['BucketName', 'TableName', 'StateMachineArn', 'TopicArn', 'FunctionName']) {
    csv.template.hasOutput(name, Match.anyValue());
  }
});
