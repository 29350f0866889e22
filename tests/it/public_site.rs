//! `publish DIR` (issue 13): the static public site on the demo county at several dates of its
//! year, what each draw page reveals at each stage, the refusal of foreign directories and
//! of roles that may not publish, escaping, and the in-page verifier in a real headless
//! Chromium (a genuine page passes, a changed one fails) and under Node (golden vectors).
//!
//! The browser tests need `chromium` (CI installs it, `.ci/run`): without it they fail, they
//! do not skip. Screenshots of the index and of draw pages are left in
//! `$CARGO_TARGET_TMPDIR/public_site/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use shuangsuiji::domain::draw::record::{DrawRecord, parse_record};
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::site::{MARKER, Stage, draw_json, draw_page, record_page};
use shuangsuiji::services::visits::VisitFilter;

use crate::support::{day, demo_at, demo_copy_at, only, open_on};

/// Publishes the demo as of `date` (by its creator, the admin and lead) into a fresh dir.
fn published(date: &str) -> (tempfile::TempDir, PathBuf, BTreeMap<String, Stage>) {
    let tmp = tempfile::tempdir().unwrap();
    let db = demo_copy_at(&tmp, "demo.db", day(date));
    let site = tmp.path().join("site");
    let report = open_on(&db, None, day(date))
        .publish_site(&site, 2026, false)
        .unwrap();
    let stages = report.draws.into_iter().collect();
    (tmp, site, stages)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of the site, by name.
fn files(site: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(site)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                read(&p),
            )
        })
        .collect()
}

fn draw_doc(site: &Path, id: &str) -> Value {
    serde_json::from_str(&read(&site.join(draw_json(id)))).unwrap()
}

#[test]
fn each_draw_shows_what_its_stage_allows() {
    let expect: &[(&str, &[(&str, Stage)])] = &[
        ("2026-02-10", &[("2026Q1-01", Stage::Prepared)]),
        (
            "2026-05-20",
            &[("2026Q1-01", Stage::Run), ("2026Q2-01", Stage::Committed)],
        ),
        (
            "2026-08-20",
            &[
                ("2026Q1-01", Stage::Complete),
                ("2026Q2-01", Stage::Run),
                ("2026Q3-01", Stage::Committed),
            ],
        ),
    ];
    for (date, draws) in expect {
        let (_tmp, site, stages) = published(date);
        let want: BTreeMap<String, Stage> =
            draws.iter().map(|(d, s)| (d.to_string(), *s)).collect();
        assert_eq!(stages, want, "on {date}");
        let index = read(&site.join("index.html"));
        for (id, stage) in *draws {
            assert!(index.contains(&draw_page(id)), "{date}: index links {id}");
            let page = read(&site.join(draw_page(id)));
            assert!(page.contains(stage.label()), "{date} {id}: says its stage");
            let doc = draw_doc(&site, id);
            let has = |k: &str| doc.get(k).is_some();
            match stage {
                Stage::Committed => {
                    assert!(has("commitment") && has("counts"), "{date} {id}");
                    assert!(!has("prepared") && !has("seed"), "{date} {id}: {doc}");
                }
                Stage::Prepared => {
                    assert!(has("prepared") && !has("run_on") && !has("seed"));
                }
                Stage::Run => {
                    assert!(has("run_on") && has("witnesses"), "{date} {id}");
                    for k in ["seed", "seed_parts", "strata", "visits", "private"] {
                        assert!(!has(k), "{date} {id} reveals {k}");
                    }
                }
                Stage::Complete => {
                    assert!(
                        has("seed") && has("visits") && !has("private"),
                        "{date} {id}"
                    );
                    // The record as published verifies with the Rust verifier too.
                    let r: DrawRecord = parse_record(&doc.to_string()).unwrap();
                    assert!(r.prepared.private_sha256.is_some());
                    let diffs = shuangsuiji::domain::draw::verify::verify(&r);
                    assert!(diffs.is_empty(), "{date} {id}: {diffs:?}");
                }
            }
        }
    }
}

