// Stack parameters, read from CDK context (`cdk deploy -c key=value` or the
// "context" of cdk.json) with the defaults of the reference architecture.
//
// Values given with `-c` arrive as strings, values in cdk.json as JSON; both
// are accepted. Every value is checked here, at synth time, so a bad
// parameter fails `cdk synth` with a message that names it instead of
// failing a deployment or a migration later.
import * as fs from 'fs';
import * as path from 'path';

export type KeyType = 'S' | 'N' | 'B';
export type Mode = 'csv' | 'range';
export type Architecture = 'x86_64' | 'arm64';

export interface Csv2ddbConfig {
  /** DynamoDB table name (created by the stack). */
  readonly tableName: string;
  readonly partitionKey: string;
  readonly partitionKeyType: KeyType;
  readonly sortKey?: string;
  readonly sortKeyType: KeyType;
  /** Mapping TOML (contents), passed to the worker as CSV2DDB_MAPPING_TOML. */
  readonly mappingToml: string;
  /** Absolute path of the mapping file it was read from. */
  readonly mappingFile: string;
  /**
   * Absolute path of the Lambda zip. Without it synth fails (naming `make
   * lambda-zip`) unless `allowPlaceholder` is set: then the placeholder
   * directory, for offline tests only.
   */
  readonly lambdaCode: string;
  readonly lambdaIsPlaceholder: boolean;
  /** The function's architecture; the package must be built for it. */
  readonly architecture: Architecture;
  /** Days after which the ResultWriter's files under migration_results/ expire. */
  readonly resultsExpirationDays: number;
  /**
   * csv: the Distributed Map reads the CSV itself (ItemReader CSV, header from
   *      the first row) and hands each worker a batch of rows (the reference).
   * range: it reads the chunk manifest of `csv2ddb plan` (ItemReader JSON) and
   *      hands each worker record-aligned byte ranges it reads from S3 itself.
   */
  readonly mode: Mode;
  readonly maxConcurrency: number;
  readonly maxItemsPerBatch: number;
  readonly maxInputBytesPerBatch: number;
  readonly toleratedFailurePercentage: number;
  /** Optional e-mail address subscribed to the results topic. */
  readonly notificationEmail?: string;
}

/** Step Functions caps MaxInputBytesPerBatch at 256 KiB. */
export const MAX_BATCH_BYTES_LIMIT = 256 * 1024;

/**
 * Lambda caps the environment at 4 KiB in total; the mapping travels in it,
 * so leave room for the other variables.
 */
export const MAX_MAPPING_BYTES = 3 * 1024;

export const DEFAULTS = {
  tableName: 'tb_ev_vehicle_data',
  partitionKey: 'dol_vehicle_id',
  partitionKeyType: 'S' as KeyType,
  sortKeyType: 'S' as KeyType,
  mappingFile: '../examples/ev_population.toml',
  lambdaZip: '../build/lambda/csv2ddb-lambda.zip',
  mode: 'csv' as Mode,
  maxConcurrency: 100,
  // csv mode: a batch is bounded by bytes first. An EV row is ~0.56 KB as the
  // JSON object the CSV reader makes of it, so 200 KiB holds ~370 rows (15
  // BatchWriteItem requests); 1000 items only caps batches of short rows.
  // The rest of the 256 KiB payload limit is headroom for BatchInput.
  maxItemsPerBatch: { csv: 1000, range: 1 },
  maxInputBytesPerBatch: 200 * 1024,
  toleratedFailurePercentage: 5,
  architecture: 'x86_64' as Architecture,
  resultsExpirationDays: 14,
};

/** What synth says when the Lambda package is missing. */
export function missingPackageMessage(zip: string): string {
  return `csv2ddb deploy: the Lambda package ${zip} does not exist. Build it first with ` +
    '`make lambda-zip` (from the repository root), then run cdk again. ' +
    '(Offline tests only: -c allowPlaceholder=true synthesizes a placeholder that fails every invocation.)';
}

/** Reads context values by key; an App's or a Stack's `node.tryGetContext`. */
export type ContextReader = (key: string) => unknown;

