// The targets of model-based metrics, checked as explain checks them, before any metric runs: one
// integer class per sample, each below the model's number of outputs.
import { LrpError } from '../errors';
import type { Model } from '../model';
import type { Target } from '../explain/options';
import type { Tensor } from '../tensor';

/**
 * Runs the model once on the user's batch (so a bad input fails with the user's shapes, not a
 * perturbation batch's) and checks every target against its number of classes. Returns it.
 */
export async function checkTargets(model: Model, inputs: Tensor[], targets: readonly number[]): Promise<number> {
  const n = inputs[0].shape[0];
  if (targets.length !== n) throw new LrpError('LRP_BAD_ARGUMENT', `got ${targets.length} targets for a batch of ${n}`);
  const classes = await classesFor(model, inputs);
  targets.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= classes) {
      throw new LrpError('LRP_BAD_ARGUMENT', `target ${t} of sample ${i} is not a class index (the model has ${classes} classes)`);
    }
  });
  return classes;
}

// The number of classes a model gives for inputs of given shapes, once known: a search scores the
// same batch under many configurations, and evaluate() and each perturbation metric check the
// targets of every one of them.
const knownClasses = new WeakMap<Model, Map<string, number>>();

async function classesFor(model: Model, inputs: Tensor[]): Promise<number> {
  const shapes = JSON.stringify(inputs.map((t) => t.shape));
  const known = knownClasses.get(model)?.get(shapes);
  if (known !== undefined) return known;
  const logits = await model.forward(inputs);
  if (logits.shape.length !== 2) {
    throw new LrpError('LRP_BAD_SHAPE', `the metrics need a model with (N, classes) outputs, got [${logits.shape.join(',')}]`);
  }
  if (!knownClasses.has(model)) knownClasses.set(model, new Map());
  knownClasses.get(model)!.set(shapes, logits.shape[1]);
  return logits.shape[1];
}

/**
 * One class per sample from a target as the command line and configs give it: one class for the
 * batch, one per sample, or each sample's largest logit (one forward; the first of equal maxima).
 */
export async function classTargets(target: Target, batch: number, logits: () => Promise<Tensor>): Promise<number[]> {
  if (target === 'argmax') {
    const out = await logits();
    const classes = out.shape[1];
    return Array.from({ length: out.shape[0] }, (_, i) => {
      const row = out.data.subarray(i * classes, (i + 1) * classes);
      let best = 0;
      for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
      return best;
    });
  }
  return typeof target === 'number' ? new Array<number>(batch).fill(target) : [...target];
}
