//! The value classifier: whether the value an assignment-style rule captured (`password =
//! "…"`, `DATADOG_API_KEY: …`) can be a secret at all. One classifier for every such rule,
//! generic and vendor-keyword rules alike, instead of per-rule allowlists that each catch
//! one shape.
//!
//! It rejects three kinds of value, each measured on real code (see README, "Detection
//! quality"):
//! - placeholders: `your…`, `example`, `changeme`, `xxxx`, `<…>`, `${…}`, `{{…}}`, `%s`,
//!   `redacted`, `dummy`, `fake`, `sample`, runs like `abcdef`, `123456`, `a1b2c3`, one
//!   short unit repeated;
//! - code and names: identifiers and words (camelCase, snake_case, Header-Case) by word
//!   coverage, dotted names, calls (`String(`), `::`, `->`, `--flag=`, URLs, paths, host
//!   names, `a:b:c` lists;
//! - encoded text: base64 or hex that decodes to text which is itself one of the above or
//!   mostly words (`base64("example-cookie-secret")`, RFC 7617's `Aladdin:open sesame`).
//!
//! Values are percent-decoded first (`pass%20word`). Word coverage uses an English word list
//! (SCOWL, `words.txt`) and a short list of words of code; a random secret's letters fall in
//! short runs that are rarely words, a name's letters almost all do.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Why a match may not be a secret (its finding is then `low` confidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doubt {
    /// The value is not one ([`classify`]).
    Value(NotSecret),
    /// URL userinfo, a template or a Markdown link, not an assignment.
    NotAnAssignment,
    /// A vendor rule's loose value under a name that names no credential
    /// (`snowflake_account = …`).
    NoCredentialName,
    /// A key its vendor publishes for local development ([`published`]).
    Published,
    /// HTTP Basic credentials with an empty password (`user:` in base64): a client id.
    EmptyPassword,
}

impl Doubt {
    pub fn as_str(self) -> &'static str {
        match self {
            Doubt::Value(v) => v.as_str(),
            Doubt::NotAnAssignment => "not-an-assignment",
            Doubt::NoCredentialName => "no-credential-name",
            Doubt::Published => "published",
            Doubt::EmptyPassword => "empty-password",
        }
    }
}

/// Why a value is not a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSecret {
    /// `your-api-key`, `<token>`, `${TOKEN}`, `xxxx`, `123456`, `changeme`.
    Placeholder,
    /// An identifier or words: `transportCredsForS2A`, `X-Amz-Credential`, `hunter2`.
    Name,
    /// Code: `CloudPlatformKey.String(`, `a::b`, `x->y`, `--platform=linux`.
    Code,
    /// A URL, a path or a host name.
    Location,
    /// `username:password:uid:gid`.
    List,
    /// Base64, hex or percent-encoding of one of the above.
    Encoded,
}

impl NotSecret {
    pub fn as_str(self) -> &'static str {
        match self {
            NotSecret::Placeholder => "placeholder",
            NotSecret::Name => "name",
            NotSecret::Code => "code",
            NotSecret::Location => "location",
            NotSecret::List => "list",
            NotSecret::Encoded => "encoded",
        }
    }
}

/// Words of code and configuration that an English list lacks.
const CODE_WORDS: &[&str] = &[
    "api",
    "apis",
    "app",
    "apps",
    "arg",
    "args",
    "arn",
    "async",
    "auth",
    "authn",
    "authz",
    "aws",
    "azure",
    "bool",
    "buf",
    "cfg",
    "cli",
    "cmd",
    "conf",
    "config",
    "cred",
    "creds",
    "csrf",
    "ctx",
    "db",
    "dev",
    "dir",
    "dns",
    "dsn",
    "dst",
    "env",
    "err",
    "expr",
    "fn",
    "func",
    "gcp",
    "gke",
    "hmac",
    "href",
    "html",
    "http",
    "https",
    "id",
    "ids",
    "idx",
    "impl",
    "info",
    "init",
    "int",
    "io",
    "ip",
    "iss",
    "jwt",
    "json",
    "jwk",
    "jwks",
    "kms",
    "len",
    "lib",
    "msg",
    "mysql",
    "oauth",
    "oidc",
    "ok",
    "opt",
    "opts",
    "os",
    "param",
    "params",
    "pem",
    "pkcs",
    "postgres",
    "prod",
    "ptr",
    "pwd",
    "redis",
    "repo",
    "req",
    "res",
    "resp",
    "rpc",
    "rsa",
    "sdk",
    "sha",
    "smtp",
    "sql",
    "src",
    "ssh",
    "ssl",
    "ssm",
    "sso",
    "std",
    "str",
    "sts",
    "svc",
    "sync",
    "tcp",
    "tls",
    "tmp",
    "tok",
    "txt",
    "ui",
    "uid",
    "uri",
    "url",
    "usr",
    "util",
    "utils",
    "uuid",
    "val",
    "var",
    "vars",
    "xml",
    "yaml",
    "yml",
    "amz",
    "gcs",
    "iam",
    "acl",
    "admin",
    "bearer",
    "todo",
    "webhook",
    "localhost",
    "passwd",
    "github",
    "gitlab",
];

