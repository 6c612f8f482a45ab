// Canonicalises every .nq file of a folder with rdf-canonize (jsonld.js's RDFC-1.0), the
// reference insigne's canonicaliser is compared with; prints {"file": "canonical N-Quads"}.
// usage: node rdfc-oracle.mjs RDF_CANONIZE_MODULE_DIR FOLDER
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [moduleDir, folder] = process.argv.slice(2);
const canonize = (await import(pathToFileURL(path.join(moduleDir, "index.js")).href)).default;
const out = {};
for (const name of fs.readdirSync(folder).filter((f) => f.endsWith(".nq")).sort()) {
  const dataset = canonize.NQuads.parse(fs.readFileSync(path.join(folder, name), "utf8"));
  out[name] = await canonize.canonize(dataset, {
    algorithm: "RDFC-1.0",
    format: "application/n-quads",
    maxWorkFactor: 2,
  });
}
process.stdout.write(JSON.stringify(out));
