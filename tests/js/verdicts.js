// Prints the site verifier's verdict on each record file given: `node verdicts.js A.json …`
// → one line per file, "pass" or "fail: <first difference>". Used by tests/it/public_site.rs
// to compare the JS verifier with the Rust one on the same records.
"use strict";
const fs = require("fs");
const path = require("path");
const { SSJ } = require(path.join(__dirname, "..", "..", "assets", "site", "verify.js"));

(async () => {
  for (const file of process.argv.slice(2)) {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    const r = await SSJ.verify(doc);
    const bad = r.checks.filter((c) => !c.ok);
    console.log(r.verdict === "fail" ? "fail: " + bad[0].name + "——" + bad[0].detail : r.verdict);
  }
})();
