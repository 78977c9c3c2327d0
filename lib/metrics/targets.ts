// The targets of model-based metrics, checked as explain checks them, before any metric runs: one
// integer class per sample, each below the model's number of outputs.
import { LrpError } from '../errors';
import type { Model } from '../model';
import type { Tensor } from '../tensor';

/**
 * Runs the model once on the user's batch (so a bad input fails with the user's shapes, not a
 * perturbation batch's) and checks every target against its number of classes. Returns it.
 */
export async function checkTargets(model: Model, inputs: Tensor[], targets: readonly number[]): Promise<number> {
  const n = inputs[0].shape[0];
  if (targets.length !== n) throw new LrpError('LRP_BAD_ARGUMENT', `got ${targets.length} targets for a batch of ${n}`);
  const logits = await model.forward(inputs);
  if (logits.shape.length !== 2) {
    throw new LrpError('LRP_BAD_SHAPE', `the metrics need a model with (N, classes) outputs, got [${logits.shape.join(',')}]`);
  }
  const classes = logits.shape[1];
  targets.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= classes) {
      throw new LrpError('LRP_BAD_ARGUMENT', `target ${t} of sample ${i} is not a class index (the model has ${classes} classes)`);
    }
  });
  return classes;
}
