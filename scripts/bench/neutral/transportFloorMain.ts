import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'undici';

/**
 * The transport floor of the deep query: what any Node gateway must spend on it at the least.
 * It makes the four subgraph requests the query plan makes (users from accounts, their reviews,
 * the reviewed products, their shipping estimates), over undici keep-alive pools as this gateway
 * does, parses each answer, builds the next fetch's representations and writes one answer. It has
 * no parser, validation, planner, limits, signing, metrics or logs: it only knows this one query.
 * `transportFloorMain.ts <port> <accounts url> <reviews url> <products url> <inventory url>`;
 * prints `ready <url>` once listening.
 */

interface Product {
  upc: string;
  name?: unknown;
  price?: unknown;
  weight?: unknown;
  shippingEstimate?: unknown;
}
interface Review {
  id: unknown;
  body: unknown;
  product: Product;
}
interface User {
  id: string;
  name: unknown;
  username: unknown;
  reviews?: Review[];
}

const USERS = 'query($first:Int,$offset:Int){users(first:$first,offset:$offset){id name username}}';
const REVIEWS =
  'query($representations:[_Any!]!){_entities(representations:$representations){...on User{reviews{id body product{upc}}}}}';
const PRODUCTS =
  'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name price weight}}}';
const ESTIMATES =
  'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{shippingEstimate}}}';

function poolOf(url: string): { pool: Pool; path: string } {
  const parsed = new URL(url);
  return { pool: new Pool(parsed.origin, { connections: 128 }), path: parsed.pathname };
}

async function post<T>(
  target: { pool: Pool; path: string },
  query: string,
  variables: unknown,
): Promise<T> {
  const response = await target.pool.request({
    method: 'POST',
    path: target.path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await response.body.json()) as { data?: T; errors?: unknown };
  if (response.statusCode !== 200 || !answer.data) {
    throw new Error(`subgraph answered ${response.statusCode}: ${JSON.stringify(answer.errors)}`);
  }
  return answer.data;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const [port, ...urls] = process.argv.slice(2);
  const [accounts, reviews, products, inventory] = urls.map(poolOf);
  if (!accounts || !reviews || !products || !inventory) {
    throw new Error(
      'usage: transportFloorMain.ts <port> <accounts> <reviews> <products> <inventory>',
    );
  }
  const deep = async (variables: unknown): Promise<object> => {
    const { users } = await post<{ users: User[] }>(accounts, USERS, variables);
    const withReviews = await post<{ _entities: Array<{ reviews: Review[] }> }>(reviews, REVIEWS, {
      representations: users.map((user) => ({ __typename: 'User', id: user.id })),
    });
    const all: Product[] = [];
    users.forEach((user, i) => {
      user.reviews = withReviews._entities[i]?.reviews ?? [];
      for (const review of user.reviews) all.push(review.product);
    });
    const details = await post<{ _entities: Product[] }>(products, PRODUCTS, {
      representations: all.map((product) => ({ __typename: 'Product', upc: product.upc })),
    });
    all.forEach((product, i) => Object.assign(product, details._entities[i]));
    const estimates = await post<{ _entities: Product[] }>(inventory, ESTIMATES, {
      representations: all.map((product) => ({
        __typename: 'Product',
        upc: product.upc,
        price: product.price,
        weight: product.weight,
      })),
    });
    all.forEach((product, i) => {
      product.shippingEstimate = estimates._entities[i]?.shippingEstimate;
    });
    return { data: { users } };
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A request without variables is the bench's readiness check, `{ __typename }`.
    readBody(req)
      .then((text) => {
        const { variables } = JSON.parse(text) as { variables?: unknown };
        return variables ? deep(variables) : Promise.resolve({ data: { __typename: 'Query' } });
      })
      .then(
        (answer) => {
          const body = JSON.stringify(answer);
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end((error as Error).message);
        },
      );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(Number(port), '127.0.0.1', resolve));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
  console.log(`ready http://127.0.0.1:${port}/graphql`);
}

main().catch((error: unknown) => {
  console.error(`transport floor failed: ${(error as Error).message}`);
  process.exit(1);
});
