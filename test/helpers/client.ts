import { signEnvelope, type Identity } from '@fedstack/envelope/envelope';

/** A GraphQL answer's body as the tests read it. */
export interface GraphQLBody<TData> {
  data?: TData | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
}

export interface StackResponse<TData> {
  status: number;
  headers: Headers;
  body: GraphQLBody<TData>;
}

/**
 * POSTs a GraphQL operation to `url`. A body that is not JSON (a proxy's page, a crash) becomes
 * one error carrying its text, so a test reads what came back instead of a parse error.
 */
export async function postGraphQL<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<StackResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: GraphQLBody<TData>;
  try {
    body = JSON.parse(text) as GraphQLBody<TData>;
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, body };
}

/** A session from the `login` mutation. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  userId: string;
}

/** Logs in through the gateway at `gatewayUrl`; throws with the errors when it is refused. */
export async function loginAt(
  gatewayUrl: string,
  username: string,
  password: string,
): Promise<Session> {
  const response = await postGraphQL<{
    login: { accessToken: string; refreshToken: string; user: { id: string } };
  }>(
    gatewayUrl,
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken user { id } } }',
    { u: username, p: password },
  );
  const login = response.body.data?.login;
  if (!login) throw new Error(`login as ${username} failed: ${JSON.stringify(response.body)}`);
  return {
    accessToken: login.accessToken,
    refreshToken: login.refreshToken,
    userId: login.user.id,
  };
}

/**
 * POSTs `body` straight to a subgraph at `url`, signed for `audience` as the gateway signs with
 * `secret`: what a client on the internal network holding the secret could send.
 */
export function postSignedToSubgraph(
  url: string,
  options: { secret: string; audience: string; body: string; identity?: Identity | null },
): Promise<Response> {
  const { secret, audience, body, identity = null } = options;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signEnvelope(secret, { audience, identity, method: 'POST', body }),
    },
    body,
    signal: AbortSignal.timeout(30_000),
  });
}
