// The site's JavaScript verifier (assets/site/) under Node: its SHA-256 against Node's crypto,
// its tickets and orders against the golden vectors of the PyPI package consistent-sampler
// (shared/golden/consistent-sampler-v1.json), its canonical JSON against serde_json's bytes.
// Run by tests/it/public_site.rs: `node tests/js/verify.test.js GOLDEN.json`. Exits 1 on the
// first failure, saying which.
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const site = path.join(__dirname, "..", "..", "assets", "site");
const { SSJ_SHA256 } = require(path.join(site, "sha256.js"));
const { SSJ } = require(path.join(site, "verify.js"));

let checked = 0;
function fail(msg) {
  console.error("FAIL: " + msg);
  process.exit(1);
}
function eq(got, want, what) {
  if (got !== want) fail(what + ": got " + got + ", want " + want);
  checked++;
}

// SHA-256: every length across the block boundaries, and multi-byte UTF-8.
for (let n = 0; n < 260; n++) {
  const b = crypto.createHash("sha512").update(String(n)).digest();
  const data = Buffer.concat([b, b, b, b, b]).subarray(0, n);
  eq(SSJ_SHA256.hex(SSJ_SHA256.digest(new Uint8Array(data))), crypto.createHash("sha256").update(data).digest("hex"), "sha256 of " + n + " bytes");
}
eq(SSJ_SHA256.text("沁河|阳城"), crypto.createHash("sha256").update("沁河|阳城", "utf8").digest("hex"), "sha256 of UTF-8 text");

// Tickets and orders: the golden vectors.
const golden = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let vectors = 0;
for (const v of golden.vectors) {
  const S = SSJ.seedHash(v.seed);
  if (v.population && v.order) {
    const keyed = v.population.map((id) => [SSJ.ticket(S, id), id]);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const got = keyed.slice(0, v.take);
    eq(got.length, v.order.length, v.name + ": length");
    got.forEach((p, i) => {
      eq(p[0], v.order[i][0], v.name + "[" + i + "] ticket");
      eq(p[1], v.order[i][1], v.name + "[" + i + "] id");
    });
    vectors++;
  }
  if (v.population_rule) {
    // ENT-000001 .. ENT-100000: the first 20 and the last of the 5000 smallest, and the
    // SHA-256 of all 5000 ids joined by newlines.
    const m = /^(\w+-)(\d+) \.\. \w+-(\d+) \(zero-padded to (\d+) digits\)$/.exec(v.population_rule);
    if (!m) fail(v.name + ": population rule not understood: " + v.population_rule);
    const [prefix, from, to, width] = [m[1], +m[2], +m[3], +m[4]];
    const t0 = Date.now();
    const tick = SSJ.ticketer(S);
    const keyed = [];
    for (let i = from; i <= to; i++) {
      const id = prefix + String(i).padStart(width, "0");
      keyed.push([tick(id), id]);
    }
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
    const ms = Date.now() - t0;
    const got = keyed.slice(0, v.take);
    v.first20.forEach((p, i) => {
      eq(got[i][0], p[0], v.name + " first20[" + i + "] ticket");
      eq(got[i][1], p[1], v.name + " first20[" + i + "] id");
    });
    eq(got[v.take - 1][0], v.last[0], v.name + " last ticket");
    eq(got[v.take - 1][1], v.last[1], v.name + " last id");
    eq(SSJ_SHA256.text(got.map((p) => p[1]).join("\n")), v.sha256_of_selected_ids_joined_by_newline, v.name + " selected ids digest");
    console.log(v.name + ": " + keyed.length + " tickets computed and sorted in " + ms + " ms (Node " + process.version + ")");
    vectors++;
  }
  for (const key of ["tickets", "ticket"]) {
    if (v[key] && typeof v[key] === "object" && !Array.isArray(v[key])) {
      for (const id of Object.keys(v[key])) eq(SSJ.ticket(S, id), v[key][id], v.name + " ticket of " + id);
      vectors++;
    }
  }
}
if (vectors === 0) fail("no golden vector was read");

// Canonical JSON: sorted keys, no whitespace, non-ASCII kept, controls escaped as serde_json.
eq(SSJ.canonical({ zeta: 1, alpha: "沁河", m: [1, { b: "x\n\"\\\u0001", a: null }] }),
  '{"alpha":"沁河","m":[1,{"a":null,"b":"x\\n\\"\\\\\\u0001"}],"zeta":1}', "canonical JSON");
// The seed: SHA-256 of "commitment|part1|part2".
eq(SSJ.seed("abc", ["123", "456"]), crypto.createHash("sha256").update("abc|123|456").digest("hex"), "seed");
// Quotas from the rule data.
eq(SSJ.quota({ population: new Array(14), priority: [], ratio_bp: 2500 }), 4, "quota 25% of 14");
eq(SSJ.quota({ population: new Array(3), priority: [], ratio_bp: 7500, ratio_base: 8 }), 3, "quota capped by the population");
eq(SSJ.quota({ population: new Array(40), priority: [], ratio_bp: 0, annual: { target: 30, drawn: 7, quarters_left: 2 } }), 12, "annual quota");
eq(SSJ.quota({ population: new Array(10), priority: new Array(6), ratio_bp: 2500, take_all_priority: true }), 6, "take all priority");

console.log("ok: " + checked + " checks, " + vectors + " golden vectors");
