/**
 * Why an operation goes to Apollo's executor instead of the gateway's own: `introspection`,
 * `defer`, `subscription`, `context` (a plan with `@fromContext` rewrites), `traces` (usage
 * traces requested), `unknown-type`, `directive-argument`, `no-operation`, `planner` (no planner
 * loaded yet).
 */
export class ExecutorFallback extends Error {
  constructor(readonly reason: string) {
    super(`falls back to Apollo's executor: ${reason}`);
    this.name = 'ExecutorFallback';
  }
}
