import { postgresSkipReason, testDatabases } from '@fedstack/kit/testing';
import { codesOf, startStack, type Stack } from '../helpers/stack';

/**
 * Refresh tokens are single-use: of concurrent uses of one token exactly one wins, and the others
 * count as reuse and end the whole login (its family), the winner's new token included. A logout
 * racing a rotation leaves no live token in the family either. On SQLite, writes in one process
 * are queued; on PostgreSQL they really run at the same time, so the claim itself must be atomic.
 */

const TRIALS = 20;
const REFRESH =
  'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const LOGOUT = 'mutation($t: String!) { logout(refreshToken: $t) }';

interface Rotated {
  refreshToken: { accessToken: string; refreshToken: string };
}

if (postgresSkipReason()) {
  console.log(`refreshRace: PostgreSQL variants skipped: ${postgresSkipReason() ?? ''}`);
}

describe.each(testDatabases())('refresh rotation races on %s', (database) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ database });
  });
  afterAll(() => stack.stop());

  const refresh = (token: string) => stack.request<Rotated>(REFRESH, { t: token });

  it(`two concurrent uses of one refresh token: one wins and the family is revoked (${TRIALS} trials)`, async () => {
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const { refreshToken } = await stack.login('alice', 'alice-password');
      const results = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
      const winners = results.filter((res) => res.body.data?.refreshToken);
      const losers = results.filter((res) => codesOf(res.body)[0] === 'UNAUTHENTICATED');
      expect({ trial, winners: winners.length, losers: losers.length }).toEqual({
        trial,
        winners: 1,
        losers: 1,
      });
      // The loser was a reuse: the winner's new token belongs to a revoked family.
      const next = winners[0]?.body.data?.refreshToken.refreshToken ?? '';
      expect(next).not.toBe('');
      expect(codesOf((await refresh(next)).body)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it(`logout racing a rotation leaves no live refresh token (${TRIALS} trials)`, async () => {
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const { refreshToken } = await stack.login('bob', 'bob-password');
      const [loggedOut, rotated] = await Promise.all([
        stack.request(LOGOUT, { t: refreshToken }),
        refresh(refreshToken),
      ]);
      expect(loggedOut.body.data).toEqual({ logout: true });
      const next = rotated.body.data?.refreshToken.refreshToken;
      if (next) {
        expect(codesOf((await refresh(next)).body)).toEqual(['UNAUTHENTICATED']);
      } else {
        expect(codesOf(rotated.body)).toEqual(['UNAUTHENTICATED']);
      }
      expect(codesOf((await refresh(refreshToken)).body)).toEqual(['UNAUTHENTICATED']);
    }
  });
});
