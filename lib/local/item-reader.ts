import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** Error the service raises when a Distributed Map cannot read its items. */
export class ItemReaderError extends Error {
  override name = 'States.ItemReaderFailed';
}

export interface ItemReaderSpec {
  Resource: string;
  ReaderConfig?: {
    InputType?: string;
    CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
    CSVHeaders?: string[];
    CSVDelimiter?: string;
    MaxItems?: number;
    ItemsPointer?: string;
  };
}

const DELIMITERS: Record<string, string> = {
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  SPACE: ' ',
  TAB: '\t',
};

/**
 * Reads a Distributed Map's items from the local S3 the way the service's ItemReader does:
 * a JSON array, JSON Lines, CSV rows (as objects keyed by header), or an object listing.
 */
export async function readItems(
  s3: S3Client,
  reader: ItemReaderSpec,
  parameters: Record<string, unknown>,
  maxItems: number | undefined,
): Promise<unknown[]> {
  const action = reader.Resource.replace(/^arn:[^:]+:states:::/, '');
  const bucket = String(parameters.Bucket ?? '');
  const limit = maxItems ?? reader.ReaderConfig?.MaxItems;
  const items =
    action === 's3:listObjectsV2'
      ? await listObjects(s3, bucket, parameters.Prefix)
      : action === 's3:getObject'
        ? parseObject(await getText(s3, bucket, String(parameters.Key ?? '')), reader)
        : unsupported(`ItemReader resource ${reader.Resource}`);
  return limit && limit > 0 ? items.slice(0, limit) : items;
}

function unsupported(what: string): never {
  throw new ItemReaderError(`${what} is not supported by the local runtime`);
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ItemReaderError(`Cannot read s3://${bucket}/${key} (${reason})`);
  }
}

async function listObjects(s3: S3Client, bucket: string, prefix: unknown): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...(typeof prefix === 'string' ? { Prefix: prefix } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      items.push({
        Etag: object.ETag,
        Key: object.Key,
        LastModified: Math.floor((object.LastModified?.getTime() ?? 0) / 1000),
        Size: object.Size,
        StorageClass: object.StorageClass ?? 'STANDARD',
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return items;
}

function parseObject(text: string, reader: ItemReaderSpec): unknown[] {
  const inputType = reader.ReaderConfig?.InputType ?? 'JSON';
  switch (inputType) {
    case 'JSON': {
      let parsed = parseJson(text);
      const pointer = reader.ReaderConfig?.ItemsPointer;
      if (pointer) parsed = followPointer(parsed, pointer);
      if (!Array.isArray(parsed)) throw new ItemReaderError('The JSON item source is not an array');
      return parsed;
    }
    case 'JSONL':
      return text
        .split(/\r?\n/)
        .filter((line) => line.trim().length > 0)
        .map(parseJson);
    case 'CSV':
      return csvItems(text, reader);
    default:
      return unsupported(`ItemReader InputType ${inputType}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ItemReaderError('The item source is not valid JSON');
  }
}

function followPointer(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (node, token) =>
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')]
          : undefined,
      value,
    );
}

function csvItems(text: string, reader: ItemReaderSpec): unknown[] {
  const config = reader.ReaderConfig ?? {};
  const delimiter = DELIMITERS[config.CSVDelimiter ?? 'COMMA'] ?? ',';
  const rows = parseCsv(text, delimiter);
  const headers = config.CSVHeaderLocation === 'GIVEN' ? (config.CSVHeaders ?? []) : rows.shift();
  if (!headers) return [];
  return rows.map((row) => Object.fromEntries(headers.map((name, i) => [name, row[i] ?? ''])));
}

/** RFC 4180 rows: quoted fields may hold delimiters, doubled quotes and line breaks. */
function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}
