/** Whether the GraphQL endpoint `url` answers `{ __typename }` with data (2 s timeout). */
export async function answersTypename(url: string): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}',
    signal: AbortSignal.timeout(2000),
  });
  return response.ok && (await response.text()).includes('"__typename":"Query"');
}
