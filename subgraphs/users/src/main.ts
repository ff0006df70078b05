import { runService, startSubgraph } from '@fedstack/kit';
import { usersSubgraph } from './index';

runService('users', () => startSubgraph(usersSubgraph));
