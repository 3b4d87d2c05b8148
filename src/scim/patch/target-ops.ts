import { ScimError } from '../errors.js';
import { applyMultiValued } from './multi-valued-ops.js';
import type { OperationName, PatchContext } from './patch-context.js';
import type { PatchTarget } from './patch-target.js';
import { applySingleValued } from './single-valued-ops.js';

/** Applies one operation to a resolved, writable target. */
export function applyToTarget(context: PatchContext, op: OperationName, target: PatchTarget, value: unknown): void {
  if (op !== 'remove' && value === undefined) throw ScimError.invalidValue(`'${op}' of '${target.text}' needs a value`);
  if (target.attribute.attribute.multiValued) applyMultiValued(context, op, target, value);
  else applySingleValued(context, op, target, value);
}
