import { runStack } from './runStack';

/**
 * `npm start`: compose if stale, migrate and seed, then run every subgraph and the gateway
 * as separate processes until Ctrl-C or SIGTERM.
 */
runStack({ command: 'npm start' });