#[test]
fn nothing_of_a_draw_whose_visits_have_not_all_started_is_anywhere_in_the_site() {
    let date = day("2026-08-20");
    let (_tmp, site, stages) = published("2026-08-20");
    assert_eq!(stages["2026Q2-01"], Stage::Run);
    let lead = open_on(demo_at(date), "lead.liu", date);
    let record = lead.draw_record("2026Q2-01").unwrap();
    let visits = lead.list_visits(&VisitFilter::default()).unwrap();
    let unstarted: Vec<_> = visits
        .iter()
        .filter(|v| v.draw_id == "2026Q2-01" && v.state == VisitState::Assigned)
        .collect();
    assert!(
        !unstarted.is_empty(),
        "the demo has unstarted Q2 visits on {date}"
    );
    let mut secrets: Vec<(String, String)> = vec![("seed".into(), record.seed.clone())];
    for (i, p) in record.seed_parts.iter().enumerate() {
        secrets.push((format!("seed part {i}"), p.clone()));
    }
    for v in &unstarted {
        // A ticket under the draw's seed names the visit as drawn.
        secrets.push((
            format!("ticket of unstarted visit {}", v.entity),
            v.ticket.clone(),
        ));
    }
    for (name, text) in files(&site) {
        for (what, secret) in &secrets {
            assert!(!text.contains(secret.as_str()), "{name} reveals the {what}");
        }
    }
    // The 公示 list names only started visits of the draw.
    let site_view = open_on(demo_at(date), None, date)
        .public_site(2026)
        .unwrap();
    for r in site_view
        .published
        .iter()
        .filter(|r| r.task_code.starts_with("2026Q2-01/"))
    {
        assert!(
            unstarted
                .iter()
                .all(|v| v.entity_name != r.entity_name && v.entity != r.uscc),
            "published row of an unstarted visit: {r:?}"
        );
    }
    // In the browser, after the scripts ran, the same holds for the pages themselves.
    for page in ["index.html".to_string(), draw_page("2026Q2-01")] {
        let dom = browser_dom(&site.join(&page));
        for (what, secret) in &secrets {
            assert!(
                !dom.contains(secret.as_str()),
                "{page} in the browser reveals the {what}"
            );
        }
    }
}

/// Logins are internal: none appears in any file of the site, the complete records'
/// `prepared_by` and substitutions included.
#[test]
fn no_login_appears_anywhere_in_the_site() {
    let date = "2026-12-20";
    let (tmp, site, stages) = published(date);
    assert!(
        stages.values().any(|s| *s == Stage::Complete),
        "a complete draw on {date}: {stages:?}"
    );
    let s = open_on(&tmp.path().join("demo.db"), None, day(date));
    let logins: Vec<String> = s
        .list_users()
        .unwrap()
        .into_iter()
        .map(|u| u.login)
        // The creator's OS login (root) is also a CSS word; demo logins are name.surname.
        .filter(|l| l.contains('.'))
        .collect();
    assert!(logins.len() > 20, "{logins:?}");
    for (name, text) in files(&site) {
        for login in &logins {
            assert!(
                !text.contains(login.as_str()),
                "{name} names the login {login}"
            );
        }
    }
    let complete = stages
        .iter()
        .find(|(_, s)| **s == Stage::Complete)
        .map(|(id, _)| id.clone())
        .unwrap();
    let doc = draw_doc(&site, &complete);
    let by = doc["record"]["prepared"]["prepared_by"]
        .as_str()
        .or_else(|| doc["prepared"]["prepared_by"].as_str())
        .unwrap_or_else(|| panic!("prepared_by in {doc}"));
    assert!(!by.is_ascii(), "the preparer's name, not a login: {by}");
}

