// Reads its PostgreSQL and Redis credentials from VCAP_SERVICES (Cloud Foundry's shape) and
// writes / reads through them with the `pg` and `redis` packages, one connection per request:
//   GET /pg/write?v=X   GET /pg/read[?db=NAME]   GET /redis/write?v=X   GET /redis/read
//   GET /pg/whoami[?sleep=S]  the PostgreSQL role this instance logs in as (its binding's username);
//                       with sleep, the session stays open S seconds (pg_sleep) before the answer
//   GET /creds          the credentials' hostnames and ports (no secrets)
//   GET /probe?host=H&port=P   whether a TCP connection to H:P opens within 2 s
const http = require("http");
const net = require("net");
const { Client } = require("pg");
const { createClient } = require("redis");

const services = JSON.parse(process.env.VCAP_SERVICES || "{}");
const first = (label) => (services[label] && services[label][0] ? services[label][0].credentials : null);

async function pgRun(sql, params, database) {
  const c = first("postgresql");
  if (!c) throw new Error("no postgresql binding");
  const client = new Client({ host: c.hostname, port: c.port, user: c.username, password: c.password,
                              database: database || c.name, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query("CREATE TABLE IF NOT EXISTS notes (body text)");
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

async function redisRun(fn) {
  const c = first("redis");
  if (!c) throw new Error("no redis binding");
  const client = createClient({ url: c.uri, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.quit();
  }
}

function probe(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    const done = (connected, error) => { s.destroy(); resolve({ connected, error }); };
    s.setTimeout(2000, () => done(false, "timeout"));
    s.on("connect", () => done(true, null));
    s.on("error", (e) => done(false, e.code || String(e)));
  });
}

const routes = {
  "/pg/write": async (q) => { await pgRun("INSERT INTO notes VALUES ($1)", [q.get("v")]); return { ok: true }; },
  "/pg/read": async (q) => ({ notes: (await pgRun("SELECT body FROM notes ORDER BY body", [], q.get("db"))).rows.map((r) => r.body) }),
  "/pg/whoami": async (q) => ({
    user: (await pgRun("SELECT session_user AS u FROM pg_sleep($1::float)", [Number(q.get("sleep") || 0)])).rows[0].u,
  }),
  "/redis/write": async (q) => redisRun(async (r) => ({ ok: (await r.set("note", q.get("v"))) === "OK" })),
  "/redis/read": async () => redisRun(async (r) => ({ note: await r.get("note") })),
  "/creds": async () => {
    const out = {};
    for (const label of ["postgresql", "redis", "mysql"]) {
      const c = first(label);
      if (c) out[label] = { hostname: c.hostname, port: c.port, name: c.name || null };
    }
    return out;
  },
  "/probe": async (q) => probe(q.get("host"), q.get("port")),
};

http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://app");
  const route = routes[url.pathname];
  let status = 200, body;
  try {
    body = route ? await route(url.searchParams) : { hello: "services-node" };
  } catch (e) {
    status = 500;
    body = { error: String(e && e.message ? e.message : e) };
  }
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}).listen(Number(process.env.PORT || 8080));
