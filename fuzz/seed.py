#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora under fuzz/corpus/<target>/ (git-ignored).

Secret-shaped seeds are assembled here at run time (fake: generated bodies, checksums
computed), or read from files the repository already holds (the rule files' generated
examples, testdata/): no seed is a real secret, and none is committed.

    python3 fuzz/seed.py            # from the repository root or fuzz/
"""
import json
import os
import random
import tomllib
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
rng = random.Random(13)


def body(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def base62_crc(data):
    n = zlib.crc32(data.encode())
    out = []
    for _ in range(6):
        out.append(B62[n % 62])
        n //= 62
    return "".join(reversed(out))


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


def engine_scan():
    n = 0
    for f in sorted((ROOT / "rules").glob("*.toml")):
        for r in tomllib.loads(f.read_text())["rules"]:
            text = "\n".join(r.get("examples", []) + r.get("negative_examples", []))
            write("engine_scan", f"rule-{n:03}", text + "\n")
            n += 1
    for f in sorted((ROOT / "testdata" / "clean").rglob("*")):
        if f.is_file():
            write("engine_scan", f"clean-{f.name}", f.read_bytes())
    token = "ghp_" + (lambda r: r + base62_crc(r))(body(B62, 30))
    write(
        "engine_scan",
        "mixed",
        f'password = "{body(B62, 14)}"  # {token}\n'
        f"x = {token} {token}\n"
        "\t\xe6\x97\xa5 key: keyhound:allow " + token + "\n",
    )
    write("engine_scan", "binary", b"\x00\xff" + token.encode() + b"\x00\r\n\x1b[2J")


CONFIGS = [
    "",
    '[extend]\ndefaults = false\n\n[[rules]]\nid = "acme.token"\nname = "Acme token"\n'
    'keywords = ["acme_"]\nregex = \'\'\'(?P<secret>acme_[a-z0-9]{12})\'\'\'\n',
    'disabled_rules = ["generic.password"]\n\n[allowlist]\npaths = ["tests/**"]\n'
    'regexes = ["^EXAMPLE"]\nstopwords = ["dummy"]\ncommits = ["' + "a" * 40 + '"]\n'
    'path_regexes = ["\\\\.lock$"]\n\n[context]\ntest_paths = ["fixtures/**"]\n',
    '[[issuer]]\nprefix = "acme"\nname = "Acme API"\n\n[revocation]\n'
    'url = "https://revoke.example.invalid/v1/revocations"\nsecret_env = "KEYHOUND_SECRET"\n\n'
    '[fingerprint]\nscope = "github.com/acme/app"\n',
    '[[rules]]\nid = "x.y"\nname = "X"\nkeywords = ["x"]\nregex = "x(?P<secret>[a-z]{8})"\n'
    'min_entropy = 2.5\nseverity = "low"\ntags = ["t"]\nmultiline = true\nmax_len = 40\n'
    'assignment_gate = true\nrequires = ["="]\nstructure = "jwt"\n'
    '[rules.allowlist]\nregexes = ["^xa"]\n[rules.environment]\nlive = ["live"]\ntest = ["test"]\n',
]


def config_parse():
    for i, c in enumerate(CONFIGS):
        write("config_parse", f"config-{i}", c)
    write("config_parse", "own", (ROOT / ".keyhound.toml").read_bytes())


def gitleaks_import():
    write("gitleaks_import", "fixture", (ROOT / "testdata" / "gitleaks" / "gitleaks.toml").read_bytes())
    write(
        "gitleaks_import",
        "small",
        'title = "t"\n[extend]\nuseDefault = true\n\n[[rules]]\nid = "r"\ndescription = "d"\n'
        'regex = \'\'\'tok_[a-z]{10}\'\'\'\nsecretGroup = 0\nentropy = 3.0\nkeywords = ["tok_"]\n'
        'path = \'\'\'\\.py$\'\'\'\ntags = ["a"]\n[[rules.allowlists]]\nregexTarget = "match"\n'
        'regexes = ["x"]\nstopwords = ["y"]\ncondition = "AND"\npaths = ["z"]\n\n'
        '[allowlist]\ndescription = "g"\npaths = ["vendor/"]\ncommits = ["' + "b" * 40 + '"]\n',
    )
    write(
        "gitleaks_import",
        "ignore",
        "# comment\n" + "c" * 40 + ":svc/a.py:rule-id:2\nsvc/b.py:rule-id:1\nbad line\n",
    )


def baseline_parse():
    fp = lambda: body("0123456789abcdef", 32)
    entries = [
        {"path": "src/a.py", "rule": "generic.password", "fingerprint": fp()},
        {"path": "src/b.py", "rule": "github.pat.classic", "fingerprint": fp(), "commit": "d" * 40},
    ]
    text = '{"keyhound_baseline": 1, "scope": "github.com/acme/app", "entries": [\n'
    text += "".join(json.dumps(e) + ",\n" for e in entries) + "null\n]}\n"
    write("baseline_parse", "baseline", text)
    write("baseline_parse", "ignore", f"# fingerprints\n{fp()}\n{fp().upper()}  # why\nsrc/**\n")


def receiver_body():
    def enc(flags, skew, id_, ts, sig, length, body_):
        head = bytes([flags, skew & 0xFF]) + "\n".join([id_, ts, sig, length]).encode() + b"\n"
        return head + body_.encode()

    report = lambda i, digest, token=None: {
        "id": f"r{i}",
        "rule": "keyhound.key",
        "token_sha256": digest,
        "token_prefix": "fuzz_live_",
        "location": {"repository": "https://user:pw@example.invalid/r.git", "commit": "e" * 40,
                     "path": "a.py", "line": i + 1},
        "source": "ci",
        "detected_at": "2026-01-01T00:00:00Z",
        **({"token": token} if token else {}),
    }
    batch = lambda reports: json.dumps({"type": "keyhound.leak.v1", "reports": reports})
    ok = 0x17  # sign, id, timestamp, signature
    write("receiver_body", "two-keys", enc(ok, 0, "msg_1", "", "", "", batch([report(0, "@KEY0@"), report(1, "@KEY1@")])))
    write("receiver_body", "repeat", enc(ok, 0, "msg_2", "", "", "", batch([report(0, "@KEY0@"), report(1, "@KEY0@"), report(2, "0" * 64)])))
    write("receiver_body", "token", enc(ok, 3, "msg_3", "", "", "", batch([report(0, "@KEY1@", "fuzz_live_" + body(B62, 36))])))
    write("receiver_body", "unsigned", enc(0x16, 0, "msg_4", "", "v1,AAAA", "", batch([])))
    write("receiver_body", "stale", enc(ok, 100, "msg_5", "", "", "", batch([])))
    write("receiver_body", "raw-ts", enc(ok | 8, 0, "msg_6", "-9223372036854775808", "", "", batch([])))
    write("receiver_body", "length", enc(ok | 32, 0, "msg_7", "", "", "99999999", batch([])))
    write("receiver_body", "bad-json", enc(ok, 0, "msg_8", "", "", "", '{"type": "keyhound.leak.v1", "reports": [{"id": 1}]}'))
    write("receiver_body", "other-type", enc(ok, 0, "msg_9", "", "", "", '{"type": "other", "reports": []}'))
    write("receiver_body", "get", enc(0x40, 0, "", "", "", "", ""))


def key_parse():
    for prefix in ["acme", "fuzz", "a1", "p" * 16]:
        for env in ["live", "test"]:
            k = f"{prefix}_{env}_{body(B62, 30)}"
            write("key_parse", f"{prefix[:4]}-{env}", k + base62_crc(k))
    k = f"acme_live_{body(B62, 30)}"
    k += base62_crc(k)
    write("key_parse", "bad-check", k[:-1] + ("A" if k[-1] != "A" else "B"))
    write("key_parse", "short", k[:-1])
    write("key_parse", "bad-env", k.replace("_live_", "_prod_"))
    write("key_parse", "bad-prefix", "Acme" + k[4:])
    write("key_parse", "chars", k[:20] + "é" + k[22:])
    write("key_parse", "shape", "acme")


if __name__ == "__main__":
    for f in [engine_scan, config_parse, gitleaks_import, baseline_parse, receiver_body, key_parse]:
        f()
    for t in sorted(os.listdir(CORPUS)):
        print(f"{t}: {len(os.listdir(CORPUS / t))} seeds")
