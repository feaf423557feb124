import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One line of `{dataDir}/alerts.jsonl`. */
export interface AlertRecord {
  time: string;
  topic: string;
  subject: string | null;
  /** The published message, parsed when it is JSON. */
  message: unknown;
}

export interface PublishInput {
  TopicArn?: unknown;
  TargetArn?: unknown;
  Subject?: unknown;
  Message?: unknown;
}

export interface AlertSink {
  /** Stands in for `sns:publish`; returns what the service integration returns. */
  publish(input: PublishInput): Promise<{ MessageId: string }>;
  /** Waits for webhook deliveries still in flight (each is bounded by its timeout). */
  drain(): Promise<void>;
}

/** An SNS-shaped failure (`SNS.<Code>`), so Retry/Catch in the definition match as in AWS. */
export class SnsError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = `SNS.${code}`;
  }
}

const WEBHOOK_TIMEOUT_MS = 5_000;
const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * The local replacement for the SNS topics: one console line per alert, a JSONL file, and an
 * optional webhook (ALERT_WEBHOOK_URL) that is never allowed to fail the workflow.
 */
export function createAlertSink(options: {
  dataDir: string;
  topicArns: ReadonlyMap<string, string>;
  log: (line: string) => void;
  webhookUrl?: () => string | undefined;
}): AlertSink {
  const pending = new Set<Promise<void>>();
  const file = join(options.dataDir, 'alerts.jsonl');
  const webhookUrl = options.webhookUrl ?? (() => process.env.ALERT_WEBHOOK_URL);

  const deliver = (url: string, record: AlertRecord): void => {
    const delivery = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
      .then((response) => {
        if (!response.ok) options.log(`alert webhook answered ${response.status}`);
      })
      .catch((error: unknown) => {
        options.log(`alert webhook failed: ${error instanceof Error ? error.message : error}`);
      })
      .finally(() => pending.delete(delivery));
    pending.add(delivery);
  };

  return {
    publish: async (input) => {
      const arn = String(input.TopicArn ?? input.TargetArn ?? '');
      const topic = options.topicArns.get(arn);
      if (!topic) throw new SnsError('NotFoundException', `Topic does not exist: ${arn}`);
      // the service serialises a JSON Message object before publishing it
      const text =
        typeof input.Message === 'string' ? input.Message : JSON.stringify(input.Message);
      if (text === undefined || text.length === 0) {
        throw new SnsError('InvalidParameterException', 'Empty message');
      }
      if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
        throw new SnsError('InvalidParameterException', 'Message too long');
      }
      const subject = input.Subject === undefined ? null : String(input.Subject);
      if (subject !== null && (subject.length > 100 || /[\r\n]/.test(subject))) {
        throw new SnsError('InvalidParameterException', 'Subject must be one line of ≤100 chars');
      }
      const record: AlertRecord = {
        time: new Date().toISOString(),
        topic,
        subject,
        message: parseIfJson(text),
      };
      await appendFile(file, `${JSON.stringify(record)}\n`);
      options.log(`ALERT [${topic}] ${subject ?? '(no subject)'}`);
      const url = webhookUrl();
      if (url) deliver(url, record);
      return { MessageId: randomUUID() };
    },
    drain: async () => {
      await Promise.allSettled([...pending]);
    },
  };
}

function parseIfJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
