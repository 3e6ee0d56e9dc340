// Builds the dashboard's two files from src/ into api/static/dashboard/ (or the directory given
// as the first argument, which the tests use to check the committed files are this build's).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(here, "..", "api", "static", "dashboard"));

const common = {
  bundle: true,
  charset: "utf8",
  legalComments: "eof",
  logLevel: "warning",
  target: ["chrome109", "firefox115", "safari16"],
};

await build({
  ...common,
  entryPoints: [path.join(here, "src", "main.js")],
  format: "esm",
  outfile: path.join(out, "app.js"),
});
await build({
  ...common,
  entryPoints: [path.join(here, "src", "style.css")],
  outfile: path.join(out, "app.css"),
});
