import { runService, startSubgraph } from '@fedstack/kit';
import { suppliersSubgraph } from './index';

runService('suppliers', () => startSubgraph(suppliersSubgraph));
