//! Every vector of `shared/golden/consistent-sampler-v1.json`, computed by the PyPI package
//! consistent-sampler 1.0.10, reproduced exactly.

use sha2::{Digest, Sha256};
use shuangsuiji::domain::draw::ticket::{seed_hash, smallest, ticket};

fn golden() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/golden/consistent-sampler-v1.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("shared/golden beside the checkout"))
        .unwrap()
}

fn pairs(v: &serde_json::Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn listed_populations_give_the_listed_order_and_tickets() {
    let g = golden();
    let mut checked = 0;
    for v in g["vectors"].as_array().unwrap() {
        let Some(pop) = v["population"].as_array() else {
            continue;
        };
        let ids: Vec<&str> = pop.iter().map(|x| x.as_str().unwrap()).collect();
        let s = seed_hash(v["seed"].as_str().unwrap());
        let take = v["take"].as_u64().unwrap() as usize;
        let got: Vec<(String, String)> = smallest(&s, &ids, take)
            .into_iter()
            .map(|(t, id)| (t, id.to_string()))
            .collect();
        assert_eq!(got, pairs(&v["order"]), "vector {}", v["name"]);
        for (t, id) in pairs(&v["order"]) {
            assert_eq!(ticket(&s, &id), t);
        }
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[test]
fn the_hundred_thousand_vector_matches_first_twenty_last_and_digest() {
    let g = golden();
    let v = g["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "ent-100000")
        .unwrap();
    let ids: Vec<String> = (1..=100_000).map(|i| format!("ENT-{i:06}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let s = seed_hash(v["seed"].as_str().unwrap());
    let take = v["take"].as_u64().unwrap() as usize;
    let got = smallest(&s, &refs, take);
    assert_eq!(got.len(), 5000);
    let first: Vec<(String, String)> = got[..20]
        .iter()
        .map(|(t, id)| (t.clone(), id.to_string()))
        .collect();
    assert_eq!(first, pairs(&v["first20"]));
    let last = got.last().unwrap();
    assert_eq!(last.0, v["last"][0].as_str().unwrap());
    assert_eq!(last.1, v["last"][1].as_str().unwrap());
    let joined = got.iter().map(|(_, id)| *id).collect::<Vec<_>>().join("\n");
    assert_eq!(
        hex::encode(Sha256::digest(joined.as_bytes())),
        v["sha256_of_selected_ids_joined_by_newline"]
            .as_str()
            .unwrap()
    );
}
