import { library, libraryOperations } from './fixtures/library';
import { media, mediaOperations } from './fixtures/media';
import { shop, shopOperations } from './fixtures/shop';
import { runDifferential } from './runDifferential';

/**
 * Every operation of every fixture, answered by stock @apollo/gateway and by this gateway (and by
 * this gateway with GATEWAY_EXECUTOR=fast once that setting exists), must get the same `data` and
 * `errors`. Normalised, because it differs by design (see `normaliseAnswer`): only the error for a
 * subgraph request that failed as a whole. Stock @apollo/gateway says `request to
 * http://<address>/graphql failed, reason: connect ECONNREFUSED <address>` with code
 * `INTERNAL_SERVER_ERROR`; this gateway never shows a subgraph's address and says `Subgraph
 * "<name>" failed: connection refused` with code `SUBREQUEST_HTTP_ERROR` and
 * `extensions.serviceName`. Where that error sits, its path and the partial data around it still
 * compare exactly. This gateway runs with `SUBGRAPH_QUERY_RETRIES=0`: with its default of one
 * retry, a subgraph that is down still fails alike, one connection attempt later.
 */
runDifferential(shop, shopOperations);
runDifferential(library, libraryOperations);
runDifferential(media, mediaOperations);
