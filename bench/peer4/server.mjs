// PostGraphile v4 over the benchmark's database, in one Node.js process, for bench/compare.py.
//
//   node server.mjs --database-url postgres://... --port 5678 [--host 127.0.0.1] [--schema-out FILE]
//
// The library's defaults (it compiles each query into one statement whose rows PostgreSQL has
// already built as JSON), with production settings: no GraphiQL, no watch mode, no query log,
// NODE_ENV=production (set by the caller). Its pool holds 10 connections, as the API's does.
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import postgraphilePackage from "postgraphile";

const { postgraphile } = postgraphilePackage;

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

const middleware = postgraphile(
  { connectionString: values["database-url"], max: 10 },
  "public",
  {
    graphiql: false,
    watchPg: false,
    disableQueryLog: true,
    retryOnInitFail: false,
    // A unique foreign key (a plan's successor, an objective's overlap) gets one field back, as
    // in v5, rather than also the deprecated connection of the same name, which clashes with it.
    legacyRelations: "omit",
    exportGqlSchemaPath: values["schema-out"],
    sortExport: true,
  },
);
const server = createServer(middleware);
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
// Build the schema before listening, so the first request is not the one that pays for it.
await middleware.getGraphQLSchema();
server.listen(Number(values.port), values.host, () => {
  console.log(`PostGraphile v4 listening on http://${values.host}:${values.port}/graphql`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    middleware.release().finally(() => process.exit(0));
  });
}
