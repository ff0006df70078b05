/**
 * How many SQL statements a subgraph has run since it started: the sum of the counts of its
 * `db_query_duration_seconds` histogram (every label), read from its Prometheus `/metrics`.
 */
export async function statementCount(origin: string): Promise<number> {
  const response = await fetch(`${origin}/metrics`);
  if (!response.ok) throw new Error(`${origin}/metrics answered ${response.status}`);
  const text = await response.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('db_query_duration_seconds_count')) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
