// PostGraphile v5 over the benchmark's database, in one Node.js process, for bench/compare.py.
//
//   node server.mjs --database-url postgres://... --port 5678 [--host 127.0.0.1] [--schema-out FILE]
//
// The amber preset as it comes, with production settings: no GraphiQL, no watch mode, and
// NODE_ENV=production (set by the caller). Its pool holds 10 connections, as the API's does.
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    "schema-out": { type: "string" },
  },
});
if (!values["database-url"] || !values.port) {
  console.error("usage: node server.mjs --database-url URL --port PORT [--schema-out FILE]");
  process.exit(2);
}

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: values["database-url"],
      schemas: ["public"],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  schema: values["schema-out"]
    ? { exportSchemaSDLPath: values["schema-out"], sortExport: true }
    : {},
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
// Build the schema before listening, so the first request is not the one that pays for it.
await pgl.getSchema();
server.listen(Number(values.port), values.host, () => {
  console.log(`PostGraphile listening on http://${values.host}:${values.port}/graphql`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
