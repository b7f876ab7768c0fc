// Embeds every `rules/*.toml` file into the binary, so adding a rule file needs no code change.
// Each file is embedded twice: as written (for the tests, with every rule's examples) and
// converted to JSON without the examples, which parses in a fraction of the time at
// start-up — the pre-commit hook pays start-up on every commit.
use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let out_dir = env::var("OUT_DIR").unwrap();
    let mut files: Vec<_> = fs::read_dir("rules")
        .expect("rules/ directory")
        .map(|e| e.expect("rules/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut ids = Vec::new();
    let mut code = String::from(
        "/// Embedded rule files: (file name, TOML as written, the same converted to JSON).\n\
         pub static BUILTIN_RULE_FILES: &[(&str, &str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = fs::canonicalize(f).expect("canonical path");
        let name = f.file_name().unwrap().to_string_lossy();
        let text = fs::read_to_string(f).expect("rule file is UTF-8");
        // A syntax error here is reported again, with the rule, by the test suite.
        let mut value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("rules/{name} is not valid TOML: {e}"));
        // Scans need no examples (a third of the bytes); the test suite and `rules test`
        // read them from the TOML form.
        if let Some(rules) = value.get_mut("rules").and_then(|r| r.as_array_mut()) {
            for rule in rules.iter_mut().filter_map(|r| r.as_table_mut()) {
                if let Some(id) = rule.get("id").and_then(|v| v.as_str()) {
                    ids.push(id.to_string());
                }
                rule.remove("examples");
                rule.remove("negative_examples");
            }
        }
        let json_path = Path::new(&out_dir).join(format!("{name}.json"));
        fs::write(&json_path, serde_json::to_string(&value).unwrap()).expect("write JSON");
        code.push_str(&format!(
            "    (\"rules/{name}\", include_str!({:?}), include_str!({:?})),\n",
            abs.display().to_string(),
            json_path.display().to_string()
        ));
    }
    code.push_str("];\n");
    // The ids alone, in order: a configuration is checked against them without parsing the
    // rules (which a scan then does while it walks).
    code.push_str(&format!(
        "/// The embedded rules' ids, in file order.\npub static BUILTIN_RULE_IDS: &[&str] = &{ids:?};\n"
    ));
    fs::write(Path::new(&out_dir).join("builtin_rules.rs"), code).expect("write builtin_rules.rs");
}
