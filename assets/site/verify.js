// The draw verifier of the public site: re-computes a draw from the record embedded in the
// page (<script type="application/json" id="record">), following docs/draw.md alone. A
// second implementation beside the Rust one (src/domain/draw/verify.rs); no network.
// In Node (tests/js) the same file is loaded with require().
var SSJ = (function () {
  "use strict";
  var sha = typeof SSJ_SHA256 !== "undefined" ? SSJ_SHA256 : require(__dirname + "/sha256.js").SSJ_SHA256;

  var FORMAT_V1 = "ssj-draw-record-v1", ALGORITHM_V1 = "ssj-draw-v1";
  var FORMAT_V2 = "ssj-draw-record-v2", ALGORITHM_V2 = "ssj-draw-v2";
  var PREPARED_FORMAT = "ssj-draw-prepared-v1";
  var SYSTEM_SOURCE = "系统随机数：操作系统熵源（OsRng）20位";
  var OVER_CAP_NOTE = "超出年度抽查上限（全覆盖任务）";

  // Canonical JSON: keys sorted, no whitespace, non-ASCII unescaped (JSON.stringify escapes
  // exactly what serde_json does: quote, backslash and control characters).
  function canonical(v) {
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    var keys = Object.keys(v).sort();
    return "{" + keys.map(function (k) { return JSON.stringify(k) + ":" + canonical(v[k]); }).join(",") + "}";
  }

  function sha256Text(s) { return sha.text(s); }

  // Rivest's consistent-sampler ticket: d = SHA-256(S + id) as a big-endian integer, in
  // decimal, left-padded to 64 digits, reversed, prefixed "0.". The decimal digits come out
  // least significant first (division by 10^9 of sixteen 16-bit limbs), which is the
  // reversed order the ticket wants.
  var limbs = new Array(16);
  function ticketOfDigest(d) {
    for (var i = 0; i < 16; i++) limbs[i] = (d[2 * i] << 8) | d[2 * i + 1];
    var codes = [];
    for (;;) {
      var rem = 0, any = 0;
      for (i = 0; i < 16; i++) {
        var cur = rem * 65536 + limbs[i];
        var q = Math.floor(cur / 1e9);
        rem = cur - q * 1e9;
        limbs[i] = q;
        any |= q;
      }
      for (var k = 0; k < 9; k++) {
        codes.push(48 + (rem % 10));
        rem = Math.floor(rem / 10);
      }
      if (!any) break;
    }
    while (codes.length < 64) codes.push(48);
    while (codes.length > 64 && codes[codes.length - 1] === 48) codes.pop();
    return "0." + String.fromCharCode.apply(null, codes);
  }

  // The ticket function under one seed hash S: S (64 hex characters, one SHA-256 block) is
  // hashed once, each id continues from there.
  function ticketer(S) {
    var prefix = sha.utf8(S);
    var whole = prefix.length - (prefix.length % 64);
    var mid = sha.midstate(prefix.subarray(0, whole));
    var head = prefix.subarray(whole);
    return function (id) {
      var idBytes = sha.utf8(id);
      var rest = idBytes;
      if (head.length) {
        rest = new Uint8Array(head.length + idBytes.length);
        rest.set(head);
        rest.set(idBytes, head.length);
      }
      return ticketOfDigest(sha.digestFrom(mid, whole, rest));
    };
  }

  function ticket(S, id) {
    return ticketer(S)(id);
  }

  // The first nine digits of the ticket as a number (the lowest nine decimal digits of d,
  // reversed): ordering by it is ordering by the ticket, ties aside. One division instead
  // of nine: the full ticket is written out only for the selected ids and for ties.
  function headOfDigest(d) {
    var rem = 0;
    for (var i = 0; i < 16; i++) {
      var cur = rem * 65536 + ((d[2 * i] << 8) | d[2 * i + 1]);
      rem = cur - Math.floor(cur / 1e9) * 1e9;
    }
    var head = 0;
    for (var k = 0; k < 9; k++) {
      head = head * 10 + (rem % 10);
      rem = Math.floor(rem / 10);
    }
    return head;
  }

  function header(S) {
    var prefix = sha.utf8(S);
    var whole = prefix.length - (prefix.length % 64);
    var mid = sha.midstate(prefix.subarray(0, whole));
    var head = prefix.subarray(whole);
    return function (id) {
      var idBytes = sha.utf8(id);
      var rest = idBytes;
      if (head.length) {
        rest = new Uint8Array(head.length + idBytes.length);
        rest.set(head);
        rest.set(idBytes, head.length);
      }
      return headOfDigest(sha.digestFrom(mid, whole, rest));
    };
  }

  function seedOf(commitment, parts) {
    return sha256Text([commitment].concat(parts).join("|"));
  }

  // ⌈n × bp / 10000⌉, never more than n.
  function ceilShare(n, bp) {
    return Math.min(n, Math.floor((n * bp + 9999) / 10000));
  }

  // What a v2 stratum's rule asks for this quarter, then its quota (docs/draw.md §1).
  function wanted(st) {
    if (st.annual) {
      var left = Math.max(0, st.annual.target - st.annual.drawn);
      var q = Math.max(1, st.annual.quarters_left);
      return Math.floor((left + q - 1) / q);
    }
    var base = st.ratio_base != null ? st.ratio_base : st.population.length;
    return ceilShare(base, st.ratio_bp);
  }
  function quotaOf(st) {
    var q = Math.min(wanted(st), st.population.length);
    if (st.take_all_priority) q = Math.max(q, st.priority.length);
    return q;
  }

  // Tickets under one seed: `head(id)` orders, `full(id)` is the ticket; each computed once
  // per id.
  function ticketBook(seed) {
    var S = sha256Text(seed);
    var tick = ticketer(S), headOf = header(S);
    var heads = new Map(), fulls = new Map();
    return {
      head: function (id) {
        var h = heads.get(id);
        if (h === undefined) { h = headOf(id); heads.set(id, h); }
        return h;
      },
      full: function (id) {
        var t = fulls.get(id);
        if (t === undefined) { t = tick(id); fulls.set(id, t); }
        return t;
      }
    };
  }

  // Orders keys {p, h, id} by (priority, ticket, id); `tk` writes out tickets on a tie.
  function comparer(tk) {
    return function (a, b) {
      if (a.p !== b.p) return a.p - b.p;
      if (a.h !== b.h) return a.h - b.h;
      var ta = tk.full(a.id), tb = tk.full(b.id);
      if (ta !== tb) return ta < tb ? -1 : 1;
      if (a.id !== b.id) return a.id < b.id ? -1 : 1;
      return 0;
    };
  }

  function smallest(tk, keyed, take) {
    keyed.sort(comparer(tk));
    return keyed.slice(0, Math.min(take, keyed.length));
  }

  function resultOf(tk, st, keyed) {
    return { task: st.task, label: st.label, quota: st.quota,
      selected: keyed.map(function (k) { return { id: k.id, ticket: tk.full(k.id) }; }) };
  }

  // Each stratum's selection (docs/draw.md §3), then the full-coverage strata joined to the
  // visits the others made. `progress(i, n)` is called after each stratum.
  function select(prepared, seed, progress) {
    var tk = ticketBook(seed);
    var strata = prepared.strata;
    var results = [];
    for (var i = 0; i < strata.length; i++) {
      var st = strata[i];
      if (st.full_coverage) { results.push(resultOf(tk, st, [])); continue; }
      var pri = new Set(st.priority);
      var keyed = st.population.map(function (id) { return { p: pri.has(id) ? 0 : 1, h: tk.head(id), id: id }; });
      results.push(resultOf(tk, st, smallest(tk, keyed, st.quota)));
      if (progress) progress(i + 1, strata.length);
    }
    if (strata.some(function (s) { return s.full_coverage; })) {
      var random = new Set();
      results.forEach(function (r) { r.selected.forEach(function (s) { random.add(s.id); }); });
      strata.forEach(function (st, i) {
        if (!st.full_coverage) return;
        var keyed = st.population.map(function (id) { return { p: random.has(id) ? 0 : 1, h: tk.head(id), id: id }; });
        var joined = keyed.filter(function (k) { return k.p === 0; }).length;
        results[i] = resultOf(tk, st, smallest(tk, keyed, Math.max(joined, st.quota)));
      });
      var visited = new Set();
      results.forEach(function (r) { r.selected.forEach(function (s) { visited.add(s.id); }); });
      strata.forEach(function (st, i) {
        if (!st.full_coverage) return;
        var keyed = st.population.filter(function (id) { return visited.has(id); })
          .map(function (id) { return { p: 0, h: tk.head(id), id: id }; });
        if (keyed.length > results[i].selected.length) {
          keyed.sort(comparer(tk));
          results[i] = resultOf(tk, st, keyed);
        }
      });
    }
    return results;
  }

  // One visit per selected entity, its tasks in the draw's task order, by ticket then id.
  function visits(prepared, results) {
    var order = prepared.tasks.map(function (t) { return t.code; });
    var by = new Map();
    results.forEach(function (r) {
      var pos = order.indexOf(r.task);
      if (pos < 0) pos = Infinity;
      r.selected.forEach(function (s) {
        var v = by.get(s.id);
        if (!v) { v = { tasks: new Set(), ticket: s.ticket }; by.set(s.id, v); }
        v.tasks.add(pos);
      });
    });
    var overCap = new Set();
    prepared.strata.forEach(function (st) { (st.over_cap || []).forEach(function (x) { overCap.add(x); }); });
    var out = [];
    by.forEach(function (v, id) {
      var tasks = Array.from(v.tasks).sort(function (a, b) { return a - b; })
        .filter(function (p) { return p < order.length; }).map(function (p) { return order[p]; });
      out.push({ entity: id, tasks: tasks, ticket: v.ticket, note: overCap.has(id) ? OVER_CAP_NOTE : null });
    });
    out.sort(function (a, b) {
      if (a.ticket !== b.ticket) return a.ticket < b.ticket ? -1 : 1;
      return a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : 0;
    });
    return out;
  }

  function join(v) { return v.length ? v.join("、") : "（空）"; }

  // Checks, each {name, ok, detail}: a report that names the first difference of each.
  function Report() { this.checks = []; }
  Report.prototype.add = function (name, diffs, okText) {
    this.checks.push({ name: name, ok: diffs.length === 0, detail: diffs.length ? diffs[0] + (diffs.length > 1 ? "（另有" + (diffs.length - 1) + "处不符）" : "") : (okText || "一致"), diffs: diffs });
  };
  Report.prototype.failed = function () { return this.checks.filter(function (c) { return !c.ok; }); };

  function isV2(p) { return p.algorithm === ALGORITHM_V2; }

  // What the commitment binds, checked from `prepared` alone: the commitment, the v2 binding
  // fields, and each stratum's quota from its data.
  function checkPrepared(rep, doc, prepared) {
    var known = prepared.algorithm === ALGORITHM_V1 || prepared.algorithm === ALGORITHM_V2;
    if (!known) {
      rep.add("算法", ["算法为“" + prepared.algorithm + "”，本页只能核验 ssj-draw-v1 和 ssj-draw-v2"]);
      return false;
    }
    // A first-year preparation published without its personal data: the commitment binds
    // what was taken out, so it is not re-computed here (the page says so).
    if (!doc.redacted) {
      var c = sha256Text(canonical(prepared));
      rep.add("承诺值", c === doc.commitment ? [] : ["承诺值不符：记录为 " + doc.commitment + "，按承诺内容重算为 " + c],
        "由承诺内容（prepared）重算一致：" + c);
    }
    var ident = [];
    if (doc.period !== prepared.period) ident.push("期间“" + doc.period + "”与承诺内容中的“" + prepared.period + "”不一致");
    var m = /^(.*)-(\d{2,})$/.exec(doc.draw_id || "");
    if (!m || m[1] !== prepared.period) ident.push("抽取编号“" + doc.draw_id + "”与期间“" + prepared.period + "”不一致（应为“" + prepared.period + "-序号”）");
    if (isV2(prepared)) {
      if (prepared.draw_id !== doc.draw_id) ident.push("承诺内容中的抽取编号（prepared.draw_id）为“" + (prepared.draw_id || "") + "”，记录为“" + doc.draw_id + "”：承诺值不是为本次抽取作出的");
      var missing = ["prepared_by", "prepared_at", "system_part_sha256", "private_sha256"].filter(function (k) { return prepared[k] == null; });
      if (missing.length) ident.push("v2 承诺内容缺少字段：" + missing.join("、"));
      var personal = prepared.ineligible != null ||
        prepared.inspectors.some(function (i) { return i.conflicts != null; }) ||
        prepared.entities.some(function (e) { return e.last_team != null; });
      if (personal) ident.push("v2 承诺内容不应含个人数据（不可派原因、回避申报、上次检查组应在保密部分）");
    }
    rep.add("抽取编号与期间", ident);
    var q = [];
    prepared.strata.forEach(function (st, i) {
      var at = "第" + (i + 1) + "层（" + st.task + " " + st.label + "）";
      if (isV2(prepared)) {
        var want = quotaOf(st);
        if (st.quota !== want) q.push(at + "名额为" + st.quota + "，按记录中的规则数据应为" + want);
        if (st.ratio_base != null && st.ratio_base < st.population.length) q.push(at + "比例基数（ratio_base）小于总体");
        var oc = st.over_cap || [];
        if (oc.length && !st.full_coverage) q.push(at + "只有全覆盖任务可有超出年度上限的对象（over_cap）");
        var popSet = new Set(st.population);
        oc.forEach(function (x) { if (!popSet.has(x)) q.push(at + "超出年度上限的对象 " + x + " 不在总体中"); });
      }
      if (st.quota > st.population.length) q.push(at + "名额" + st.quota + "大于总体" + st.population.length);
      var pop = new Set(st.population);
      var out = st.priority.filter(function (p) { return !pop.has(p); });
      if (out.length) q.push(at + "的优先对象" + out[0] + "不在总体中");
    });
    rep.add("各层名额（由比例、比例基数、年度目标重算）", q, prepared.strata.length + "层名额均与规则数据一致");
    return true;
  }

  function checkSeed(rep, rec) {
    var parts = rec.seed_parts, p = rec.prepared;
    var d = [];
    parts.forEach(function (x) { if (!/^[0-9]+$/.test(x)) d.push("种子部分“" + x + "”不是纯数字"); });
    if (rec.seed_sources.length !== parts.length) d.push("种子来源（seed_sources）有" + rec.seed_sources.length + "项，种子部分有" + parts.length + "项，应一一对应");
    if (p.sources[p.sources.length - 1] !== SYSTEM_SOURCE) d.push("承诺内容声明的随机来源（prepared.sources）最后一项应为“" + SYSTEM_SOURCE + "”");
    rec.seed_sources.forEach(function (src, i) {
      var want = i + 1 === parts.length ? SYSTEM_SOURCE : "现场种子" + (i + 1);
      if (src !== want) d.push("第" + (i + 1) + "个种子来源（seed_sources[" + i + "]）不符：记录为“" + src + "”，应为“" + want + "”");
    });
    if (parts.length === 0) d.push("没有种子部分");
    else {
      var people = parts.slice(0, -1).reduce(function (n, x) { return n + x.length; }, 0);
      if (people < 20) d.push("现场种子合计应至少20位数字，记录为" + people + "位");
    }
    rep.add("种子部分与来源", d);
    if (p.system_part_sha256 != null && parts.length) {
      var ok = sha256Text(parts[parts.length - 1]) === p.system_part_sha256;
      rep.add("系统随机数与准备时承诺的摘要", ok ? [] : ["系统随机数（最后一个种子部分）与准备时承诺的摘要（prepared.system_part_sha256）不符：系统随机数在准备后被换过"]);
    }
    var s = seedOf(rec.commitment, parts);
    rep.add("种子", s === rec.seed ? [] : ["种子不符：记录为 " + rec.seed + "，按承诺值和种子部分重算为 " + s], "由承诺值和各种子部分重算一致");
    return s;
  }

  function checkStrata(rep, got, want) {
    if (got.length !== want.length) rep.add("分层数", ["分层数为" + got.length + "，应为" + want.length]);
    for (var i = 0; i < Math.min(got.length, want.length); i++) {
      var g = got[i], w = want[i], d = [];
      var name = "第" + (i + 1) + "层（" + w.task + " " + w.label + "）抽中对象与签号";
      if (g.task !== w.task || g.label !== w.label || g.quota !== w.quota) {
        d.push("第" + (i + 1) + "层应为 " + w.task + " " + w.label + "（名额" + w.quota + "），记录为 " + g.task + " " + g.label + "（名额" + g.quota + "）");
      } else {
        var gi = g.selected.map(function (s) { return s.id; }), wi = w.selected.map(function (s) { return s.id; });
        if (gi.join("\n") !== wi.join("\n")) {
          d.push("抽中对象不符：记录为 " + join(gi) + "，重算为 " + join(wi));
        } else {
          g.selected.forEach(function (s, j) {
            if (s.ticket !== w.selected[j].ticket) d.push("对象 " + s.id + " 的签号（ticket）不符：记录为 " + s.ticket + "，重算为 " + w.selected[j].ticket);
          });
        }
      }
      rep.add(name, d, "名额" + w.quota + "，抽中" + w.selected.length + "个，对象和签号一致");
    }
  }

  function checkVisits(rep, got, want) {
    var d = [];
    if (got.length !== want.length) d.push("检查任务数为" + got.length + "，应为" + want.length);
    for (var i = 0; i < Math.min(got.length, want.length); i++) {
      var g = got[i], w = want[i];
      if (g.entity !== w.entity) { d.push("第" + (i + 1) + "项检查任务的对象（entity）不符：记录为 " + g.entity + "，重算为 " + w.entity); continue; }
      if (g.tasks.join("\n") !== w.tasks.join("\n")) d.push("对象 " + g.entity + " 的任务（tasks）不符：记录为 " + join(g.tasks) + "，重算为 " + join(w.tasks));
      if (g.ticket !== w.ticket) d.push("对象 " + g.entity + " 的签号（ticket）不符：记录为 " + g.ticket + "，重算为 " + w.ticket);
      if ((g.note || null) !== w.note) d.push("对象 " + g.entity + " 的标记（note）不符：记录为 " + (g.note || "（无）") + "，重算为 " + (w.note || "（无）"));
    }
    rep.add("检查任务（对象、任务、签号、标记）", d, want.length + "项检查任务一致");
  }

  // What this page cannot check, said on the page.
  function notVerified(doc) {
    var out = [];
    if (doc.redacted) out.push(doc.redacted);
    if (doc.prepared && doc.seed !== undefined) {
      if (isV2(doc.prepared) && !doc.private) {
        out.push("检查组和人员替换：须由保密部分（执法人员的回避申报、不可派原因、上次检查组）核验，由本局在数据库上用 draw verify 核验；本页核验抽中对象、名额和签号。");
      } else {
        out.push("检查组和人员替换：本页不核验，请用 shuangsuiji draw verify --file 核验。");
      }
      out.push("见证人、运行日期、审计检查点：按记录显示，本页不核验（须与本局审计日志或公布的检查点核对）。");
      if ((doc.substitutions || []).length) out.push("人员替换的理由涉及个人情况，不公开，也未核验。");
    } else if (doc.prepared) {
      out.push("本页只核验承诺值和名额；抽取运行、检查开始后，本页将公布完整记录供核验。");
      if (doc.run_on) out.push("运行日期和见证人：按记录显示，本页不核验。");
    } else {
      out.push("本阶段只公布承诺值和各层数量；承诺内容暂不公开，无法由公众核验。");
    }
    return out;
  }

  // Between steps the page lets the browser paint the progress; with `#sync` in the address
  // it does not (the whole check then runs before the load event: the measurement of
  // docs/benchmarks.md reads the page's own timings in headless Chromium that way).
  var SYNC = typeof location !== "undefined" && location.hash === "#sync";
  function tick() {
    return SYNC ? Promise.resolve() : new Promise(function (r) { setTimeout(r, 0); });
  }

  // Verifies a document (record, prepared export, or commitment only). Resolves to
  // {verdict: "pass"|"fail"|"none", checks, notVerified}.
  async function verify(doc, progress) {
    var rep = new Report();
    progress = progress || function () {};
    if (!doc.prepared) {
      return { verdict: "none", checks: [], notVerified: notVerified(doc) };
    }
    var isRecord = doc.format === FORMAT_V1 || doc.format === FORMAT_V2;
    if (!isRecord && doc.format !== PREPARED_FORMAT) {
      rep.add("记录格式", ["记录格式为“" + doc.format + "”，本页不认识"]);
      return finish(rep, doc);
    }
    if (isRecord) {
      var want = doc.algorithm === ALGORITHM_V1 ? FORMAT_V1 : FORMAT_V2;
      var fd = [];
      if (doc.algorithm !== doc.prepared.algorithm) fd.push("算法为“" + doc.algorithm + "”，承诺内容中为“" + doc.prepared.algorithm + "”");
      if (doc.format !== want) fd.push("记录格式为“" + doc.format + "”，应为“" + want + "”");
      rep.add("记录格式与算法", fd, doc.format + " / " + doc.algorithm);
    }
    progress("正在重算承诺值……");
    await tick();
    if (!checkPrepared(rep, doc, doc.prepared) || !isRecord) return finish(rep, doc);
    var s = checkSeed(rep, doc);
    progress("正在重算各层签号……");
    await tick();
    var t0 = Date.now();
    var results = select(doc.prepared, s, function (i, n) { progress("正在重算各层签号：" + i + "/" + n); });
    checkStrata(rep, doc.strata, results);
    var selectMs = Date.now() - t0;
    progress("正在核对检查任务……");
    await tick();
    checkVisits(rep, doc.visits, visits(doc.prepared, results));
    var out = finish(rep, doc);
    out.selectMs = selectMs;
    return out;
  }

  function finish(rep, doc) {
    return { verdict: rep.failed().length ? "fail" : "pass", checks: rep.checks, notVerified: notVerified(doc) };
  }

  function verdictText(r) {
    if (r.verdict === "none") return "本阶段没有可由公众核验的承诺内容：承诺值已公布，待承诺内容公开后可核验";
    var bad = r.checks.filter(function (c) { return !c.ok; });
    if (!bad.length) return "核验通过 ✔：" + r.checks.length + "项重新计算，全部与记录一致";
    return "核验未通过 ✘：" + bad.length + "项不符。第一处：" + bad[0].name + "——" + bad[0].detail;
  }

  // The page: reads #record, fills #checks and #not-verified, sets #verdict.
  async function runPage() {
    var el = document.getElementById("verdict");
    var prog = document.getElementById("progress");
    var say = function (t) { if (prog) prog.textContent = t; };
    var r;
    var t0 = Date.now();
    try {
      var doc = JSON.parse(document.getElementById("record").textContent);
      r = await verify(doc, say);
    } catch (e) {
      r = { verdict: "fail", checks: [{ name: "读取记录", ok: false, detail: "记录无法读取：" + e }], notVerified: [] };
    }
    var body = document.querySelector("#checks tbody");
    if (!r.checks.length) document.getElementById("checks").style.display = "none";
    r.checks.forEach(function (c) {
      var tr = document.createElement("tr");
      [c.name, c.ok ? "✔ 一致" : "✘ 不符", c.detail].forEach(function (t, i) {
        var td = document.createElement("td");
        td.textContent = t;
        if (i === 1) td.className = c.ok ? "ok" : "bad";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var ul = document.getElementById("not-verified");
    r.notVerified.forEach(function (t) {
      var li = document.createElement("li");
      li.textContent = t;
      ul.appendChild(li);
    });
    var ms = Date.now() - t0;
    say("核验用时 " + ms + " 毫秒" + (r.selectMs != null ? "（其中重算抽中对象 " + r.selectMs + " 毫秒）" : ""));
    el.setAttribute("data-ms", String(ms));
    if (r.selectMs != null) el.setAttribute("data-select-ms", String(r.selectMs));
    el.textContent = verdictText(r);
    el.setAttribute("data-verdict", r.verdict);
  }

  if (typeof document !== "undefined" && document.getElementById("record")) runPage();

  return { canonical: canonical, ticket: ticket, seedHash: sha256Text, seed: seedOf, select: select,
    ticketer: ticketer, ticketBook: ticketBook, visits: visits, quota: quotaOf, verify: verify, verdictText: verdictText };
})();
if (typeof module !== "undefined") module.exports.SSJ = SSJ;
