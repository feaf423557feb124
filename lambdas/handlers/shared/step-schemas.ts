import { z } from 'zod';

/**
 * The shapes that pass between workflow states (see lib/constructs/ingest-workflow.ts). Each is
 * the state's ResultPath payload, validated by the step that reads it.
 */

export const SubmissionRefSchema = z.object({
  submissionId: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  trust: z.string(),
  dataset: z.string(),
  period: z.string(),
  fileName: z.string(),
  receivedAt: z.string(),
  orderKey: z.string(),
  size: z.number().nonnegative(),
  duplicate: z.boolean(),
  keyProblem: z.string().nullable(),
  /** Set on a replay (POST /replay): the submission's status when the replay began. */
  replayedFrom: z.string().optional(),
});
export type SubmissionRef = z.infer<typeof SubmissionRefSchema>;

export const ChunkItemSchema = z.object({
  submissionId: z.string().min(1),
  bucket: z.string().min(1),
  period: z.string(),
  trust: z.string(),
  chunkKey: z.string().min(1),
  index: z.number().int().nonnegative(),
});
export type ChunkItem = z.infer<typeof ChunkItemSchema>;

export const ValidationResultSchema = z.object({
  status: z.enum(['VALID', 'REJECTED']),
  chunked: z.boolean(),
  chunkCount: z.number().int().nonnegative(),
  manifestKey: z.string().nullable(),
  firstChunk: ChunkItemSchema.nullable(),
  counts: z.object({
    total: z.number().int().nonnegative(),
    valid: z.number().int().nonnegative(),
    invalid: z.number().int().nonnegative(),
    warnings: z.number().int().nonnegative(),
  }),
  reportKey: z.string(),
  rejection: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ValidationResult = z.infer<typeof ValidationResultSchema>;

export const AggregateResultSchema = z.object({
  current: z.boolean(),
  supersedes: z.string().nullable(),
  supersededBy: z.string().nullable(),
  counted: z.record(z.string(), z.number()),
  warnings: z.record(z.string(), z.number()),
});
export type AggregateResult = z.infer<typeof AggregateResultSchema>;

/** What an SNS publish state sends: a subject line and a JSON message (no patient data). */
export interface AlertMessage {
  readonly subject: string;
  readonly message: Record<string, unknown>;
}
