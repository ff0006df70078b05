import type { Migration } from '@fedstack/kit';

/**
 * An index on `orders.supplierId`, the one foreign key of this stack without one (`orders.userId`,
 * `suppliers.createdById` and `refresh_tokens.userId` have theirs): a lookup of a supplier's
 * orders reads the index instead of every order. No operation filters by it yet; it costs each
 * insert one more index entry.
 */
export const indexOrdersSupplier: Migration = {
  name: '20261130000200_index_orders_supplier',
  async up({ queryInterface }) {
    await queryInterface.addIndex('orders', ['supplierId'], { name: 'orders_supplier_id' });
  },
  async down({ queryInterface }) {
    await queryInterface.removeIndex('orders', 'orders_supplier_id');
  },
};
