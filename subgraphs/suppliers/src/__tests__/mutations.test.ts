import type { Viewer } from '@fedstack/kit';
import { startTestSubgraph, testDatabases, type TestSubgraph } from '@fedstack/kit/testing';
import { suppliersSubgraph, type SuppliersConfig } from '../index';
import { defineSupplierModel } from '../models/Supplier';
import { admin, alice, bob, codes, supplierInput } from './helpers';

describe.each(testDatabases())('on %s', (database) => {
  const CREATE = `mutation($input: CreateSupplierInput!) {
    createSupplier(input: $input) { id name surname address createdBy { id } }
  }`;
  const UPDATE = `mutation($id: ID!, $input: UpdateSupplierInput!) {
    updateSupplier(id: $id, input: $input) { id name surname address createdBy { id } }
  }`;
  const DELETE = `mutation($id: ID!) { deleteSupplier(id: $id) }`;

  let sub: TestSubgraph<SuppliersConfig>;

  beforeAll(async () => {
    sub = await startTestSubgraph(suppliersSubgraph, { database });
  });

  afterAll(() => sub.stop());

  function model() {
    return defineSupplierModel(sub.db.sequelize);
  }

  async function create(viewer: Viewer, tag = 'x'): Promise<string> {
    const response = await sub.query<{ createSupplier: { id: string } }>(
      CREATE,
      { input: supplierInput(tag) },
      viewer,
    );
    const id = response.body.data?.createSupplier.id;
    if (!id) throw new Error(`createSupplier failed: ${JSON.stringify(response.body)}`);
    return id;
  }

  async function stored(id: string) {
    const row = await model().findByPk(Number(id));
    return row && { name: row.name, surname: row.surname, address: row.address };
  }

  describe('createSupplier', () => {
    it('is UNAUTHENTICATED for an anonymous caller and stores nothing', async () => {
      const before = await model().count();
      const response = await sub.query(CREATE, { input: supplierInput('anon') });
      expect(response.body.data).toBeNull();
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(await model().count()).toBe(before);
    });

    it('records the caller as the creator and trims the text', async () => {
      const response = await sub.query<{ createSupplier: { id: string } }>(
        CREATE,
        { input: { name: '  Ada ', surname: ' Byron', address: ' 1 Lane  ' } },
        alice,
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.createSupplier).toMatchObject({
        name: 'Ada',
        surname: 'Byron',
        address: '1 Lane',
        createdBy: { id: alice.id },
      });
      const row = await model().findByPk(Number(response.body.data?.createSupplier.id));
      expect(row?.createdById).toBe(alice.id);
    });

    it.each([
      ['an empty name', { name: '' }, 'input.name'],
      ['a blank surname', { surname: '   ' }, 'input.surname'],
      ['a 101-character name', { name: 'n'.repeat(101) }, 'input.name'],
      ['a 101-character surname', { surname: 's'.repeat(101) }, 'input.surname'],
      ['a 301-character address', { address: 'a'.repeat(301) }, 'input.address'],
      ['an empty address', { address: '' }, 'input.address'],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, override, field) => {
      const before = await model().count();
      const response = await sub.query(
        CREATE,
        { input: { ...supplierInput('bad'), ...override } },
        alice,
      );
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(response.body.errors?.[0]?.message).toContain(field);
      expect(await model().count()).toBe(before);
    });

    it('accepts the longest values', async () => {
      const input = { name: 'n'.repeat(100), surname: 's'.repeat(100), address: 'a'.repeat(300) };
      const response = await sub.query(CREATE, { input }, bob);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.createSupplier).toMatchObject(input);
    });
  });

  describe('updateSupplier', () => {
    it('is UNAUTHENTICATED for an anonymous caller', async () => {
      const id = await create(alice, 'u1');
      const response = await sub.query(UPDATE, { id, input: { name: 'Changed' } });
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(await stored(id)).toEqual(supplierInput('u1'));
    });

    it('is FORBIDDEN for a user who did not create it', async () => {
      const id = await create(alice, 'u2');
      const response = await sub.query(UPDATE, { id, input: { name: 'Changed' } }, bob);
      expect(response.body.data).toBeNull();
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(await stored(id)).toEqual(supplierInput('u2'));
    });

    it('lets the creator change only the fields given', async () => {
      const id = await create(alice, 'u3');
      const response = await sub.query(UPDATE, { id, input: { name: ' Renamed ' } }, alice);
      expect(response.body).toEqual({
        data: {
          updateSupplier: {
            id,
            ...supplierInput('u3'),
            name: 'Renamed',
            createdBy: { id: alice.id },
          },
        },
      });
      expect(await stored(id)).toEqual({ ...supplierInput('u3'), name: 'Renamed' });
    });

    it("lets an admin change anyone's supplier, keeping its creator", async () => {
      const id = await create(bob, 'u4');
      const response = await sub.query(
        UPDATE,
        { id, input: { surname: 'New', address: 'Elsewhere 2' } },
        admin,
      );
      expect(response.body.data).toEqual({
        updateSupplier: {
          id,
          name: 'Name u4',
          surname: 'New',
          address: 'Elsewhere 2',
          createdBy: { id: bob.id },
        },
      });
    });

    it('lets only an admin change a supplier whose creator is unknown', async () => {
      const row = await model().create({ ...supplierInput('u5'), createdById: null });
      const id = String(row.id);
      const denied = await sub.query(UPDATE, { id, input: { name: 'Mine' } }, alice);
      expect(codes(denied)).toEqual(['FORBIDDEN']);
      const allowed = await sub.query(UPDATE, { id, input: { name: 'Fixed' } }, admin);
      expect(allowed.body.errors).toBeUndefined();
      expect(await stored(id)).toEqual({ ...supplierInput('u5'), name: 'Fixed' });
    });

    it.each(['999999', '2147483648', '9007199254740991', 'abc', '0'])(
      'is NOT_FOUND for the missing or malformed id %s',
      async (id) => {
        const asAdmin = await sub.query(UPDATE, { id, input: { name: 'Changed' } }, admin);
        expect(codes(asAdmin)).toEqual(['NOT_FOUND']);
        const asUser = await sub.query(UPDATE, { id, input: { name: 'Changed' } }, bob);
        expect(codes(asUser)).toEqual(['NOT_FOUND']);
      },
    );

    it.each([
      ['a null name', { name: null }, 'input.name'],
      ['a null surname', { surname: null }, 'input.surname'],
      ['a null address', { address: null }, 'input.address'],
      ['a blank name', { name: '  ' }, 'input.name'],
      ['a 101-character surname', { surname: 's'.repeat(101) }, 'input.surname'],
      ['a 301-character address', { address: 'a'.repeat(301) }, 'input.address'],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
      const id = await create(alice, 'u6');
      const response = await sub.query(UPDATE, { id, input }, alice);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(await stored(id)).toEqual(supplierInput('u6'));
    });
  });

  describe('deleteSupplier', () => {
    it('is UNAUTHENTICATED for an anonymous caller', async () => {
      const id = await create(alice, 'd1');
      const response = await sub.query(DELETE, { id });
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(await stored(id)).not.toBeNull();
    });

    it('is FORBIDDEN for a user who did not create it', async () => {
      const id = await create(alice, 'd2');
      const response = await sub.query(DELETE, { id }, bob);
      expect(response.body.data).toBeNull();
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(await stored(id)).not.toBeNull();
    });

    it('lets the creator delete it, after which it is gone', async () => {
      const id = await create(alice, 'd3');
      const response = await sub.query(DELETE, { id }, alice);
      expect(response.body).toEqual({ data: { deleteSupplier: true } });
      expect(await stored(id)).toBeNull();
      const read = await sub.query(`query($id: ID!) { supplier(id: $id) { id } }`, { id });
      expect(read.body).toEqual({ data: { supplier: null } });
      const again = await sub.query(DELETE, { id }, alice);
      expect(codes(again)).toEqual(['NOT_FOUND']);
    });

    it("lets an admin delete anyone's supplier", async () => {
      const id = await create(bob, 'd4');
      const response = await sub.query(DELETE, { id }, admin);
      expect(response.body).toEqual({ data: { deleteSupplier: true } });
      expect(await stored(id)).toBeNull();
    });

    it.each(['999999', '2147483648', '9007199254740991', 'abc'])(
      'is NOT_FOUND for the missing or malformed id %s',
      async (id) => {
        const response = await sub.query(DELETE, { id }, admin);
        expect(codes(response)).toEqual(['NOT_FOUND']);
      },
    );
  });
});