fn words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        include_str!("words.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .chain(CODE_WORDS.iter().copied())
            .collect()
    })
}

/// Whether lowercase `w` is a word, allowing the endings the list leaves out.
fn is_word(w: &str) -> bool {
    let set = words();
    if set.contains(w) {
        return true;
    }
    for suffix in ["es", "s", "ed", "ing", "d", "er", "ers"] {
        if let Some(stem) = w.strip_suffix(suffix) {
            if stem.len() >= 3 && set.contains(stem) {
                return true;
            }
        }
    }
    false
}

/// Whether lowercase `run` is one to three words run together (`userprofile`).
fn is_words(run: &str) -> bool {
    if is_word(run) {
        return true;
    }
    if run.len() < 6 || run.len() > 40 {
        return false;
    }
    // ok[i]: run[..i] splits into words of three letters or more, with the fewest words.
    let n = run.len();
    let mut best = vec![usize::MAX; n + 1];
    best[0] = 0;
    for i in 3..=n {
        for j in 0..=i.saturating_sub(3) {
            if best[j] < 3 && run.is_char_boundary(j) && is_word(&run[j..i]) {
                best[i] = best[i].min(best[j] + 1);
            }
        }
    }
    best[n] <= 3
}

/// The runs of letters in `s`, split at camelCase boundaries (`transportCredsFor` →
/// `transport`, `Creds`, `For`; `HTTPServer` → `HTTP`, `Server`), lower-cased.
fn letter_runs(s: &str) -> Vec<String> {
    let b: Vec<char> = s.chars().collect();
    let mut runs = Vec::new();
    let mut start = None;
    for i in 0..=b.len() {
        let c = b.get(i).copied();
        let letter = c.is_some_and(|c| c.is_ascii_alphabetic());
        let boundary = match (start, c) {
            (Some(st), Some(c)) if letter && i > st => {
                let prev = b[i - 1];
                // aB: a new word; ABc: the last capital starts one.
                (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
                    || (prev.is_ascii_uppercase()
                        && c.is_ascii_uppercase()
                        && b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()))
            }
            _ => false,
        };
        if let Some(st) = start {
            if !letter || boundary {
                runs.push(b[st..i].iter().collect::<String>().to_ascii_lowercase());
                start = None;
            }
        }
        if letter && start.is_none() {
            start = Some(i);
        }
    }
    runs
}

/// The share of `s`'s letters that belong to words, and how many letters were counted.
/// Single letters are left out (`X-Amz`, `S2A`); two-letter runs count only when they are
/// words of code (`id`, `db`).
fn word_coverage(s: &str) -> (f64, usize) {
    let mut counted = 0;
    let mut covered = 0;
    for run in letter_runs(s) {
        let n = run.len();
        if n < 2 {
            continue;
        }
        counted += n;
        let known = if n == 2 {
            CODE_WORDS.contains(&run.as_str())
        } else {
            is_words(&run)
        };
        if known {
            covered += n;
        }
    }
    if counted == 0 {
        (0.0, 0)
    } else {
        (covered as f64 / counted as f64, counted)
    }
}

/// Mostly words: at least `min` of at least four counted letters.
fn wordy(s: &str, min: f64) -> bool {
    let (share, letters) = word_coverage(s);
    letters >= 4 && share >= min
}

const PLACEHOLDER_PARTS: &[&str] = &[
    "example",
    "sample",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "dummy",
    "fake",
    "placeholder",
    "xxxx",
    "****",
    "....",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "yourapi",
    "insert_",
    "insert-",
    "replace_me",
    "replaceme",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
];

/// Template and interpolation openings: the value is filled in elsewhere.
const TEMPLATE_STARTS: &[&str] = &[
    "<", "${", "{{", "$(", "#{", "%(", "%s", "{%", "[[", "@{", "{$",
];

fn placeholder(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    if l.starts_with("your") || TEMPLATE_STARTS.iter().any(|t| l.starts_with(t)) {
        return true;
    }
    // A format string filled in later (`storage-systems/%s`, `{}`, `{0}`).
    if ["%s", "%d", "{}", "{0}"].iter().any(|t| l.contains(t)) {
        return true;
    }
    if l.starts_with("__") && l.ends_with("__") {
        return true;
    }
    // `{apikey}`: a name in braces is a placeholder; random text in braces is not.
    if let Some(inner) = l.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        if inner.is_empty() || wordy(inner, 0.8) {
            return true;
        }
    }
    if PLACEHOLDER_PARTS.iter().any(|p| l.contains(p)) {
        return true;
    }
    let b = l.as_bytes();
    // A run of six ascending characters: abcdef, 123456.
    let mut run = 1;
    for w in b.windows(2) {
        run = if w[1] == w[0] + 1 { run + 1 } else { 1 };
        if run >= 6 {
            return true;
        }
    }
    if l.contains("a1b2c3") || l.contains("qwerty") {
        return true;
    }
    // One short unit repeated (aaaa, abab, 1234512345), or two characters in all.
    let distinct: HashSet<u8> = b.iter().copied().collect();
    if distinct.len() <= 2 {
        return true;
    }
    (1..=5)
        .any(|p| b.len() >= 2 * p && b.len().is_multiple_of(p) && b.chunks(p).all(|c| c == &b[..p]))
}