#[test]
fn only_the_admin_a_lead_or_the_principal_publish() {
    let date = day("2026-05-20");
    let tmp = tempfile::tempdir().unwrap();
    let db = demo_copy_at(&tmp, "demo.db", date);
    let s = open_on(&db, None, date);
    let observer = only(&s, Role::Observer);
    let inspector = only(&s, Role::Inspector);
    let principal = only(&s, Role::Principal);
    drop(s);
    for who in [&observer, &inspector] {
        let dir = tmp.path().join(format!("site-{who}"));
        let e = open_on(&db, who, date)
            .publish_site(&dir, 2026, false)
            .unwrap_err();
        assert!(e.to_string().contains("无权"), "{who}: {e}");
        assert!(!dir.exists(), "{who}: nothing written");
    }
    for who in [&principal, &"lead.liu".to_string()] {
        let dir = tmp.path().join(format!("site-{who}"));
        open_on(&db, who, date)
            .publish_site(&dir, 2026, false)
            .unwrap();
        assert!(dir.join("index.html").exists());
        // Who published what, and when, is in the log.
        let events = open_on(&db, None, date)
            .audit_events(&shuangsuiji::domain::audit::EventFilter {
                action_prefix: Some("site.publish".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(events[0].actor, *who);
        assert_eq!(events[0].subject, dir.display().to_string());
    }
    // The command line says so too.
    let o = crate::support::run(
        &db,
        &[
            "--as",
            &observer,
            "publish",
            tmp.path().join("cli").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(
        crate::support::stderr(&o).contains("无权"),
        "{}",
        crate::support::stderr(&o)
    );
}

#[test]
fn a_directory_publish_did_not_create_needs_force() {
    let date = day("2026-05-20");
    let tmp = tempfile::tempdir().unwrap();
    let db = demo_copy_at(&tmp, "demo.db", date);
    let dir = tmp.path().join("www");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "the bureau's own page").unwrap();
    let mut s = open_on(&db, None, date);
    let e = s.publish_site(&dir, 2026, false).unwrap_err().to_string();
    assert!(
        e.contains("不是 publish 创建的") && e.contains("--force"),
        "{e}"
    );
    assert_eq!(read(&dir.join("index.html")), "the bureau's own page");
    assert!(!dir.join(MARKER).exists());
    // With --force it writes, and then the directory is its own.
    s.publish_site(&dir, 2026, true).unwrap();
    assert!(read(&dir.join("index.html")).contains("双随机"));
    assert!(dir.join(MARKER).exists());
    s.publish_site(&dir, 2026, false).unwrap();
    // Atomic writes leave no temporary file behind: the marker is the only hidden file.
    let hidden: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(hidden, vec![MARKER.to_string()]);
    // A file in place of the directory is refused.
    let file = tmp.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    assert!(s.publish_site(&file, 2026, true).is_err());
}

#[test]
fn text_from_the_database_is_escaped() {
    let date = day("2026-08-20");
    let tmp = tempfile::tempdir().unwrap();
    let db = demo_copy_at(&tmp, "demo.db", date);
    let mut s = open_on(&db, None, date);
    let hostile = "<img src=x onerror=alert(1)>县&局\"'";
    s.set_bureau(hostile, "测试转义").unwrap();
    let site = tmp.path().join("site");
    s.publish_site(&site, 2026, false).unwrap();
    for (name, text) in files(&site) {
        if !name.ends_with(".html") {
            continue;
        }
        assert!(!text.contains("<img"), "{name} carries raw markup");
        assert!(
            text.contains("&lt;img src=x onerror=alert(1)&gt;县&amp;局&quot;&#39;"),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The browser.

/// The Chromium binary: its absence fails the test (CI installs it).
fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "没有找到 chromium：浏览器测试需要 Debian 的 chromium（apt-get install -y chromium，.ci/run 会安装）"
    );
}

fn browser(args: &[String]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

fn url(page: &Path) -> String {
    format!("file://{}", page.canonicalize().unwrap().display())
}

/// The page's DOM after its scripts ran.
fn browser_dom(page: &Path) -> String {
    let o = browser(&[
        "--virtual-time-budget=60000".to_string(),
        "--dump-dom".to_string(),
        url(page),
    ]);
    let dom = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        dom.contains("</html>"),
        "chromium gave no DOM for {}: {}",
        page.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    dom
}

/// `data-verdict` and the text of `#verdict`.
fn verdict(dom: &str) -> (String, String) {
    let at = dom.find("id=\"verdict\"").expect("the page has #verdict");
    let tag_end = at + dom[at..].find('>').unwrap();
    let tag = &dom[at..tag_end];
    let v = tag
        .split("data-verdict=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_string();
    let text_end = tag_end + dom[tag_end..].find('<').unwrap();
    (v, dom[tag_end + 1..text_end].to_string())
}

/// The record embedded in a draw page.
fn embedded(html: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"record\">";
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The page with another record embedded (escaped as `publish` escapes it).
fn with_record(html: &str, v: &Value) -> String {
    let open = "<script type=\"application/json\" id=\"record\">";
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    let json = serde_json::to_string(v)
        .unwrap()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    format!("{}{}{}", &html[..start], json, &html[end..])
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("public_site");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn screenshot(page: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let out = screenshot_dir().join(name);
    let _ = std::fs::remove_file(&out);
    let o = browser(&[
        "--virtual-time-budget=60000".to_string(),
        format!("--window-size={width},{height}"),
        format!("--screenshot={}", out.display()),
        url(page),
    ]);
    assert!(
        out.exists() && std::fs::metadata(&out).unwrap().len() > 1000,
        "no screenshot {}: {}",
        out.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn the_page_verifies_a_genuine_record_and_fails_a_changed_one() {
    let (tmp, site, stages) = published("2026-08-20");
    assert_eq!(stages["2026Q1-01"], Stage::Complete);
    let page = site.join(draw_page("2026Q1-01"));
    let html = read(&page);
    let (v, text) = verdict(&browser_dom(&page));
    assert_eq!(v, "pass", "{text}");
    assert!(text.contains("核验通过"), "{text}");

    let rec = embedded(&html);
    // A stratum with a selection and someone left out of it.
    let k = rec["strata"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| {
            let n = s["selected"].as_array().unwrap().len();
            let i = rec["strata"]
                .as_array()
                .unwrap()
                .iter()
                .position(|x| x == s)
                .unwrap();
            n > 0
                && rec["prepared"]["strata"][i]["population"]
                    .as_array()
                    .unwrap()
                    .len()
                    > n
        })
        .expect("a stratum that selected some of its population");
    let selected: Vec<&str> = rec["strata"][k]["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let outsider = rec["prepared"]["strata"][k]["population"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .find(|id| !selected.contains(&id.as_str()))
        .unwrap();
    type Change = Box<dyn Fn(&mut Value)>;
    let changes: Vec<(&str, Change, &str)> = vec![
        (
            "selection",
            Box::new(move |r: &mut Value| {
                r["strata"][k]["selected"][0]["id"] = outsider.clone().into();
            }),
            "抽中对象",
        ),
        (
            "ticket",
            Box::new(move |r: &mut Value| {
                let t = r["strata"][k]["selected"][0]["ticket"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let last = if t.ends_with('1') { '2' } else { '1' };
                r["strata"][k]["selected"][0]["ticket"] =
                    format!("{}{last}", &t[..t.len() - 1]).into();
            }),
            "签号",
        ),
        (
            "seed part",
            Box::new(|r: &mut Value| {
                let p = r["seed_parts"][0].as_str().unwrap().to_string();
                let first = if p.starts_with('9') { '8' } else { '9' };
                r["seed_parts"][0] = format!("{first}{}", &p[1..]).into();
            }),
            "种子",
        ),
        (
            "quota",
            Box::new(move |r: &mut Value| {
                let q = r["strata"][k]["quota"].as_u64().unwrap();
                r["strata"][k]["quota"] = (q + 1).into();
            }),
            "名额",
        ),
        (
            "population",
            Box::new(move |r: &mut Value| {
                r["prepared"]["strata"][k]["population"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            "承诺值",
        ),
        (
            "priority",
            Box::new(move |r: &mut Value| {
                let id = r["prepared"]["strata"][k]["population"][0].clone();
                r["prepared"]["strata"][k]["priority"]
                    .as_array_mut()
                    .unwrap()
                    .push(id);
            }),
            "承诺值",
        ),
        (
            "commitment",
            Box::new(|r: &mut Value| {
                r["commitment"] = "0".repeat(64).into();
            }),
            "承诺值",
        ),
    ];
    for (what, change, says) in changes {
        let mut r = rec.clone();
        change(&mut r);
        let changed = tmp
            .path()
            .join(format!("changed-{}.html", what.replace(' ', "-")));
        std::fs::write(&changed, with_record(&html, &r)).unwrap();
        let (v, text) = verdict(&browser_dom(&changed));
        assert_eq!(v, "fail", "a changed {what} must fail: {text}");
        assert!(
            text.contains("不符") && text.contains(says),
            "{what}: {text}"
        );
    }
}

#[test]
fn a_prepared_draw_page_checks_its_commitment() {
    let (tmp, site, stages) = published("2026-02-10");
    assert_eq!(stages["2026Q1-01"], Stage::Prepared);
    let page = site.join(draw_page("2026Q1-01"));
    let (v, text) = verdict(&browser_dom(&page));
    assert_eq!(v, "pass", "{text}");
    let html = read(&page);
    let mut r = embedded(&html);
    r["prepared"]["strata"][0]["population"]
        .as_array_mut()
        .unwrap()
        .pop();
    let changed = tmp.path().join("changed.html");
    std::fs::write(&changed, with_record(&html, &r)).unwrap();
    let (v, text) = verdict(&browser_dom(&changed));
    assert_eq!(v, "fail", "{text}");
    assert!(text.contains("承诺值"), "{text}");
}

#[test]
fn a_first_year_record_verifies_in_the_page() {
    // The v1 record of the first year's build (tests/it/fixtures/first-year-v1.zip).
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/fixtures/first-year-v1.zip"
    ))
    .unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("record-v1.json").unwrap(), &mut text).unwrap();
    let record = parse_record(&text).unwrap();
    assert_eq!(record.format, "ssj-draw-record-v1");
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("v1.html");
    std::fs::write(&page, record_page("阳城县生态环境局", 2025, &record)).unwrap();
    let dom = browser_dom(&page);
    let (v, text) = verdict(&dom);
    assert_eq!(v, "pass", "{text}");
    // The first year kept officers' personal data inside `prepared`: taken out, and the page
    // says the commitment is left to the bureau.
    let html = read(&page);
    let public = embedded(&html);
    assert!(public["redacted"].is_string());
    assert!(public["prepared"].get("ineligible").is_none());
    for i in public["prepared"]["inspectors"].as_array().unwrap() {
        assert!(i.get("conflicts").is_none(), "{i}");
    }
    let reasons: Vec<&str> = record
        .prepared
        .ineligible
        .iter()
        .flatten()
        .map(|i| i.reason.as_str())
        .collect();
    assert!(reasons.contains(&"不在岗"));
    for r in reasons {
        assert!(!html.contains(&format!("\"reason\":\"{r}\"")), "{r}");
    }
    assert!(
        dom.contains("承诺值无法在本页重算"),
        "the page says what it leaves out"
    );
    assert!(!dom.contains("<td>承诺值</td>"), "no commitment row");
}

#[test]
fn screenshots_of_the_index_and_of_draw_pages() {
    let (_tmp, site, _) = published("2026-08-20");
    let shots = [
        screenshot(&site.join("index.html"), "index.png", 1280, 2400),
        screenshot(
            &site.join(draw_page("2026Q1-01")),
            "draw-complete.png",
            1280,
            3000,
        ),
        screenshot(
            &site.join(draw_page("2026Q2-01")),
            "draw-run.png",
            1280,
            2000,
        ),
        screenshot(&site.join("index.html"), "index-phone.png", 390, 2400),
    ];
    for s in shots {
        eprintln!("screenshot: {}", s.display());
    }
}

#[test]
fn the_js_verifier_matches_the_golden_vectors_under_node() {
    let node = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/js/verify.test.js"
        ))
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/golden/consistent-sampler-v1.json"
        ))
        .output()
        .expect("node runs (Node.js is needed for the JS verifier's test)");
    assert!(
        node.status.success(),
        "{}{}",
        String::from_utf8_lossy(&node.stdout),
        String::from_utf8_lossy(&node.stderr)
    );
}

/// The documented measurement of issue 13 item 6 (docs/benchmarks.md), not a timed test: a
/// v2 record of 100,000 entities in 8 strata (5,000 selected) verified in headless
/// Chromium. Prints the page's own timings and the browser's wall time against an empty
/// page's. `cargo test --release --test it public_site::measure -- --ignored --nocapture`
#[test]
#[ignore]
fn measure_100k_entities_in_the_browser() {
    use shuangsuiji::domain::draw::commit::{commitment, seed, sha256_hex};
    use shuangsuiji::domain::draw::record::{
        ALGORITHM, EntityFacts, FORMAT, Prepared, SYSTEM_SOURCE, StratumSpec, TaskSpec,
        VisitResult, person_source,
    };
    use shuangsuiji::domain::draw::select::{select, visits};
    let ids: Vec<String> = (1..=100_000).map(|i| format!("ENT-{i:06}")).collect();
    let strata: Vec<StratumSpec> = ids
        .chunks(12_500)
        .enumerate()
        .map(|(i, c)| StratumSpec {
            task: "NB-1".into(),
            label: format!("第{}层", i + 1),
            rule: "每季度5%".into(),
            ratio_bp: 500,
            population: c.to_vec(),
            priority: c[..10].to_vec(),
            quota: 625,
            ..Default::default()
        })
        .collect();
    let system = "12345678901234567890".to_string();
    let prepared = Prepared {
        period: "2026Q2".into(),
        algorithm: ALGORITHM.into(),
        prepared_on: "2026-04-01".into(),
        sources: vec!["现场掷骰".into(), SYSTEM_SOURCE.into()],
        tasks: vec![TaskSpec {
            code: "NB-1".into(),
            name: "污染源日常环境监督管理".into(),
            plan: "2026/NB".into(),
            departments: vec![],
            expertise: vec!["综合".into()],
            items: vec!["1-1".into()],
        }],
        strata,
        entities: ids
            .iter()
            .map(|id| EntityFacts {
                id: id.clone(),
                name: format!("示例企业{id}"),
                town: "凤城镇".into(),
                last_team: None,
                class: Some("一般".into()),
            })
            .collect(),
        lead_department: "本局".into(),
        workload_cap: 3,
        draw_id: Some("2026Q2-01".into()),
        prepared_by: Some("lead".into()),
        prepared_at: Some("2026-04-01T09:00:00+08:00".into()),
        system_part_sha256: Some(sha256_hex(&system)),
        private_sha256: Some(sha256_hex("{}")),
        ..Default::default()
    };
    let parts = vec![
        crate::support::SEEDS[0].to_string(),
        crate::support::SEEDS[1].to_string(),
        system,
    ];
    let c = commitment(&prepared);
    let s = seed(&c, &parts);
    let results = select(&prepared, &s);
    let planned = visits(&prepared, &results);
    let record = DrawRecord {
        format: FORMAT.into(),
        draw_id: "2026Q2-01".into(),
        period: "2026Q2".into(),
        algorithm: ALGORITHM.into(),
        prepared,
        private: None,
        commitment: c,
        seed_parts: parts,
        seed_sources: vec![person_source(1), person_source(2), SYSTEM_SOURCE.into()],
        seed: s,
        run_on: "2026-04-02".into(),
        witnesses: vec![],
        strata: results,
        visits: planned
            .into_iter()
            .map(|p| VisitResult {
                entity: p.entity,
                tasks: p.tasks,
                ticket: p.ticket,
                team: vec![],
                problem: None,
                note: p.note,
            })
            .collect(),
        substitutions: vec![],
        checkpoint: None,
    };
    assert!(shuangsuiji::domain::draw::verify::verify(&record).is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("100k.html");
    let html = record_page("示例局", 2026, &record);
    std::fs::write(&page, &html).unwrap();
    let empty = tmp.path().join("empty.html");
    std::fs::write(&empty, "<!DOCTYPE html><html><body><p>x</p></body></html>").unwrap();
    // Without virtual time (which stops the page's clock while a script runs), the page's
    // `#sync` mode finishes the check before the load event, when --dump-dom reads the DOM.
    let real_time = |page: &Path, fragment: &str| {
        let o = browser(&["--dump-dom".to_string(), format!("{}{fragment}", url(page))]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    for run in 1..=3 {
        let t = std::time::Instant::now();
        real_time(&empty, "");
        let base = t.elapsed();
        let t = std::time::Instant::now();
        let dom = real_time(&page, "#sync");
        let wall = t.elapsed();
        let (v, text) = verdict(&dom);
        assert_eq!(v, "pass", "{text}");
        let attr = |name: &str| {
            dom.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("?")
                .to_string()
        };
        eprintln!(
            "run {run}: page {} MB; verdict {v}; in-page: all checks {} ms, selections {} ms; browser wall {:.2} s, empty page {:.2} s",
            html.len() / 1_000_000,
            attr("data-ms"),
            attr("data-select-ms"),
            wall.as_secs_f64(),
            base.as_secs_f64()
        );
    }
}

#[test]
fn the_annual_figures_appear_once_the_report_is_generated_and_the_cli_says_each_stage() {
    let date = day("2026-12-20");
    let tmp = tempfile::tempdir().unwrap();
    let db = demo_copy_at(&tmp, "demo.db", date);
    let site = tmp.path().join("site");
    let mut s = open_on(&db, None, date);
    s.publish_site(&site, 2026, false).unwrap();
    let index = read(&site.join("index.html"));
    assert!(index.contains("年度报告生成后在此公布") && !index.contains("annual-figures"));
    // The 公示 list holds published results only.
    assert!(index.contains("id=\"published\""));
    s.write_annual_report(
        2026,
        &tmp.path().join("年度报告.md"),
        shuangsuiji::sheets::Overwrite::Refuse,
    )
    .unwrap();
    let report = s.annual_report(2026).unwrap();
    drop(s);
    let o = crate::support::command(&db, &["publish", site.to_str().unwrap()])
        .env("SHUANGSUIJI_TODAY", "2026-12-20")
        .output()
        .unwrap();
    let out = crate::support::stdout(&o);
    assert!(o.status.success(), "{}", crate::support::stderr(&o));
    assert!(
        out.contains("抽取 2026Q1-01：已抽取，完整记录公开"),
        "{out}"
    );
    assert!(out.contains("抽取 2026Q4-01：已公布承诺值"), "{out}");
    let index = read(&site.join("index.html"));
    assert!(
        index.contains("id=\"annual-figures\""),
        "the summary table is there"
    );
    let total = format!("<td data-label=\"检查任务数\">{}</td>", report.total.visits);
    assert!(
        index.contains("合计") && index.contains(&total),
        "the total row: {total}"
    );
    // A site is a directory, never standard output.
    let o = crate::support::run(&db, &["publish", "-"]);
    assert!(!o.status.success());
    assert!(crate::support::stderr(&o).contains("网站目录不能是"));
}

/// The two verifiers agree: records changed in many ways — some re-sealed (commitment, seed,
/// selections and visits re-computed by the Rust draw, so only the rule at stake can fail),
/// some not — get the same verdict from `domain::draw::verify` and from the page's script
/// under Node (`tests/js/verdicts.js`).
#[test]
fn the_page_and_the_rust_verifier_agree_on_changed_records() {
    use shuangsuiji::domain::draw::commit::{commitment, seed};
    use shuangsuiji::domain::draw::record::{Annual, VisitResult};
    use shuangsuiji::domain::draw::select::{select, visits};
    use shuangsuiji::domain::draw::verify::verify;

    let (tmp, site, _) = published("2026-08-20");
    let genuine: DrawRecord = parse_record(&read(&site.join(draw_json("2026Q1-01")))).unwrap();
    // Commitment, seed, selections and visits re-computed after a change of `prepared`.
    fn seal(r: &mut DrawRecord) {
        r.commitment = commitment(&r.prepared);
        r.seed = seed(&r.commitment, &r.seed_parts);
        r.strata = select(&r.prepared, &r.seed);
        r.visits = visits(&r.prepared, &r.strata)
            .into_iter()
            .map(|p| VisitResult {
                entity: p.entity,
                tasks: p.tasks,
                ticket: p.ticket,
                team: vec![],
                problem: None,
                note: p.note,
            })
            .collect();
    }
    type Change = Box<dyn Fn(&mut DrawRecord)>;
    let mut changes: Vec<(String, Change)> = vec![("genuine, re-sealed".into(), Box::new(seal))];
    let n = genuine.prepared.strata.len();
    for k in [0, 1, 5, 6, 20, 22, n - 1] {
        let st = &genuine.prepared.strata[k];
        let pop = st.population.len() as u32;
        let mut add = |what: &str, f: Change| changes.push((format!("stratum {k}: {what}"), f));
        add(
            "quota + 1, sealed",
            Box::new(move |r| {
                r.prepared.strata[k].quota += 1;
                seal(r)
            }),
        );
        if st.quota > 0 {
            add(
                "quota - 1, sealed",
                Box::new(move |r| {
                    r.prepared.strata[k].quota -= 1;
                    seal(r)
                }),
            );
        }
        add(
            "take_all_priority toggled, sealed",
            Box::new(move |r| {
                let s = &mut r.prepared.strata[k];
                s.take_all_priority = !s.take_all_priority;
                seal(r)
            }),
        );
        add(
            "ratio_base doubled, quota kept, sealed",
            Box::new(move |r| {
                r.prepared.strata[k].ratio_base = Some(pop * 2);
                seal(r)
            }),
        );
        add(
            "ratio_base doubled, quota by the rule, sealed",
            Box::new(move |r| {
                let s = &mut r.prepared.strata[k];
                s.annual = None;
                s.ratio_base = Some(pop * 2);
                s.quota = s.wanted().min(pop);
                seal(r)
            }),
        );
        if pop > 1 {
            add(
                "ratio_base below the population, sealed",
                Box::new(move |r| {
                    r.prepared.strata[k].ratio_base = Some(pop - 1);
                    seal(r)
                }),
            );
            add(
                "over_cap outside a full-coverage stratum, sealed",
                Box::new(move |r| {
                    let s = &mut r.prepared.strata[k];
                    if !s.full_coverage {
                        s.over_cap = vec![s.population[0].clone()];
                    } else {
                        s.over_cap = vec!["NOT-IN-POPULATION".into()];
                    }
                    seal(r)
                }),
            );
            add(
                "a priority id outside the population, sealed",
                Box::new(move |r| {
                    r.prepared.strata[k]
                        .priority
                        .push("NOT-IN-POPULATION".into());
                    seal(r)
                }),
            );
            add(
                "the first unit made a priority, quota by the rule, sealed",
                Box::new(move |r| {
                    let s = &mut r.prepared.strata[k];
                    let first = s.population[0].clone();
                    if !s.priority.contains(&first) {
                        s.priority.push(first);
                    }
                    s.take_all_priority = true;
                    let by_rule = s.wanted().min(pop);
                    s.quota = by_rule.max(s.priority.len() as u32);
                    seal(r)
                }),
            );
        }
        add(
            "a yearly target, quota by the rule, sealed",
            Box::new(move |r| {
                let s = &mut r.prepared.strata[k];
                s.annual = Some(Annual {
                    target: pop + 3,
                    drawn: 2,
                    quarters_left: 3,
                });
                s.quota = s.wanted().min(pop);
                seal(r)
            }),
        );
        add(
            "a yearly target, quota off by one, sealed",
            Box::new(move |r| {
                let s = &mut r.prepared.strata[k];
                s.annual = Some(Annual {
                    target: pop + 3,
                    drawn: 2,
                    quarters_left: 3,
                });
                s.quota = s.wanted().min(pop) + 1;
                seal(r)
            }),
        );
        add(
            "full coverage toggled, sealed",
            Box::new(move |r| {
                let s = &mut r.prepared.strata[k];
                s.full_coverage = !s.full_coverage;
                s.over_cap.clear();
                seal(r)
            }),
        );
        add(
            "a selected ticket changed",
            Box::new(move |r| {
                if let Some(s) = r.strata[k].selected.first_mut() {
                    s.ticket = s.ticket.replacen("0.", "0.0", 1);
                } else {
                    r.strata[k].quota += 1;
                }
            }),
        );
    }
    changes.push((
        "tasks in another order, sealed".into(),
        Box::new(|r| {
            r.prepared.tasks.reverse();
            seal(r)
        }),
    ));
    changes.push((
        "a visit's tasks reordered".into(),
        Box::new(|r| {
            let v = r.visits.iter_mut().find(|v| v.tasks.len() > 1).unwrap();
            v.tasks.reverse();
        }),
    ));
    changes.push((
        "a visit marked over the cap".into(),
        Box::new(|r| r.visits[0].note = Some("超出年度抽查上限（全覆盖任务）".into())),
    ));
    changes.push((
        "two visits swapped".into(),
        Box::new(|r| r.visits.swap(0, 1)),
    ));
    changes.push((
        "a seed source renamed".into(),
        Box::new(|r| r.seed_sources[0] = "现场种子9".into()),
    ));
    changes.push((
        "people's parts under 20 digits, sealed".into(),
        Box::new(|r| {
            r.seed_parts[0] = "12345".into();
            r.seed_parts[1] = "6789".into();
            seal(r)
        }),
    ));
    changes.push((
        "a non-digit seed part, sealed".into(),
        Box::new(|r| {
            r.seed_parts[0] = format!("{}x", r.seed_parts[0]);
            seal(r)
        }),
    ));
    changes.push((
        "the system part replaced, sealed".into(),
        Box::new(|r| {
            let last = r.seed_parts.len() - 1;
            r.seed_parts[last] = "11111111111111111111".into();
            seal(r)
        }),
    ));
    changes.push((
        "the draw id of another period".into(),
        Box::new(|r| r.draw_id = "2026Q2-01".into()),
    ));
    changes.push((
        "the format of the first year".into(),
        Box::new(|r| r.format = "ssj-draw-record-v1".into()),
    ));

    let mut files = Vec::new();
    let mut rust = Vec::new();
    for (i, (what, change)) in changes.iter().enumerate() {
        let mut r = genuine.clone();
        change(&mut r);
        rust.push(verify(&r));
        let f = tmp.path().join(format!("changed-{i}.json"));
        std::fs::write(&f, serde_json::to_string(&r).unwrap()).unwrap();
        files.push((what.clone(), f));
    }
    let node = Command::new("node")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js/verdicts.js"))
        .args(files.iter().map(|f| &f.1))
        .output()
        .expect("node runs");
    assert!(
        node.status.success(),
        "{}",
        String::from_utf8_lossy(&node.stderr)
    );
    let js: Vec<String> = String::from_utf8_lossy(&node.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(js.len(), files.len());
    let mut disagree = Vec::new();
    let (mut passed, mut failed) = (0, 0);
    for (((what, _), rust), js) in files.iter().zip(&rust).zip(&js) {
        let rust_pass = rust.is_empty();
        if rust_pass {
            passed += 1;
        } else {
            failed += 1;
        }
        if rust_pass != (js == "pass") {
            disagree.push(format!("{what}: Rust {rust:?}; JS {js}"));
        }
    }
    eprintln!(
        "{} changed records: {passed} pass, {failed} fail, in both verifiers",
        files.len()
    );
    assert!(
        disagree.is_empty(),
        "the verifiers disagree:\n{}",
        disagree.join("\n")
    );
    // Both kinds of case were there.
    assert!(
        passed >= 5 && failed >= 20,
        "{passed} passed, {failed} failed"
    );
}
