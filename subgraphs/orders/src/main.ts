import { runService, startSubgraph } from '@fedstack/kit';
import { ordersSubgraph } from './index';

runService('orders', () => startSubgraph(ordersSubgraph));