/// `ident(`: a call, where `ident` is a word (`String(`, `getenv(`).
fn call(s: &str) -> bool {
    s.match_indices('(').any(|(i, _)| {
        let before = &s[..i];
        let ident_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let ident = &before[ident_start..];
        ident.len() >= 2 && wordy(ident, 0.99)
    })
}

/// An identifier of a programming language (`$` included, as JavaScript and PHP allow).
fn identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
}

/// `a.b.c` of identifiers (a member access), at least one dot.
fn dotted(s: &str) -> bool {
    s.contains('.') && s.split('.').all(identifier)
}

/// PowerShell's approved verbs: `Get-AnsibleParam`, `ConvertTo-Json` are commands.
const POWERSHELL_VERBS: &[&str] = &[
    "Add",
    "Clear",
    "Compare",
    "Connect",
    "Convert",
    "ConvertFrom",
    "ConvertTo",
    "Copy",
    "Disable",
    "Disconnect",
    "Enable",
    "Export",
    "Find",
    "Format",
    "Get",
    "Grant",
    "Import",
    "Initialize",
    "Install",
    "Invoke",
    "Join",
    "Measure",
    "Move",
    "New",
    "Out",
    "Read",
    "Register",
    "Remove",
    "Resolve",
    "Restart",
    "Resume",
    "Revoke",
    "Search",
    "Select",
    "Send",
    "Set",
    "Show",
    "Split",
    "Start",
    "Stop",
    "Test",
    "Uninstall",
    "Unregister",
    "Update",
    "Use",
    "Wait",
    "Write",
];

/// `Verb-Noun` commands and `Pascal-PascalCase` names: capitalised words joined by dashes,
/// either led by a PowerShell verb or with a segment of two or more words (`Argv-ToString`).
fn dashed_command(s: &str) -> bool {
    let segments: Vec<&str> = s.split('-').collect();
    let pascal = |seg: &str| {
        seg.starts_with(|c: char| c.is_ascii_uppercase())
            && seg.bytes().all(|b| b.is_ascii_alphabetic())
            && seg.bytes().any(|b| b.is_ascii_lowercase())
    };
    let humps = |seg: &str| seg.bytes().filter(u8::is_ascii_uppercase).count();
    segments.len() >= 2
        && segments.iter().all(|seg| pascal(seg))
        && (POWERSHELL_VERBS.contains(&segments[0]) || segments.iter().any(|seg| humps(seg) >= 2))
}

fn code(s: &str) -> bool {
    call(s)
        || s.contains("::")
        || s.contains("->")
        || s.contains("=>")
        || (s.starts_with("--") && s[2..].starts_with(|c: char| c.is_ascii_alphabetic()))
        || s.ends_with("()")
        || s.ends_with(");")
        // A comparison read as an assignment (`credentials===e.credentials`, `!=`).
        || s.starts_with('=')
        // A keyword argument or option (`commit=True`, `StrictHostKeyChecking=no`,
        // `host=self.host`): a name, `=`, and a value that is not base64 padding.
        || s.split_once('=').is_some_and(|(k, v)| {
            dotted_or_identifier(k)
                && wordy(k, 0.5)
                && dotted_or_identifier(v)
                && (v.len() <= 5 || wordy(v, 0.6))
        })
        // An assignment's left side (`La.EMAIL_LINK_SIGN_IN_METHOD=`): base64 has no dots.
        || s.strip_suffix('=').is_some_and(dotted)
        // A regular-expression character class (`[a-zA-Z0-9/_+=.@-]`).
        // (Letter ranges: hex, as in UUIDs, never holds `a-z`.)
        || ((s.contains("a-z") || s.contains("A-Z"))
            && ["a-z", "A-Z", "0-9"].iter().filter(|r| s.contains(*r)).count() >= 2)
        // A union of types (`Buffer|Uint8Array|Blob|string`).
        || (s.contains('|') && s.split('|').all(identifier) && wordy(s, 0.5))
        || dollar_joined(s)
        || dashed_command(s)
}

/// A generated name joined by `$` (`Resource$Projects$Locations$Secrets`): identifiers, at
/// least two, the first of them words.
fn dollar_joined(s: &str) -> bool {
    let parts: Vec<&str> = s.split('$').filter(|p| !p.is_empty()).collect();
    s.contains('$')
        && parts.len() >= 2
        && parts.iter().all(|p| identifier(p))
        && s.split('$').next().is_some_and(|first| wordy(first, 0.9))
}

fn dotted_or_identifier(s: &str) -> bool {
    identifier(s) || dotted(s)
}

