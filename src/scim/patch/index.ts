/**
 * SCIM PATCH (RFC 7644 §3.5.2): operations compiled into typed steps (patch-steps.ts), and the
 * applier that runs them on a copy of a resource (apply-steps.ts). Other ways of storing a
 * resource consume the same steps (a Group's membership changes: directory/group-membership.ts).
 */
export { applyPatch, type PatchResult } from './apply-steps.js';
export { compilePatch, type PatchStep, type StepConsumer } from './patch-steps.js';
export type { PatchTarget } from './patch-target.js';
export { normalizeForWrite } from './patch-values.js';
