//! The independent implementation's synthetic USCCs (`shared/golden`) all pass our check
//! character, and changing any one character of them is caught.

use shuangsuiji::domain::uscc;

#[test]
fn every_golden_uscc_is_valid_and_every_single_change_is_caught() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/golden/consistent-sampler-v1.json"
    );
    let text = std::fs::read_to_string(path).expect("shared/golden sits beside the checkout");
    let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
    let codes: Vec<&str> = golden["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["name"] == "uscc-1000")
        .flat_map(|v| v["population"].as_array().unwrap())
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 1000);
    for code in &codes {
        assert_eq!(uscc::parse(code).as_deref(), Ok(*code));
    }
    // Weights are non-zero modulo the prime 31, so any one changed character is caught.
    let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for code in codes.iter().take(50) {
        for pos in 0..18 {
            for c in alphabet
                .chars()
                .filter(|c| code.as_bytes()[pos] != *c as u8)
            {
                let changed = format!("{}{c}{}", &code[..pos], &code[pos + 1..]);
                assert!(uscc::parse(&changed).is_err(), "{changed}");
            }
        }
    }
}