fn location(s: &str) -> bool {
    if s.contains("://") {
        return true;
    }
    let path_like = s.starts_with('/')
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with("~/")
        || s.as_bytes().get(1..3) == Some(b":\\");
    if path_like && wordy(s, 0.6) {
        return true;
    }
    if s.matches('/').count() >= 2 && wordy(s, 0.7) {
        return true;
    }
    // A host name, perhaps with a path (`www.google.com/`): labels of letters, digits and
    // dashes, a final label of letters.
    let host = s.split_once('/').map_or(s, |(h, _)| h);
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() >= 3 && labels[0].eq_ignore_ascii_case("www") {
        return true;
    }
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && labels.last().is_some_and(|t| {
            (2..=6).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphabetic())
        })
        && wordy(host, 0.6)
}

fn list(s: &str) -> bool {
    let fields: Vec<&str> = s.split(':').collect();
    fields.len() >= 3
        && fields.iter().all(|f| {
            f.len() <= 24
                && (f.is_empty()
                    || f.bytes().all(|b| b.is_ascii_digit())
                    || f.starts_with('/')
                    || wordy(f, 0.7)
                    || (f.len() <= 3 && f.bytes().all(|b| b.is_ascii_alphabetic())))
        })
}

/// A name or words: letters, digits and `_ - . # / : +` and spaces only, and most letters in
/// words (dotted and Header-Case names, `user:password` included), also once "leetspeak"
/// is read back (`p@ssw0rd`, `s3cr3t`).
fn name(s: &str) -> bool {
    let charset = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.#/:+ $".contains(&b))
    };
    if word_and_number(s) {
        return true;
    }
    // TypeScript's non-null assertion (`appConfig.apiKey!`).
    let s = match s.strip_suffix('!') {
        Some(rest) if dotted(rest) => rest,
        _ => s,
    };
    if charset(s) && wordy(s, 0.8) {
        return true;
    }
    // A variable that holds a credential (`recaptchaV2Token`, `gitlab_access_token`): an
    // identifier of two or more parts whose last part starts with a credential word.
    if identifier(s) {
        let runs = letter_runs(s);
        if runs.len() >= 2
            && runs
                .last()
                .is_some_and(|w| CREDENTIAL_WORDS.iter().any(|c| w.starts_with(c)))
        {
            return true;
        }
    }
    let unleet: String = s
        .chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '5' | '$' => 's',
            '7' => 't',
            c => c,
        })
        .collect();
    unleet != s && charset(&unleet) && wordy(&unleet, 0.9)
}

/// A word and a number, perhaps with a symbol between or after (`hunter2`, `Cisco#123`,
/// `maglev123`, `Testing@123!`): the shape of example and default passwords. Letters all
/// before digits almost never happens in a random value (a random 12-character value does so
/// about once in ten thousand), and a word need not be in the dictionary (`Cisco`) to be one.
fn word_and_number(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let mut rest = &b[letters..];
    let symbol = |c: &u8| c.is_ascii_punctuation();
    if rest.first().is_some_and(symbol) {
        rest = &rest[1..];
    }
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    rest = &rest[digits..];
    if rest.first().is_some_and(symbol) {
        rest = &rest[1..];
    }
    // Written as a word is: lower case, Capitalised or upper case (not `kJdMhDMMVxnfv7`).
    if s.len() > 20 || letters < 3 || !(1..=6).contains(&digits) || !rest.is_empty() {
        return false;
    }
    let word = &b[..letters];
    word[1..].iter().all(u8::is_ascii_lowercase) || word.iter().all(u8::is_ascii_uppercase)
}

