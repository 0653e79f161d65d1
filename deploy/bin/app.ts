#!/usr/bin/env node
// cdk app: one Csv2ddbStack, parameterised by CDK context (see lib/config.ts
// and README.md). Account and region come from the CLI's environment
// (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION); none is needed to synth.
import * as cdk from 'aws-cdk-lib';

import { readConfig } from '../lib/config';
import { Csv2ddbStack } from '../lib/csv2ddb-stack';

const app = new cdk.App();
const config = readConfig((key) => app.node.tryGetContext(key));
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Csv2ddbMigration';

new Csv2ddbStack(app, stackName, {
  config,
  description: `csv2ddb: CSV in S3 -> DynamoDB ${config.tableName} with Step Functions Distributed Map`,
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  },
});
