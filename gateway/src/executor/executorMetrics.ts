import { counter } from '@fedstack/runtime/metrics';

/** Operations the fast executor handed to Apollo's, by reason (see `ExecutorFallback`). */
export const executorFallbacks = counter({
  name: 'gateway_executor_fallbacks_total',
  help: "Operations the gateway's own executor handed to Apollo's executor, by reason",
  labelNames: ['reason'] as const,
});

/** Operations the fast executor ran itself (with `gateway_executor_fallbacks_total`, all of them). */
export const fastExecutions = counter({
  name: 'gateway_executor_fast_operations_total',
  help: "Operations the gateway's own executor ran without Apollo's executor",
});