/// Text decoded from base64 or hex: mostly printable, and a placeholder, a name, code,
/// or mostly words.
fn decoded_text(bytes: &[u8], depth: u8) -> bool {
    if bytes.len() < 4 {
        return false;
    }
    let printable = bytes
        .iter()
        .filter(|&&b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t')
        .count();
    if printable * 10 < bytes.len() * 9 {
        return false;
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    // Prose (words and spaces) is text, not a key; a user name before a random password
    // (`deploy:Xk9#…`, a Docker auth) is a credential.
    classify_text(text, depth).is_some() || (text.contains(' ') && wordy(text, 0.5))
}

fn encoded(s: &str, depth: u8) -> bool {
    use base64::Engine as _;
    if depth == 0 || s.len() < 12 {
        return false;
    }
    let hex = s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        if let Ok(bytes) = hex::decode(s) {
            return decoded_text(&bytes, depth - 1);
        }
    }
    let b64 = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/_-=".contains(&b));
    if !b64 {
        return false;
    }
    let body = s.trim_end_matches('=');
    let engines = [
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().any(|e| {
        e.decode(body)
            .is_ok_and(|bytes| decoded_text(&bytes, depth - 1))
    })
}

fn classify_text(s: &str, depth: u8) -> Option<NotSecret> {
    let s = s.trim_matches(|c: char| c == '"' || c == '\'' || c == '`' || c.is_whitespace());
    if s.is_empty() {
        return Some(NotSecret::Placeholder);
    }
    if placeholder(s) {
        Some(NotSecret::Placeholder)
    } else if code(s) {
        Some(NotSecret::Code)
    } else if location(s) {
        Some(NotSecret::Location)
    } else if list(s) {
        Some(NotSecret::List)
    } else if name(s) {
        Some(NotSecret::Name)
    } else if encoded(s, depth) {
        Some(NotSecret::Encoded)
    } else {
        None
    }
}

/// Undoes percent-encoding when the value has any (`pass%20word` → `pass word`).
fn percent_decoded(value: &[u8]) -> Option<Vec<u8>> {
    let hexval = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(value.len());
    let mut any = false;
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'%' && i + 2 < value.len() {
            if let (Some(h), Some(l)) = (hexval(value[i + 1]), hexval(value[i + 2])) {
                out.push(h << 4 | l);
                any = true;
                i += 3;
                continue;
            }
        }
        out.push(value[i]);
        i += 1;
    }
    any.then_some(out)
}

/// SHA-256 digests of keys their vendors publish for local development, so anyone may use
/// them and they open nothing real. Digests, so this file holds no key-shaped text.
const PUBLISHED_KEYS: &[&str] = &[
    // The Azure storage emulator's (Azurite's) account key for `devstoreaccount1`:
    // https://learn.microsoft.com/en-us/azure/storage/common/storage-use-azurite#http-connection-strings
    "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059",
];

/// Whether `secret` is a key its vendor publishes for local development.
fn published(secret: &[u8]) -> bool {
    use sha2::Digest as _;
    // Every published key is longer than this; shorter values need no digest.
    if secret.len() < 32 {
        return false;
    }
    let digest = hex::encode(sha2::Sha256::digest(secret));
    PUBLISHED_KEYS.contains(&digest.as_str())
}

/// Whether `secret`, matched after `Basic ` in `matched`, is the base64 of `user:` — Basic
/// credentials with nothing after the colon (`openshift-challenging-client:`).
fn empty_basic_password(matched: &[u8], secret: &[u8]) -> bool {
    use base64::Engine as _;
    let basic = matched
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"basic "));
    if !basic {
        return false;
    }
    let body = std::str::from_utf8(secret)
        .unwrap_or("")
        .trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(body)
        .is_ok_and(|d| d.iter().filter(|&&b| b == b':').count() == 1 && d.ends_with(b":"))
}

/// Doubts that hold for a match of any rule, whatever its value class: a vendor-published
/// key, Basic credentials without a password, and providers' `EXAMPLE` marker in a key
/// (`AKIAIOSFODNN7EXAMPLE`; the classifier's placeholder check covers it only for the
/// rules it reads).
pub fn doubt_any_rule(matched: &[u8], secret: &[u8]) -> Option<Doubt> {
    if published(secret) {
        Some(Doubt::Published)
    } else if empty_basic_password(matched, secret) {
        Some(Doubt::EmptyPassword)
    } else if memchr::memmem::find(secret, b"EXAMPLE").is_some() {
        Some(Doubt::Value(NotSecret::Placeholder))
    } else {
        None
    }
}

/// Whether a match names a documentation host (RFC 2606 and RFC 6761: `example.com`,
/// `example.org`, `example.net`, `*.example`, `*.test`, `*.invalid`) after an `@`: a
/// credential in such a URL is an example.
pub fn documentation_host(matched: &[u8]) -> bool {
    let Some(at) = matched.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let host: Vec<u8> = matched[at + 1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || b"-.".contains(b))
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let host = String::from_utf8_lossy(&host);
    let host = host.trim_end_matches('.');
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || [".example", ".test", ".invalid"]
            .iter()
            .any(|t| host.ends_with(t))
        || host == "example"
}

/// Why `value` is not a secret, or `None` when it may be one.
pub fn classify(value: &[u8]) -> Option<NotSecret> {
    // Twice: a value encoded again (`%2540` → `%40` → `@`).
    let decoded = percent_decoded(value).map(|once| percent_decoded(&once).unwrap_or(once));
    let text = String::from_utf8_lossy(decoded.as_deref().unwrap_or(value));
    let verdict = classify_text(&text, 2);
    match (verdict, decoded.is_some()) {
        (Some(NotSecret::Name | NotSecret::Placeholder), true) => Some(NotSecret::Encoded),
        (v, _) => v,
    }
}

/// Words that make an identifier a credential's name, found inside any of its segments.
const CREDENTIAL_WORDS: &[&str] = &[
    "key", "secret", "token", "pass", "auth", "cred", "private", "bearer", "session", "licen",
    "cookie", "hmac", "signing",
];

/// Short words that do so only as a whole segment (`ADO_PAT`, not `path`).
const CREDENTIAL_SEGMENTS: &[&str] = &["pat", "pwd", "pw", "sig", "dsn", "jwt", "psk"];

/// Segments that make an identifier the name of an account or client id (for rules that
/// report ids).
const ID_SEGMENTS: &[&str] = &["id", "client", "app", "account", "user", "org", "sid"];