/** The deploy/ directory (holds cdk.json), whatever dist/ layout runs us. */
export function deployDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'cdk.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('csv2ddb deploy: cdk.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

export function readConfig(context: ContextReader, baseDir: string = deployDir()): Csv2ddbConfig {
  const str = (key: string, fallback?: string): string | undefined => {
    const v = context(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v !== 'string') throw new Error(`context '${key}' must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = context(key);
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`context '${key}' must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    }
    return n;
  };
  const keyType = (key: string, fallback: KeyType): KeyType => {
    const v = (str(key, fallback) as string).toUpperCase();
    if (v !== 'S' && v !== 'N' && v !== 'B') throw new Error(`context '${key}' must be S, N or B, got '${v}'`);
    return v;
  };

  const mode = str('mode', DEFAULTS.mode) as string;
  if (mode !== 'csv' && mode !== 'range') throw new Error(`context 'mode' must be 'csv' or 'range', got '${mode}'`);

  const tableName = str('tableName', DEFAULTS.tableName) as string;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new Error(`context 'tableName' is not a valid DynamoDB table name: '${tableName}'`);
  }
  const partitionKey = str('partitionKey', DEFAULTS.partitionKey) as string;
  const sortKey = str('sortKey');
  if (sortKey !== undefined && sortKey === partitionKey) {
    throw new Error(`context 'sortKey' must differ from 'partitionKey' ('${sortKey}')`);
  }

  const mappingFile = path.resolve(baseDir, str('mappingFile', DEFAULTS.mappingFile) as string);
  if (!fs.existsSync(mappingFile)) throw new Error(`context 'mappingFile': '${mappingFile}' does not exist`);
  const mappingToml = fs.readFileSync(mappingFile, 'utf8');
  if (Buffer.byteLength(mappingToml) > MAX_MAPPING_BYTES) {
    throw new Error(`mapping '${mappingFile}' is ${Buffer.byteLength(mappingToml)} bytes; ` +
      `the Lambda environment holds at most ${MAX_MAPPING_BYTES} (strip its comments)`);
  }

  const lambdaZip = path.resolve(baseDir, str('lambdaZip', DEFAULTS.lambdaZip) as string);
  const lambdaIsPlaceholder = !fs.existsSync(lambdaZip);
  const allowPlaceholder = context('allowPlaceholder');
  if (lambdaIsPlaceholder && allowPlaceholder !== true && allowPlaceholder !== 'true') {
    throw new Error(missingPackageMessage(lambdaZip));
  }
  const architecture = str('architecture', DEFAULTS.architecture) as string;
  if (architecture !== 'x86_64' && architecture !== 'arm64') {
    throw new Error(`context 'architecture' must be 'x86_64' or 'arm64', got '${architecture}'`);
  }

  return {
    tableName,
    partitionKey,
    partitionKeyType: keyType('partitionKeyType', DEFAULTS.partitionKeyType),
    sortKey,
    sortKeyType: keyType('sortKeyType', DEFAULTS.sortKeyType),
    mappingToml,
    mappingFile,
    lambdaCode: lambdaIsPlaceholder ? path.join(baseDir, 'placeholder') : lambdaZip,
    lambdaIsPlaceholder,
    architecture,
    resultsExpirationDays: int('resultsExpirationDays', DEFAULTS.resultsExpirationDays, 1, 3650),
    mode,
    maxConcurrency: int('maxConcurrency', DEFAULTS.maxConcurrency, 0, 10000),
    maxItemsPerBatch: int('maxItemsPerBatch', DEFAULTS.maxItemsPerBatch[mode], 1, 100000000),
    maxInputBytesPerBatch: int('maxInputBytesPerBatch', DEFAULTS.maxInputBytesPerBatch, 1, MAX_BATCH_BYTES_LIMIT),
    toleratedFailurePercentage: int('toleratedFailurePercentage', DEFAULTS.toleratedFailurePercentage, 0, 100),
    notificationEmail: str('notificationEmail'),
  };
}
