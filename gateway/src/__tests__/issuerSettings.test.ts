import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIssuersFile } from '../auth/issuerSettings';

const ISSUER = 'https://sso.example.com/realms/shop';
const GOOD = {
  issuer: ISSUER,
  jwksUrl: `${ISSUER}/protocol/openid-connect/certs`,
  audience: 'fedstack-api',
  algorithms: ['RS256'],
  roleClaim: 'realm_access.roles',
  roles: { 'shop-admin': 'ADMIN' },
};

function fileWith(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fedstack-issuers-')), 'issuers.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('readIssuersFile', () => {
  it('reads an issuer with its defaults and claim paths', () => {
    const [issuer] = readIssuersFile(
      fileWith({ issuers: [{ ...GOOD, userIdClaim: 'https://example.com/uid' }] }),
      'fedstack',
    );
    expect(issuer).toMatchObject({
      audience: ['fedstack-api'],
      roleClaim: ['realm_access', 'roles'],
      userIdClaim: ['https://example.com/uid'],
      roleMap: [['shop-admin', 'ADMIN']],
      defaultRole: undefined,
      headerTypes: ['at+jwt', 'application/at+jwt'],
      clockToleranceSeconds: 5,
    });
  });

  it.each([
    ['algorithms', { algorithms: ['HS256'] }],
    ['algorithms', { algorithms: undefined }],
    ['audience', { audience: [] }],
    ['discoveryUrl', { discoveryUrl: `${ISSUER}/.well-known/openid-configuration` }],
    ['roles.shop-admin', { roles: { 'shop-admin': 'ROOT' } }],
    ['defaultRole', { defaultRole: 'admin' }],
    ['clockToleranceSeconds', { clockToleranceSeconds: 3600 }],
    ['algorithm', { algorithm: ['RS256'] }],
    ['issuer', { issuer: 'fedstack' }],
  ])('names the issuer and %s when it is wrong', (field, change) => {
    const file = fileWith([{ ...GOOD, ...change }]);
    const issuer = 'issuer' in change ? '"fedstack"' : `"${ISSUER}"`;
    expect(() => readIssuersFile(file, 'fedstack')).toThrow(`issuer ${issuer}: ${field}`);
  });

  it('refuses an issuer listed twice and an empty list', () => {
    expect(() => readIssuersFile(fileWith([GOOD, GOOD]), 'fedstack')).toThrow('listed twice');
    expect(() => readIssuersFile(fileWith({ issuers: [] }), 'fedstack')).toThrow('non-empty');
  });
});