/// The assignment a keyword rule matched, as the text around it shows it: the assigned
/// name and the operator.
#[derive(Debug, PartialEq, Eq)]
pub struct Assignment<'a> {
    /// The identifier before the operator (`DATADOG_API_KEY`, `snowflake_account`).
    pub name: &'a [u8],
    /// `=`, `:`, `>` or `,`.
    pub operator: u8,
    name_start: usize,
    operator_at: usize,
}

/// Finds the assignment before the secret at `secret_start` in `hay`, whose regex match
/// began at `match_start`.
pub fn assignment(hay: &[u8], match_start: usize, secret_start: usize) -> Option<Assignment<'_>> {
    let pre = &hay[match_start..secret_start];
    let op_rel = pre.iter().rposition(|b| b"=:>,".contains(b))?;
    let operator_at = match_start + op_rel;
    let mut end = operator_at;
    // Compound operators, quotes, brackets and blanks between the name and the operator.
    while end > 0 && b"?.|+:='\"`[] \t".contains(&hay[end - 1]) && operator_at - end < 8 {
        end -= 1;
    }
    let floor = end.saturating_sub(80);
    let ident = |b: u8| b.is_ascii_alphanumeric() || b"_.-".contains(&b);
    let mut start = end;
    while start > floor && ident(hay[start - 1]) {
        start -= 1;
    }
    // A typed declaration names the variable before or after its type (`var token string
    // =`, `String token =`): the word before, across one blank, is part of the name.
    if start > floor + 1 && b" \t".contains(&hay[start - 1]) && ident(hay[start - 2]) {
        let mut s = start - 1;
        while s > floor && ident(hay[s - 1]) {
            s -= 1;
        }
        start = s;
    }
    Some(Assignment {
        name: &hay[start..end],
        operator: hay[operator_at],
        name_start: start,
        operator_at,
    })
}

/// Why what a keyword rule matched is not an assignment of a value to a name:
/// - URL userinfo (`s3://access_key:secret_access_key@host`): a `name:` after `://`;
/// - a template (`<secret>@s3.…`): `<name>` followed by `@`;
/// - a Markdown link definition (`[Snowflake]: https://…`): `[label]:` opening the line.
pub fn not_an_assignment(hay: &[u8], a: &Assignment<'_>) -> bool {
    let s = a.name_start;
    if a.operator == b':' && s >= 3 && &hay[s - 3..s] == b"://" {
        return true;
    }
    if a.operator == b'>' && s >= 1 && hay[s - 1] == b'<' {
        let after = hay[a.operator_at + 1..]
            .iter()
            .find(|b| !b" \t".contains(b));
        if after == Some(&b'@') {
            return true;
        }
    }
    if a.operator == b':' && hay[s..a.operator_at].contains(&b']') {
        let line_start = hay[..s]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let lead = hay[line_start..s]
            .iter()
            .position(|b| !b" \t".contains(b))
            .map(|p| hay[line_start + p]);
        if lead == Some(b'[') || (s > 0 && hay[s - 1] == b'[') {
            return true;
        }
    }
    false
}

