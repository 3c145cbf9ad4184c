// Checks `npm pack --json` output of the podgroups-embed package: exactly the files a user needs, the
// crates' version, and prints the sizes. Usage: node check-pack.mjs PACK_JSON CRATES_VERSION
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

const [packJson, cratesVersion] = process.argv.slice(2);
const [pack] = JSON.parse(readFileSync(packJson, "utf8"));
assert.equal(pack.name, "podgroups-embed");
assert.equal(pack.version, cratesVersion, "the package is versioned with the crates");
const files = pack.files.map((f) => f.path).sort();
assert.deepEqual(files, ["README.md", "dist/podgroups-embed.js", "dist/podgroups_bg.wasm", "index.d.ts", "package.json"]);
for (const f of pack.files) assert.ok(f.size > 0, `${f.path} is empty`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`${pack.filename}: ${kb(pack.size)} packed, ${kb(pack.unpackedSize)} unpacked`);
for (const f of pack.files) console.log(`  ${f.path.padEnd(26)} ${kb(f.size).padStart(10)}`);
