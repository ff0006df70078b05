import { selectsFrom, TEST_VIEWERS } from '@fedstack/kit/testing';

export { errorCodes as codes } from '@fedstack/kit/testing';
export const { alice, bob, carol, admin } = TEST_VIEWERS;

/** The SELECT statements among `sql` that read the `orders` table. */
export const ordersSelects = (sql: string[]): string[] => selectsFrom(sql, 'orders');
