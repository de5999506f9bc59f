// Runs inside the cluster (the sandbox server listens in the testbed's network namespace): reads
// {base, key?, parallel?, requests: [{method, path, json?, body?, headers?}]} on stdin, sends the
// requests (all at once when parallel), prints [{status, headers, body}] as JSON; `form` sends multipart. The key comes
// on stdin, never in argv. A body that is not JSON comes back as text.
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { base, key, parallel, requests } = JSON.parse(input);

async function send(r) {
  const headers = { ...(key ? { 'x-api-key': key } : {}), ...(r.headers ?? {}) };
  let body = r.body;
  if (r.json !== undefined) {
    body = JSON.stringify(r.json);
    headers['content-type'] ??= 'application/json';
  }
  // multipart: {field: "text"} or {field: {file: "content", name: "file name"}}
  if (r.form !== undefined) {
    body = new FormData();
    for (const [k, v] of Object.entries(r.form)) {
      if (typeof v === 'string') body.append(k, v);
      else body.append(k, new Blob([v.file]), v.name);
    }
  }
  try {
    const res = await fetch(base + r.path, { method: r.method ?? 'GET', headers, body });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: Object.fromEntries(res.headers), body: parsed, ms: 0 };
  } catch (error) {
    return { status: -1, headers: {}, body: String(error) };
  }
}

const timed = async (r) => {
  const t0 = performance.now();
  const out = await send(r);
  return { ...out, ms: performance.now() - t0 };
};
const results = [];
if (parallel) results.push(...(await Promise.all(requests.map(timed))));
else for (const r of requests) results.push(await timed(r));
process.stdout.write(JSON.stringify(results));
