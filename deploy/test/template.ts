// Test helpers: synthesize the stack offline, and turn CloudFormation
// intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) into concrete placeholder
// strings so the state machine definition becomes plain ASL JSON.
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { readConfig } from '../lib/config';
import { Csv2ddbStack } from '../lib/csv2ddb-stack';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface Synthesized {
  readonly stack: Csv2ddbStack;
  readonly template: Template;
  readonly json: CfnTemplate;
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: any }>;
  [key: string]: unknown;
}

// Assemblies are kept until exit: Annotations.fromStack synthesizes again.
const outdirs: string[] = [];
process.on('exit', () => {
  for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Synthesizes the stack with `context` (as `cdk synth -c k=v` would pass it);
 * allowPlaceholder is set unless `context` says otherwise, so the tests run
 * without the Lambda package.
 */
export function synth(context: Record<string, unknown> = {}): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv2ddb-cdk-'));
  outdirs.push(outdir);
  const app = new cdk.App({ outdir, context: { allowPlaceholder: true, ...context } });
  const config = readConfig((key) => app.node.tryGetContext(key));
  const stack = new Csv2ddbStack(app, 'Test', { config, env: { account: ACCOUNT, region: REGION } });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as CfnTemplate };
}

/** Logical ids of the resources of one type. */
export function resourcesOfType(json: CfnTemplate, type: string): string[] {
  return Object.keys(json.Resources).filter((id) => json.Resources[id].Type === type);
}

/** The single resource of a type (fails the test when there are 0 or 2+). */
export function only(json: CfnTemplate, type: string): { id: string; props: any } {
  const ids = resourcesOfType(json, type);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return { id: ids[0], props: json.Resources[ids[0]].Properties };
}

/** What `Ref` returns for a resource, per CloudFormation's docs, as a placeholder. */
function refOf(json: CfnTemplate, id: string): string {
  if (id === 'AWS::Partition') return 'aws';
  if (id === 'AWS::Region') return REGION;
  if (id === 'AWS::AccountId') return ACCOUNT;
  if (id === 'AWS::URLSuffix') return 'amazonaws.com';
  const res = json.Resources[id];
  if (!res) throw new Error(`Ref to unknown resource ${id}`);
  switch (res.Type) {
    case 'AWS::SNS::Topic': return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
    case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
    default: return id.toLowerCase(); // names: bucket, table, function, log group
  }
}

/** What `Fn::GetAtt [id, Arn]` returns, as a placeholder ARN. */
function arnOf(json: CfnTemplate, id: string): string {
  const res = json.Resources[id];
  if (!res) throw new Error(`GetAtt of unknown resource ${id}`);
  const name = id.toLowerCase();
  switch (res.Type) {
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    case 'AWS::S3::Bucket': return `arn:aws:s3:::${name}`;
    case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case 'AWS::Logs::LogGroup': return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
    default: throw new Error(`no placeholder ARN for ${res.Type}`);
  }
}

/** Resolves the intrinsics of `value` into strings; fails on any it cannot. */
export function resolve(json: CfnTemplate, value: any): any {
  if (Array.isArray(value)) return value.map((v) => resolve(json, v));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [k] = keys;
    const v = value[k];
    if (k === 'Ref') return refOf(json, v);
    if (k === 'Fn::GetAtt') {
      if (v[1] !== 'Arn') throw new Error(`GetAtt ${v[1]} unsupported`);
      return arnOf(json, v[0]);
    }
    if (k === 'Fn::Join') return (resolve(json, v[1]) as string[]).join(v[0]);
    if (k === 'Fn::Sub') {
      return (v as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => refOf(json, name));
    }
    if (k === 'Fn::Select') return (resolve(json, v[1]) as string[])[v[0]];
    if (k === 'Fn::Split') return (resolve(json, v[1]) as string).split(v[0]);
    if (k.startsWith('Fn::')) throw new Error(`intrinsic ${k} unsupported`);
  }
  const out: Record<string, any> = {};
  for (const k of keys) out[k] = resolve(json, value[k]);
  return out;
}

/** The state machine's definition as ASL (an object), intrinsics resolved. */
export function stateMachineDefinition(json: CfnTemplate): any {
  const sm = only(json, 'AWS::StepFunctions::StateMachine');
  const body = resolve(json, sm.props.DefinitionString);
  if (typeof body !== 'string') throw new Error('DefinitionString did not resolve to a string');
  return JSON.parse(body);
}

/** Every IAM statement of the stack's AWS::IAM::Policy resources and inline role policies. */
export function iamStatements(json: CfnTemplate): Array<{ owner: string; statement: any }> {
  const out: Array<{ owner: string; statement: any }> = [];
  const add = (owner: string, doc: any) => {
    for (const statement of [].concat(doc.Statement)) out.push({ owner, statement });
  };
  for (const id of resourcesOfType(json, 'AWS::IAM::Policy')) {
    add(id, json.Resources[id].Properties.PolicyDocument);
  }
  for (const id of resourcesOfType(json, 'AWS::IAM::Role')) {
    for (const p of json.Resources[id].Properties.Policies ?? []) add(id, p.PolicyDocument);
  }
  return out;
}

/** The AWS::IAM::Policy resources attached to the role `roleId`. */
export function policiesOfRole(json: CfnTemplate, roleId: string): string[] {
  return resourcesOfType(json, 'AWS::IAM::Policy').filter((id) =>
    (json.Resources[id].Properties.Roles as any[]).some((r) => r.Ref === roleId));
}

/** A list, whatever CloudFormation gave (a value or a list). */
export function asList<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}
