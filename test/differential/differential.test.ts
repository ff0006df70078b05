import { library, libraryOperations } from './fixtures/library';
import { media, mediaOperations } from './fixtures/media';
import { shop, shopOperations } from './fixtures/shop';
import { runDifferential } from './runDifferential';

/**
 * Every operation of every fixture, answered by stock @apollo/gateway and by this gateway (and by
 * this gateway with GATEWAY_EXECUTOR=fast once that setting exists), must get the same status,
 * `data` and `errors`. Normalised, because it differs by design (see `normaliseAnswer`): only the
 * error for a subgraph request that failed as a whole. Stock @apollo/gateway says `request to
 * http://<address>/graphql failed, reason: connect ECONNREFUSED <address>`, or for a non-2xx
 * answer `503: Service Unavailable` with the subgraph's URL and body in `extensions.response`,
 * with code `INTERNAL_SERVER_ERROR`. This gateway never shows a subgraph's address or body and
 * says `Subgraph "<name>" failed: connection refused` (or `answered HTTP 503`) with code
 * `SUBREQUEST_HTTP_ERROR` and `extensions.serviceName`; a client can see that difference. Where
 * that error sits, its path, the HTTP status the subgraph answered and the partial data around it
 * still compare exactly. Not compared: a subgraph answering non-2xx with a GraphQL body (Apollo
 * Server does so for an error with `extensions.http.status`). Stock @apollo/gateway then takes
 * `extensions.code` from the body's first error (e.g. `FORBIDDEN`) and puts the body in
 * `extensions.response`; this gateway answers `SUBREQUEST_HTTP_ERROR`, by design
 * (`throttledStatus` relies on it), so the fixture subgraphs answer such errors with HTTP 200.
 * This gateway runs with `SUBGRAPH_QUERY_RETRIES=0`; with its default of one retry, a subgraph
 * that is down fails alike, one connection attempt later.
 */
runDifferential(shop, shopOperations);
runDifferential(library, libraryOperations);
runDifferential(media, mediaOperations);
