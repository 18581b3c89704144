// A thin wrapper over autocannon, the load generator, returning the figures the tables print.
import autocannon from 'autocannon';

export async function load({ url, headers = {}, connections = 32, duration = 8, method = 'GET', body }) {
  const result = await autocannon({ url, headers, connections, duration, method, body, pipelining: 1 });
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors,
  };
}

export function printTable(title, rows, columns) {
  console.log(`\n${title}`);
  const widths = columns.map(([key, label]) =>
    Math.max(label.length, ...rows.map((r) => String(r[key] ?? '').length)),
  );
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(columns.map(([, label]) => label)));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(columns.map(([key]) => r[key] ?? '')));
}
