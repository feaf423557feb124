import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { ConfigError } from '../core/errors';
import { sfnClient } from './clients';

/**
 * Starting the ingest workflow from a handler (the replay API). Only this function holds
 * states:StartExecution, and only on the ingest state machine.
 */

const WorkflowEnvSchema = z.object({ STATE_MACHINE_ARN: z.string().min(1) });

/**
 * The ingest state machine's ARN. It is given to the replay function alone: the state machine
 * depends on the step functions, so they cannot also carry its ARN (a cycle).
 */
export function ingestStateMachineArn(): string {
  const parsed = WorkflowEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new ConfigError('Environment variable STATE_MACHINE_ARN is not set for this function.');
  }
  return parsed.data.STATE_MACHINE_ARN;
}

/**
 * Starts an execution under a caller-chosen name. Names are unique per state machine for 90
 * days, so a retried request with the same name starts nothing twice: the existing execution's
 * ARN is returned instead.
 */
export async function startExecution(
  stateMachineArn: string,
  name: string,
  input: unknown,
): Promise<{ executionArn: string; started: boolean }> {
  try {
    const response = await sfnClient().send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: response.executionArn ?? '', started: true };
  } catch (error) {
    const already =
      error instanceof ExecutionAlreadyExists ||
      (error as { name?: string } | null)?.name === 'ExecutionAlreadyExists';
    if (!already) throw error;
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    return { executionArn, started: false };
  }
}
