import type { EarlierAttempt } from '../../engine/earlier-attempt.js';
import { UsageError } from '../../errors.js';
import { toParameterInputs, type ParameterInputs } from '../../settings/params.js';

// What `flow runs retry` hands `flow run`: the earlier attempt, and the
// parameters the history kept. Those are the run's parameters, except its
// secret ones: the history kept them as '********', and they are taken again
// from a flag, the environment or the config, as a first run takes them.

export interface RetryPlan {
  readonly earlier: EarlierAttempt;
  /** The flow the run was of: the file must still define it. */
  readonly flowName: string;
  /** The parameters the history kept (secret ones masked). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The parameters that were secret when the run was recorded. */
  readonly secretNames: readonly string[];
  /** The run as messages name it: `flow run 'x' (1a2b3c4d)`. */
  readonly label: string;
}

const isGivenOnTheCommandLine = (source: string): boolean => source.startsWith('--param');

/**
 * The retry's parameter inputs: the recorded ones, and for secret
 * parameters (`secretNames`: those of the run and of the flow as it is now)
 * what the flags, environment and config give. A flag that sets another
 * parameter is refused: the retry is the same run, with the same parameters.
 */
export const retryParameterInputs = (plan: RetryPlan, given: ParameterInputs, secretNames: ReadonlySet<string>): ParameterInputs => {
  const secret = new Set([...plan.secretNames, ...secretNames]);
  for (const [name, value] of Object.entries(given)) {
    if (!secret.has(name) && isGivenOnTheCommandLine(value.source)) {
      throw new UsageError(
        `${value.source} sets parameter '${name}', but a retry runs ${plan.label} again with the parameters it had; only secret parameters are given again.`,
      );
    }
  }
  const recorded = Object.fromEntries(Object.entries(plan.parameters).filter(([name]) => !secret.has(name)));
  const inputs: Record<string, ParameterInputs[string]> = { ...toParameterInputs(recorded, `the run history (${plan.label})`) };
  for (const name of secret) {
    const value = given[name];
    if (value !== undefined) {
      inputs[name] = value;
    }
  }
  return inputs;
};
