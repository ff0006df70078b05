import type { Viewer } from '@fedstack/kit';
import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import { suppliersSubgraph, type SuppliersConfig } from '../index';
import { defineSupplierModel } from '../models/Supplier';
import { admin, alice, bob, carol, codes, supplierInput, suppliersSelects } from './helpers';

describe.each(testDatabases())('on %s', (database) => {
  const SUPPLIER = `query($id: ID!) { supplier(id: $id) { id name surname address createdBy { id } createdAt } }`;
  const SUPPLIERS = `query($limit: Int, $offset: Int) { suppliers(limit: $limit, offset: $offset) { id } }`;
  const SUPPLIER_ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Supplier { id name } } }`;
  const USER_SUPPLIERS = `query($r: [_Any!]!, $limit: Int, $offset: Int) {
    _entities(representations: $r) { ... on User { id suppliers(limit: $limit, offset: $offset) { id } } }
  }`;

  let sub: TestSubgraph<SuppliersConfig>;
  const created: Record<string, string[]> = {};
  const all: string[] = [];
  let orphan: string;

  async function createSuppliers(viewer: Viewer, count: number): Promise<void> {
    for (let index = 1; index <= count; index += 1) {
      const response = await sub.query<{ createSupplier: { id: string } }>(
        `mutation($input: CreateSupplierInput!) { createSupplier(input: $input) { id } }`,
        { input: supplierInput(`${viewer.id}-${index}`) },
        viewer,
      );
      const id = response.body.data?.createSupplier.id;
      if (!id) throw new Error(`createSupplier failed: ${JSON.stringify(response.body)}`);
      (created[viewer.id] ??= []).push(id);
      all.push(id);
    }
  }

  function idsOf(viewer: Viewer): string[] {
    const ids = created[viewer.id];
    if (!ids) throw new Error(`no suppliers created by ${viewer.id}`);
    return ids;
  }

  const supplierRef = (id: string) => ({ __typename: 'Supplier', id });
  const userRef = (viewer: Viewer) => ({ __typename: 'User', id: viewer.id });
  const idList = (ids: string[]) => ids.map((id) => ({ id }));

  beforeAll(async () => {
    sub = await startTestSubgraph(suppliersSubgraph, { database });
    await createSuppliers(alice, 3);
    await createSuppliers(bob, 2);
    await createSuppliers(alice, 1);
    await createSuppliers(carol, 4);
    // A supplier whose creator is unknown, as rows written before creators were recorded are.
    const row = await defineSupplierModel(sub.db.sequelize).create({
      ...supplierInput('orphan'),
      createdById: null,
    });
    orphan = String(row.id);
    all.push(orphan);
  });

  afterAll(() => sub.stop());

  describe('supplier(id)', () => {
    it.each([
      ['anonymous', null],
      ['another user', bob],
      ['an admin', admin],
    ])('is public: %s sees it', async (_label, viewer) => {
      const id = idsOf(alice)[0];
      const response = await sub.query<{ supplier: { createdAt: string } }>(
        SUPPLIER,
        { id },
        viewer,
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.supplier).toMatchObject({
        id,
        ...supplierInput(`${alice.id}-1`),
        createdBy: { id: alice.id },
      });
      expect(response.body.data?.supplier.createdAt).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      );
    });

    it('answers createdBy null when the creator is unknown', async () => {
      const response = await sub.query(
        `query($id: ID!) { supplier(id: $id) { createdBy { id } } }`,
        {
          id: orphan,
        },
      );
      expect(response.body).toEqual({ data: { supplier: { createdBy: null } } });
    });

    it('answers null for a missing id, and for a malformed one without running SQL', async () => {
      const missing = await sub.query(SUPPLIER, { id: '999999' });
      expect(missing.body).toEqual({ data: { supplier: null } });
      sub.sql.length = 0;
      const malformed = await sub.query(SUPPLIER, { id: 'abc' });
      expect(malformed.body).toEqual({ data: { supplier: null } });
      expect(suppliersSelects(sub.sql)).toEqual([]);
    });
  });

  describe('suppliers', () => {
    it('lists every supplier to anyone, oldest first', async () => {
      const anonymous = await sub.query(SUPPLIERS, {});
      expect(anonymous.body).toEqual({ data: { suppliers: idList(all) } });
      const user = await sub.query(SUPPLIERS, {}, carol);
      expect(user.body).toEqual({ data: { suppliers: idList(all) } });
    });

    it('pages with limit and offset', async () => {
      const response = await sub.query(SUPPLIERS, { limit: 3, offset: 2 });
      expect(response.body).toEqual({ data: { suppliers: idList(all.slice(2, 5)) } });
      const past = await sub.query(SUPPLIERS, { limit: 100, offset: all.length });
      expect(past.body).toEqual({ data: { suppliers: [] } });
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ offset: -1 }, 'offset'],
    ])('refuses %j with BAD_USER_INPUT naming %s', async (page, field) => {
      const response = await sub.query(SUPPLIERS, page);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(response.body.errors?.[0]?.message).toMatch(new RegExp(`^${field}:`));
    });
  });

  describe('Supplier entities (_entities)', () => {
    it('resolves suppliers for anyone, null for missing or malformed ids', async () => {
      const [a1] = idsOf(alice);
      const response = await sub.query(SUPPLIER_ENTITIES, {
        r: [supplierRef(a1!), supplierRef('424242'), supplierRef('nope')],
      });
      expect(response.body).toEqual({
        data: { _entities: [{ id: a1, name: `Name ${alice.id}-1` }, null, null] },
      });
    });

    it('loads three suppliers with one SELECT', async () => {
      const ids = [idsOf(carol)[2]!, idsOf(alice)[0]!, idsOf(bob)[1]!];
      sub.sql.length = 0;
      const response = await sub.query<{ _entities: Array<{ id: string }> }>(SUPPLIER_ENTITIES, {
        r: ids.map(supplierRef),
      });
      expect(response.body.data?._entities.map((supplier) => supplier.id)).toEqual(ids);
      expect(suppliersSelects(sub.sql)).toHaveLength(1);
    });
  });

  describe('User.suppliers', () => {
    it('is public: anyone sees what a user created', async () => {
      const response = await sub.query(USER_SUPPLIERS, { r: [userRef(alice)] });
      expect(response.body).toEqual({
        data: { _entities: [{ id: alice.id, suppliers: idList(idsOf(alice)) }] },
      });
    });

    it("pages three users' suppliers with one SELECT", async () => {
      sub.sql.length = 0;
      const response = await sub.query(
        USER_SUPPLIERS,
        { r: [userRef(carol), userRef(alice), userRef(bob), userRef(admin)], limit: 2, offset: 1 },
        bob,
      );
      expect(response.body).toEqual({
        data: {
          _entities: [
            { id: carol.id, suppliers: idList(idsOf(carol).slice(1, 3)) },
            { id: alice.id, suppliers: idList(idsOf(alice).slice(1, 3)) },
            { id: bob.id, suppliers: idList(idsOf(bob).slice(1, 3)) },
            { id: admin.id, suppliers: [] },
          ],
        },
      });
      expect(suppliersSelects(sub.sql)).toHaveLength(1);
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ offset: -1 }, 'offset'],
    ])('refuses %j with BAD_USER_INPUT naming %s', async (page, field) => {
      const response = await sub.query(USER_SUPPLIERS, { r: [userRef(alice)], ...page });
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
    });
  });
});
