import { runStack } from './runStack';
import { watchStack } from './watchStack';

/**
 * `npm run dev`: `npm start` in development mode, and every service restarted when its source
 * changes; a changed subgraph schema recomposes the supergraph, which the running gateway loads.
 */
if (process.env.NODE_ENV === 'production') {
  console.error('npm run dev failed: it runs in development only; NODE_ENV is "production"');
  process.exit(1);
}
runStack({ command: 'npm run dev', onReady: (stack) => watchStack(stack) });
