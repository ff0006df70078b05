import type { SignedCall, SigningFetcher } from '@fedstack/envelope/signingFetcher';
import { createLogger } from '@fedstack/runtime/logger';
import { AccessTokenError } from '../auth/AccessTokenError';
import type { ExternalCaller } from '../auth/externalIssuer';
import { IdentityLinks } from '../auth/identityLinks';

const caller = (subject: string, role: ExternalCaller['role'] = 'USER'): ExternalCaller => ({
  issuer: 'https://idp.example.com/',
  subject,
  role,
  issuedAt: undefined,
  hints: {},
});

/** A users subgraph stand-in: each call answers a new user id, or what `answer` says. */
function fakeSubgraph(answer?: () => { status: number; body: unknown } | Error) {
  const calls: Array<Record<string, unknown>> = [];
  const fetcher = (async (call: SignedCall, _url: string, init?: { body?: unknown }) => {
    // Signed for the users subgraph, and as the gateway itself: no caller is forwarded.
    if (call.audience !== 'users' || call.identity) throw new Error('signed for the wrong call');
    calls.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    const reply = answer?.() ?? {
      status: 200,
      body: { userId: String(calls.length), tokenVersion: 3 },
    };
    if (reply instanceof Error) throw reply;
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  }) as unknown as SigningFetcher;
  return { calls, fetcher };
}

function linksWith(fetcher: SigningFetcher, maxEntries = 10, ttlMs = 60_000) {
  return new IdentityLinks({
    subgraph: 'users',
    subgraphUrl: () => 'http://users.invalid/graphql',
    fetcher,
    maxEntries,
    ttlMs,
    logger: createLogger({ service: 'test', level: 'silent', format: 'json' }),
  });
}

describe('IdentityLinks', () => {
  it('asks once per caller and role, sharing one request among concurrent first sightings', async () => {
    const { calls, fetcher } = fakeSubgraph();
    const links = linksWith(fetcher);
    const [a, b] = await Promise.all([
      links.identityOf(caller('alice')),
      links.identityOf(caller('alice')),
    ]);
    expect(a).toEqual({ userId: '1', role: 'USER', tokenVersion: 3 });
    expect(b).toEqual(a);
    expect(await links.identityOf(caller('alice'))).toEqual(a);
    expect(calls).toHaveLength(1);
    // Another role is another link: the users subgraph keeps the account's role in step.
    expect((await links.identityOf(caller('alice', 'ADMIN'))).role).toBe('ADMIN');
    expect(calls.map((call) => call.role)).toEqual(['USER', 'ADMIN']);
  });

  it('keeps at most maxEntries links, dropping the least recently used', async () => {
    const { calls, fetcher } = fakeSubgraph();
    const links = linksWith(fetcher, 2);
    await links.identityOf(caller('a'));
    await links.identityOf(caller('b'));
    await links.identityOf(caller('a'));
    await links.identityOf(caller('c')); // drops b
    await links.identityOf(caller('a'));
    expect(calls.map((call) => call.subject)).toEqual(['a', 'b', 'c']);
    await links.identityOf(caller('b'));
    expect(calls.map((call) => call.subject)).toEqual(['a', 'b', 'c', 'b']);
  });

  it('asks every time with a TTL of 0', async () => {
    const { calls, fetcher } = fakeSubgraph();
    const links = linksWith(fetcher, 10, 0);
    await links.identityOf(caller('a'));
    await links.identityOf(caller('a'));
    expect(calls).toHaveLength(2);
  });

  it('refuses a stale role (409) as revoked, and an unreachable subgraph as IDENTITY_UNAVAILABLE', async () => {
    const stale = linksWith(fakeSubgraph(() => ({ status: 409, body: {} })).fetcher);
    await expect(stale.identityOf(caller('a'))).rejects.toMatchObject({
      constructor: AccessTokenError,
      reason: 'revoked',
    });
    const down = linksWith(fakeSubgraph(() => new Error('connect ECONNREFUSED')).fetcher);
    await expect(down.identityOf(caller('a'))).rejects.toMatchObject({
      extensions: { code: 'IDENTITY_UNAVAILABLE' },
    });
    const odd = linksWith(fakeSubgraph(() => ({ status: 200, body: { userId: 7 } })).fetcher);
    await expect(odd.identityOf(caller('a'))).rejects.toMatchObject({
      extensions: { code: 'IDENTITY_UNAVAILABLE' },
    });
  });
});
