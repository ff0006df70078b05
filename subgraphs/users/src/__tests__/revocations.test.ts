import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import { Revocations } from '../auth/revocations';
import { usersSubgraph, type UsersConfig } from '../index';
import { defineModels, type Models } from '../models';

describe.each(testDatabases())('the revocation feed on %s', (database) => {
  let sub: TestSubgraph<UsersConfig>;
  let models: Models;

  beforeAll(async () => {
    sub = await startTestSubgraph(usersSubgraph, { database, seed: false });
    models = defineModels(sub.db.sequelize);
  });
  afterAll(() => sub.stop());

  const record = (userId: number, sessionId: string, createdAt: Date, expiresAt: Date) =>
    models.Revocation.create({
      userId,
      sessionId,
      minTokenVersion: null,
      reason: 'logout',
      createdAt,
      expiresAt,
    });

  it('lists the live entries made since a time, oldest first, and prunes only the dead ones', async () => {
    const revocations = new Revocations(models, 60);
    const now = Date.now();
    await record(1, 'old-dead', new Date(now - 120_000), new Date(now - 1000));
    await record(2, 'old-live', new Date(now - 90_000), new Date(now + 60_000));
    await record(3, 'new-live', new Date(now - 10_000), new Date(now + 60_000));

    const all = await revocations.since(new Date(0), 100);
    expect(all.map((entry) => entry.sessionId)).toEqual(['old-live', 'new-live']);
    expect(all[0]).toMatchObject({ userId: '2', reason: 'logout', expiresAt: now + 60_000 });
    const recent = await revocations.since(new Date(now - 30_000), 100);
    expect(recent.map((entry) => entry.sessionId)).toEqual(['new-live']);
    expect((await revocations.since(new Date(0), 1)).map((entry) => entry.sessionId)).toEqual([
      'old-live',
    ]);

    expect(await revocations.prune()).toBe(1);
    const left = await models.Revocation.findAll({ order: [['id', 'ASC']] });
    expect(left.map((row) => row.sessionId)).toEqual(['old-live', 'new-live']);
  });
});
