import { subgraphVariables } from '../subgraphVariables';

describe('subgraphVariables', () => {
  it('names the URL, port and database variables of a subgraph after its name', () => {
    expect(subgraphVariables('users')).toEqual({
      url: 'USERS_URL',
      port: 'USERS_PORT',
      databaseUrl: 'USERS_DATABASE_URL',
    });
  });

  it('turns each run of characters other than letters and digits into one underscore', () => {
    expect(subgraphVariables('product-reviews').url).toBe('PRODUCT_REVIEWS_URL');
    expect(subgraphVariables('inventory2').port).toBe('INVENTORY2_PORT');
    expect(subgraphVariables('a--b.c').databaseUrl).toBe('A_B_C_DATABASE_URL');
  });
});