/// Whether `name` names a credential: one of its segments (split at `_ - .` and camelCase)
/// holds a credential word, or is a short one (or, when the rule reports ids, an id word).
pub fn names_a_credential(name: &[u8], ids: bool) -> bool {
    let name = String::from_utf8_lossy(name);
    let mut segments = letter_runs(&name);
    // `APIKEY`, `apikey`: runs without case changes keep words together.
    segments.push(name.to_ascii_lowercase());
    segments.iter().any(|seg| {
        CREDENTIAL_WORDS.iter().any(|w| seg.contains(w))
            || CREDENTIAL_SEGMENTS.contains(&seg.as_str())
            || (ids && ID_SEGMENTS.iter().any(|w| seg == w || seg.ends_with("id")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejects(v: &str) -> Option<NotSecret> {
        classify(v.as_bytes())
    }

    /// Real-shaped secrets of the major providers, and random passwords: kept.
    #[test]
    fn secrets_pass() {
        for v in [
            "n6QfW0gd84C1wlGc",
            "kJdMhDMMVxnfv7",
            "Zq8#kL2p!X9w",
            "Jq9hB4insToFpkUgoq37",
            "BigoAB7RJcNwQ8a0Qjc2fPboHnr5bPm0",
            "R3oqYAm13wZlg5F2Vkb23KEQAkKVH11jorFxVgCd",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzRlkTNvqFd",
            "a53618d2bb642d3c3296588ae4a5ec82bd22e1e62aa36f650f8568f07bf945ed",
            "s718eDCXeZUndUIlQIw61tn1VR4GzC",
            "RTdQ87CIpElD-Mv7YJaqL6qCUAP1LrOGS0Zp-L9hrendnq8jwixAOm13VGwqQa4-",
            "9fc0e3a0b7d54b6c8e1f2a3b4c5d6e7f",
            // A Slack-shaped value, assembled so scanners of this file skip it.
            &format!(
                "{}{}",
                "xoxb-", "2402942041-2432442042-8fMDFcKtP3Hjqt9vRmXBqEHh"
            ),
            "/K7MDENGbPxRfiCYzRlkTNvqFdwJalrXUtnFEMI",
            "ZGVwbG95OlhrOSNtUTIkdkw3QHBSNCE=",
            "Kx9(mQ2$vL7@pR4!",
            "aGVsbG8K8fj3kDk29dKd93kd",
        ] {
            assert_eq!(rejects(v), None, "{v}");
        }
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for v in [
            "YOUR_API_KEY",
            "your-api-key-here",
            "<your-password-here>",
            "${DB_PASSWORD}",
            "{{ vault_password }}",
            "%s",
            "%(password)s",
            "xxxxxxxxxxxxxxxx",
            "changeme",
            "REDACTED",
            "dummy-token-value",
            "fake_secret_for_tests",
            "sample-access-token",
            "abcdef0123456789",
            "1234567890",
            "a1b2c3d4e5f6",
            "aaaaaaaaaaaa",
            "abababababab",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "__SECRET_KEY__",
        ] {
            assert_eq!(rejects(v), Some(NotSecret::Placeholder), "{v}");
        }
    }

    #[test]
    fn names_and_code_are_not_secrets() {
        for (v, why) in [
            ("transportCredsForS2A", NotSecret::Name),
            ("X-Amz-Credential", NotSecret::Name),
            ("smithy.api#httpBearerAuth", NotSecret::Name),
            ("user_profile_version_2", NotSecret::Name),
            ("hunter2", NotSecret::Name),
            ("p@ssw0rd", NotSecret::Name),
            ("s3cr3t-t0k3n", NotSecret::Name),
            ("SuperSecretPassword", NotSecret::Name),
            ("CloudPlatformKey.String(", NotSecret::Code),
            ("NaiveWrapper::common_alphabet(alphabet);", NotSecret::Code),
            ("--platform=linux/amd64", NotSecret::Code),
            ("self->password", NotSecret::Code),
            (
                "https://docs.snowflake.com/en/user-guide",
                NotSecret::Location,
            ),
            ("/etc/ssl/private/server.key", NotSecret::Location),
            ("db.internal.example.com", NotSecret::Placeholder),
            ("cache.service.local", NotSecret::Location),
            ("username:password:uid:gid", NotSecret::List),
        ] {
            assert_eq!(rejects(v), Some(why), "{v}");
        }
    }

    /// Shapes met on the precision corpus (registry packages' code, docs and tests).
    #[test]
    fn code_from_real_packages_is_not_secret() {
        for (v, why) in [
            // A comparison read as an assignment (minified JavaScript).
            ("==e.credentials&&this.cacheSizeBytes", NotSecret::Code),
            // Keyword arguments and options.
            ("commit=True", NotSecret::Code),
            ("exc_info=True", NotSecret::Code),
            ("host=self.host", NotSecret::Code),
            ("default=C.DEFAULT_ASK_PASS", NotSecret::Code),
            ("StrictHostKeyChecking=no", NotSecret::Code),
            ("La.EMAIL_LINK_SIGN_IN_METHOD=", NotSecret::Code),
            // A regular expression's character class (AWS ARN patterns).
            ("a-zA-Z0-9/_+=.@-", NotSecret::Code),
            ("Buffer|Uint8Array|Blob|string", NotSecret::Code),
            ("Resource$Projects$Locations$Secrets", NotSecret::Code),
            (
                "Resource$Inboundsamlssoprofiles$Idpcredentials",
                NotSecret::Code,
            ),
            ("Get-AnsibleParam", NotSecret::Code),
            ("ConvertTo-SerializableObject", NotSecret::Code),
            ("Argv-ToString", NotSecret::Code),
            // Variables that hold a credential, and member accesses.
            ("recaptchaV2Token", NotSecret::Name),
            ("appConfig.apiKey!", NotSecret::Name),
            ("PhoneAuthProvider$1", NotSecret::Name),
            // A word and a number: example and default passwords.
            ("maglev123", NotSecret::Name),
            ("Cisco#123", NotSecret::Name),
            ("catalyst@123", NotSecret::Name),
            ("Testing@123!", NotSecret::Name),
            ("storage-systems/%s", NotSecret::Placeholder),
            ("www.google.com/", NotSecret::Location),
        ] {
            assert_eq!(rejects(v), Some(why), "{v}");
        }
    }

    /// The other side of the new classes: real-shaped values that resemble them are kept.
    #[test]
    fn values_near_the_code_shapes_are_kept() {
        for v in [
            // Hex (UUIDs) holds ranges like `0-9` by chance, never `a-z`.
            "fe962d66-c160-9140-f22b-47da44904bef",
            // A random value with `=` inside is not `name=value`.
            "rqg4el7ljfr2un54cezsvkmynvcg2farytph=if5",
            "b_sin5blzuppn6fkyi1j=8-wtwf_lbnjcs9zpqs8gw-yd5",
            "_gitlab_session=opllync38dueo9z2vuatbnx23k7afjgy",
            // Mixed case before the digit: random, not a word and a number.
            "kJdMhDMMVxnfv7",
            "tuFrAxahuYe4",
            // Digits inside: not a word followed by a number.
            "C2sco456!2x9Q",
            "mmhJU2sCd63BznXAXDh4kxLIyfIMm3Ar",
        ] {
            assert_eq!(rejects(v), None, "{v}");
        }
    }

    #[test]
    fn basic_credentials_without_a_password_are_doubted() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let client = b64("openshift-challenging-client:");
        assert!(empty_basic_password(
            format!("Authorization: Basic {client}").as_bytes(),
            client.as_bytes()
        ));
        // A password after the colon, or no `Basic`: kept.
        let full = b64("deploy:Xk9#mQ2$vL7@pR4!");
        assert!(!empty_basic_password(
            format!("Authorization: Basic {full}").as_bytes(),
            full.as_bytes()
        ));
        assert!(!empty_basic_password(client.as_bytes(), client.as_bytes()));
    }

    #[test]
    fn only_the_published_keys_are_published() {
        // Its digest is listed; the key itself is assembled here, so the file holds no
        // key-shaped text (a documented public key: Azurite's `devstoreaccount1`).
        let azurite = [
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2U",
            "VErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        ]
        .concat();
        assert!(published(azurite.as_bytes()));
        let mut other = azurite.clone().into_bytes();
        other[0] = b'F';
        assert!(!published(&other));
        assert!(!published(b"short"));
    }

    #[test]
    fn encoded_words_are_not_secrets() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        for v in [
            b64("example-cookie-secret"),
            b64("Aladdin:open sesame"),
            b64("user:password"),
            hex::encode("this is not a secret"),
            "pass%20word".to_string(),
            "p%40ss%3Aword".to_string(),
            "p%2540ss+word".to_string(),
            "my%2Dsecret%2Dvalue".to_string(),
        ] {
            assert_eq!(rejects(&v), Some(NotSecret::Encoded), "{v}");
        }
        // Encoded randomness is kept.
        assert_eq!(rejects(&b64("deploy:Xk9#mQ2$vL7@pR4!")), None);
        assert_eq!(rejects("Xk9%23mQ2%24vL7%40pR4"), None);
    }

    fn assigned(line: &str, value: &str) -> (String, bool) {
        let at = line.find(value).unwrap();
        let a = assignment(line.as_bytes(), 0, at).unwrap();
        (
            String::from_utf8_lossy(a.name).into_owned(),
            not_an_assignment(line.as_bytes(), &a),
        )
    }

    #[test]
    fn assignments_are_told_from_urls_templates_and_links() {
        assert_eq!(
            assigned("DATADOG_API_KEY = \"9fc0e3a0b7d\"", "9fc0"),
            ("DATADOG_API_KEY".to_string(), false)
        );
        assert_eq!(
            assigned("\"snowflake_account\": \"xy12345\"", "xy12"),
            ("snowflake_account".to_string(), false)
        );
        assert!(
            assigned(
                "s3://access_key:secret_access_key@host/bucket",
                "secret_access"
            )
            .1
        );
        assert!(assigned("# <secret>@s3.amazonaws.com", "s3.").1);
        assert!(assigned("[Snowflake]: https://docs.snowflake.com/", "https").1);
        let pw = format!("{}{}", "Kx9mQ2", "vL7pR4");
        assert!(!assigned(&format!("<password>{pw}</password>"), "Kx9").1);
        assert!(!assigned(&format!("password: {pw}"), "Kx9").1);
        assert_eq!(
            assigned("var airtableToken string = \"roppz0f7inm\"", "roppz").0,
            "airtableToken string"
        );
        assert!(names_a_credential(b"SNOWFLAKE_PASSWORD", false));
        assert!(!names_a_credential(b"snowflake_account", false));
        assert!(names_a_credential(b"snowflake_account", true));
        assert!(!names_a_credential(b"oracle_region", true));
        assert!(names_a_credential(b"AZURE_DEVOPS_PAT", false));
        assert!(!names_a_credential(b"devops_path", false));
        assert!(names_a_credential(b"twilioAuthToken", false));
    }

    #[test]
    fn documentation_hosts_make_examples() {
        assert!(documentation_host(b"ftp://user:Xk9mQ2@example.com/"));
        assert!(documentation_host(
            b"postgres://app:Xk9mQ2@db.example.org:5432/app"
        ));
        assert!(documentation_host(b"amqp://u:Xk9mQ2@broker.test/"));
        assert!(!documentation_host(
            b"postgres://app:changeme@db.internal:5432/app"
        ));
        assert!(!documentation_host(
            b"postgres://app:changeme@examplecorp.com/app"
        ));
    }

    #[test]
    fn word_coverage_tells_names_from_randomness() {
        assert!(wordy("transportCredsForS2A", 0.8));
        assert!(wordy("userprofile", 0.8), "two words run together");
        assert!(!wordy("kJdMhDMMVxnfv7", 0.5));
        assert!(!wordy("BigoAB7RJcNwQ8a0Qjc2fPboHnr5bPm0", 0.5));
        assert_eq!(
            letter_runs("HTTPServerX-Amz"),
            vec!["http", "server", "x", "amz"]
        );
    }
}
