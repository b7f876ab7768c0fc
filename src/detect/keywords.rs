//! The keyword prefilter: every occurrence of every rule keyword (ASCII case-insensitive,
//! overlapping), found in one pass over the haystack.
//!
//! The automaton is aho-corasick's, but the search loop is ours. A DFA search is one
//! dependent table lookup per byte, so it runs at the latency of that lookup, not at the
//! machine's throughput: the crate's own loop does ~340 MB/s per thread on keyword-dense
//! text with our 490 keywords. Walking [`STREAMS`] slices of the haystack in lockstep gives
//! the CPU that many independent chains of lookups to overlap: 1.6–1.7× on the synthetic
//! benchmark corpus, 1.2–1.5× on real code (`cargo run --release --example keyword_hits --
//! --bench DIR` measures both on the same files).
//! Each slice starts its automaton `max_pattern_len - 1` bytes early, so a keyword that
//! straddles two slices is seen by the slice where it ends, and only there.
//!
//! For bulk scans the automaton's transitions are copied into a [`Compact`] table: 16-bit
//! state numbers, one 64-column row per state (a column per byte the keywords use), matching
//! states numbered last. aho-corasick's DFA keeps 32-bit premultiplied ids (6 MB for two
//! thousand keywords); the copy is a quarter of that, so the rows the search keeps visiting
//! stay in the core's caches, and its step is a shift, an or and one unchecked load, which
//! leaves the four streams' states in registers: 630 → 750 MB/s per thread on crate
//! sources with 2,194 keywords (490 keywords in aho-corasick's DFA: 790 MB/s;
//! `examples/keyword_hits.rs --bench`).

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa, Anchored, BuildError, MatchKind, StartKind};

/// Independent slices searched in lockstep (written out as four locals in [`search`]).
const STREAMS: usize = 4;
/// Haystacks are searched this many bytes at a time, so the buffer of hits stays small
/// whatever the input (a 100 MB line of keywords).
const SEGMENT: usize = 256 * 1024;

/// One keyword occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Keyword pattern id.
    pub pattern: u32,
    pub start: usize,
    pub end: usize,
}

/// Reusable buffers for [`Keywords::for_each_segment`] and [`Index::for_each_segment`].
#[derive(Default)]
pub struct HitBuf {
    hits: Vec<Hit>,
    streams: [Vec<Hit>; STREAMS],
    /// Small workloads: which (hashed) trigrams the haystack holds.
    trigrams: Vec<u64>,
    /// Small workloads: the keywords an automaton was built over, by its pattern id.
    chosen: Vec<u32>,
}

/// Bits in the trigram filter (a power of two): 8 KiB, cleared per haystack.
const TRIGRAM_BITS: usize = 1 << 16;
/// Upper bound on the bytes of all keywords together. aho-corasick refuses automata past
/// its state-id limit; far below that, this keeps the lazily built automaton from ever
/// failing (a rule set this large is a mistake, reported when the engine is built).
pub const MAX_KEYWORD_BYTES: usize = 16 << 20;

fn trigram(a: u8, b: u8, c: u8) -> usize {
    let x = u32::from_le_bytes([
        a.to_ascii_lowercase(),
        b.to_ascii_lowercase(),
        c.to_ascii_lowercase(),
        0,
    ]);
    (x.wrapping_mul(0x9E37_79B1) >> 16) as usize & (TRIGRAM_BITS - 1)
}

/// Every rule's keywords, with the automaton that finds them built when first needed.
///
/// - Bulk scans (megabytes to gigabytes): one automaton over every keyword (a [`Compact`]
///   table), built at the first scan or on a background thread
///   ([`Index::prepare`]), so a scan that reads nothing (an empty folder) never waits for it
///   (~20 ms with two thousand keywords).
/// - Small scans (a pre-commit hook's few files): per haystack, an NFA over only the
///   keywords whose every trigram occurs in it. Building an automaton over all keywords
///   would cost more than searching tens of kilobytes; the trigram check costs a pass over
///   the haystack and one over the keywords' bytes, and leaves a handful of keywords.
pub struct Index {
    /// Lower-cased keywords, by pattern id.
    patterns: Vec<Vec<u8>>,
    bulk: bool,
    full: std::sync::OnceLock<Keywords>,
}

impl Index {
    pub fn new(patterns: Vec<Vec<u8>>, bulk: bool) -> Index {
        Index {
            patterns,
            bulk,
            full: std::sync::OnceLock::new(),
        }
    }

    pub fn is_bulk(&self) -> bool {
        self.bulk
    }

    /// Builds the automaton over every keyword now, if not yet built.
    pub fn prepare(&self) {
        self.full();
    }

    /// The automaton over every keyword (a DFA for bulk scans).
    fn full(&self) -> &Keywords {
        self.full.get_or_init(|| {
            Keywords::new(&self.patterns, self.bulk)
                // `Engine::for_workload` refuses keyword sets past MAX_KEYWORD_BYTES, far
                // below the automaton's limits.
                .unwrap_or_else(|e| panic!("keyword automaton: {e}"))
        })
    }

    /// Calls `f` with the hits of each segment of `hay` (pattern ids are this index's), in
    /// order of their end.
    pub fn for_each_segment(&self, hay: &[u8], buf: &mut HitBuf, mut f: impl FnMut(&[Hit])) {
        if self.bulk || hay.len() > SEGMENT {
            return self.full().for_each_segment(hay, buf, f);
        }
        let Some(small) = self.small(hay, buf) else {
            return;
        };
        let chosen = std::mem::take(&mut buf.chosen);
        small.for_each_segment(hay, buf, |hits| {
            let mut mapped: Vec<Hit> = hits.to_vec();
            for h in &mut mapped {
                h.pattern = chosen[h.pattern as usize];
            }
            f(&mapped)
        });
        buf.chosen = chosen;
    }

    /// An automaton over the keywords that can occur in `hay` (`buf.chosen` maps its pattern
    /// ids to ours); `None` if none can.
    fn small(&self, hay: &[u8], buf: &mut HitBuf) -> Option<Keywords> {
        let bits = &mut buf.trigrams;
        bits.clear();
        bits.resize(TRIGRAM_BITS / 64, 0);
        for w in hay.windows(3) {
            let t = trigram(w[0], w[1], w[2]);
            bits[t / 64] |= 1 << (t % 64);
        }
        let has = |t: usize| bits[t / 64] & (1 << (t % 64)) != 0;
        buf.chosen.clear();
        let mut chosen: Vec<&[u8]> = Vec::new();
        for (pid, p) in self.patterns.iter().enumerate() {
            if p.len() > hay.len() {
                continue;
            }
            // A collision only lets a keyword through; a keyword in `hay` always passes.
            if p.windows(3).all(|w| has(trigram(w[0], w[1], w[2]))) {
                buf.chosen.push(pid as u32);
                chosen.push(p);
            }
        }
        if chosen.is_empty() {
            return None;
        }
        // A subset of a keyword set within MAX_KEYWORD_BYTES builds.
        Some(Keywords::new(&chosen, false).expect("keyword automaton over a subset"))
    }
}

/// The keyword automaton.
pub enum Keywords {
    /// For bulk scans: a DFA's transitions in a compact table, milliseconds to build, the
    /// fastest to run.
    Compact(Compact),
    /// For bulk scans when the keywords need more states than 16 bits number, or more than
    /// 64 columns.
    Dfa(dfa::DFA),
    /// For a few small files (a pre-commit hook): a contiguous NFA, a fraction of the build
    /// time; on tens of kilobytes the build dominates.
    Nfa(nfa::contiguous::NFA),
}

impl Keywords {
    /// Builds the automaton over `patterns` (ASCII case-insensitive, all matches reported).
    pub fn new<P: AsRef<[u8]>>(patterns: &[P], dfa: bool) -> Result<Keywords, BuildError> {
        Ok(if dfa {
            // The compact table is copied from the crate's NFA (the DFA holds the same
            // transitions, but building it first takes as long again, and reading its 6 MB
            // table back state by state is slower than the NFA's failure links).
            let nfa = nfa::noncontiguous::Builder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(patterns)?;
            match Compact::of(&nfa, patterns) {
                Some(c) => Keywords::Compact(c),
                None => Keywords::Dfa(
                    dfa::Builder::new()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::Standard)
                        .start_kind(StartKind::Unanchored)
                        .prefilter(false)
                        .build(patterns)?,
                ),
            }
        } else {
            Keywords::Nfa(
                nfa::contiguous::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(patterns)?,
            )
        })
    }

    /// Calls `f` with the hits of each segment of `hay`, in order of their end; `buf` is
    /// reused scratch space.
    pub fn for_each_segment(&self, hay: &[u8], buf: &mut HitBuf, mut f: impl FnMut(&[Hit])) {
        let mut lo = 0;
        while lo < hay.len() {
            let hi = (lo + SEGMENT).min(hay.len());
            buf.hits.clear();
            match self {
                Keywords::Compact(c) => search(c, hay, lo, hi, buf),
                Keywords::Dfa(a) => search(&Ac(a), hay, lo, hi, buf),
                Keywords::Nfa(a) => search_one(&Ac(a), hay, lo, hi, &mut buf.hits),
            }
            if !buf.hits.is_empty() {
                f(&buf.hits);
            }
            lo = hi;
        }
    }
}

/// What the search loops need of an automaton: one step per byte, and the keywords a state
/// has matched.
trait Step {
    type State: Copy;
    fn start(&self) -> Self::State;
    fn next(&self, s: Self::State, b: u8) -> Self::State;
    fn is_match(&self, s: Self::State) -> bool;
    fn max_pattern_len(&self) -> usize;
    /// Pushes the hits of state `s`, reached after the byte at `end - 1`.
    fn push_matches(&self, s: Self::State, end: usize, out: &mut Vec<Hit>);
}

/// An aho-corasick automaton (the NFA, or the DFA when it is too big for [`Compact`]).
struct Ac<'a, A>(&'a A);

impl<A: Automaton> Step for Ac<'_, A> {
    type State = aho_corasick::automaton::StateID;
    #[inline(always)]
    fn start(&self) -> Self::State {
        self.0
            .start_state(Anchored::No)
            .expect("unanchored automaton")
    }
    #[inline(always)]
    fn next(&self, s: Self::State, b: u8) -> Self::State {
        self.0.next_state(Anchored::No, s, b)
    }
    #[inline(always)]
    fn is_match(&self, s: Self::State) -> bool {
        self.0.is_match(s)
    }
    fn max_pattern_len(&self) -> usize {
        self.0.max_pattern_len()
    }
    #[inline(always)]
    fn push_matches(&self, s: Self::State, end: usize, out: &mut Vec<Hit>) {
        for i in 0..self.0.match_len(s) {
            let pid = self.0.match_pattern(s, i);
            out.push(Hit {
                pattern: pid.as_u32(),
                start: end - self.0.pattern_len(pid),
                end,
            });
        }
    }
}

/// Columns per row of a [`Compact`] table, as a power of two: a constant, so that the step
/// is a shift by an immediate (a variable shift ties up a register in the hottest loop).
const COLUMN_BITS: u32 = 6;

/// A DFA's transitions as 16-bit state numbers, one row of 64 columns per state
/// (a column per byte the keywords use, case-folded; every other byte shares column 0).
/// State 0 is the start state; matching states are numbered last.
pub struct Compact {
    table: Vec<u16>,
    class: [u8; 256],
    /// States from this number on are matching states.
    first_match: u16,
    /// Per state, its matched patterns: `matches[first[s]..first[s + 1]]`.
    first: Vec<u32>,
    matches: Vec<u32>,
    pattern_len: Vec<u32>,
    max_pattern_len: usize,
}

impl Compact {
    /// Copies the transitions of `dfa` (an automaton built over `patterns`, ASCII
    /// case-insensitive, standard semantics); `None` if it has more states than 16 bits
    /// number, or its keywords use more than 64 distinct bytes.
    fn of<A: Automaton, P: AsRef<[u8]>>(dfa: &A, patterns: &[P]) -> Option<Compact> {
        let mut class = [0u8; 256];
        let mut reps = vec![0u8];
        for p in patterns {
            for &b in p.as_ref() {
                let lower = b.to_ascii_lowercase();
                if class[lower as usize] == 0 {
                    class[lower as usize] = reps.len() as u8;
                    class[lower.to_ascii_uppercase() as usize] = reps.len() as u8;
                    reps.push(lower);
                }
            }
        }
        // A byte no keyword uses: column 0 (there is one unless keywords use all 256).
        reps[0] = (0..=255u8).find(|&b| class[b as usize] == 0)?;
        // Every state reachable from the start, in breadth-first order. The DFA's state ids
        // are offsets into its table, so a vector indexed by them numbers them.
        if reps.len() > 1 << COLUMN_BITS {
            return None;
        }
        // One pass over every state reachable from the start, breadth first, numbering them
        // as they are found (the DFA's state ids are offsets into its table, so a vector
        // indexed by them holds the numbers; 0 is "not yet").
        let start = dfa.start_state(Anchored::No).ok()?;
        let mut number: Vec<u32> = Vec::new();
        let mut order = vec![start];
        let mut found = |t: aho_corasick::automaton::StateID, order: &mut Vec<_>| -> usize {
            if t == start {
                return 0;
            }
            if number.len() <= t.as_usize() {
                number.resize(t.as_usize() + 1, 0);
            }
            if number[t.as_usize()] == 0 {
                order.push(t);
                number[t.as_usize()] = (order.len() - 1) as u32;
            }
            number[t.as_usize()] as usize
        };
        let mut rows: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let s = order[i];
            for &b in &reps {
                let n = found(dfa.next_state(Anchored::No, s, b), &mut order);
                rows.push(n as u32);
            }
            i += 1;
            if order.len() > usize::from(u16::MAX) {
                return None;
            }
        }
        // Renumber: the start state 0, states without a match next, matching states last,
        // so that "is this a match" is a comparison, not another lookup.
        let mut by_kind: Vec<usize> = (0..order.len()).collect();
        by_kind[1..].sort_by_key(|&n| dfa.is_match(order[n]));
        let first_match = by_kind
            .iter()
            .position(|&n| dfa.is_match(order[n]))
            .unwrap_or(order.len());
        if first_match == 0 {
            return None;
        }
        let mut renumber = vec![0u16; order.len()];
        for (new, &old) in by_kind.iter().enumerate() {
            renumber[old] = new as u16;
        }
        let width = reps.len();
        let mut table = vec![0u16; order.len() << COLUMN_BITS];
        let (mut first, mut matches) = (vec![0u32], Vec::new());
        for (new, &old) in by_kind.iter().enumerate() {
            let row = &rows[old * width..(old + 1) * width];
            for (c, &n) in row.iter().enumerate() {
                table[(new << COLUMN_BITS) | c] = renumber[n as usize];
            }
            let s = order[old];
            if dfa.is_match(s) {
                for m in 0..dfa.match_len(s) {
                    matches.push(dfa.match_pattern(s, m).as_u32());
                }
            }
            first.push(matches.len() as u32);
        }
        let pattern_len: Vec<u32> = patterns.iter().map(|p| p.as_ref().len() as u32).collect();
        Some(Compact {
            table,
            class,
            first_match: first_match as u16,
            first,
            matches,
            max_pattern_len: pattern_len.iter().copied().max().unwrap_or(0) as usize,
            pattern_len,
        })
    }
}

impl Step for Compact {
    type State = u16;
    #[inline(always)]
    fn start(&self) -> u16 {
        0
    }
    #[inline(always)]
    fn next(&self, s: u16, b: u8) -> u16 {
        let at = ((s as usize) << COLUMN_BITS) | self.class[b as usize] as usize;
        debug_assert!(at < self.table.len());
        // SAFETY: `s` is a state number (0, or read from the table), and every number in
        // the table is below the number of rows (`Compact::of` numbers the states it
        // copies); `class` holds column numbers below 64 (`of` refuses more columns). So
        // `at` is below `rows << COLUMN_BITS`, the table's length.
        unsafe { *self.table.get_unchecked(at) }
    }
    #[inline(always)]
    fn is_match(&self, s: u16) -> bool {
        s >= self.first_match
    }
    fn max_pattern_len(&self) -> usize {
        self.max_pattern_len
    }
    #[inline(always)]
    fn push_matches(&self, s: u16, end: usize, out: &mut Vec<Hit>) {
        let s = s as usize;
        for &pid in &self.matches[self.first[s] as usize..self.first[s + 1] as usize] {
            out.push(Hit {
                pattern: pid,
                start: end - self.pattern_len[pid as usize] as usize,
                end,
            });
        }
    }
}

/// The automaton's state after reading the `max_pattern_len - 1` bytes before `at`, so that
/// matches ending at or after `at` are all found, including those that start before it.
#[inline(always)]
fn warmed<S: Step>(aut: &S, hay: &[u8], at: usize) -> S::State {
    let mut sid = aut.start();
    let from = at.saturating_sub(aut.max_pattern_len().saturating_sub(1));
    for &b in &hay[from..at] {
        sid = aut.next(sid, b);
    }
    sid
}

/// Every match ending in `lo+1..=hi`, one stream.
fn search_one<S: Step>(aut: &S, hay: &[u8], lo: usize, hi: usize, out: &mut Vec<Hit>) {
    let mut sid = warmed(aut, hay, lo);
    for (p, &b) in hay[lo..hi].iter().enumerate() {
        sid = aut.next(sid, b);
        if aut.is_match(sid) {
            aut.push_matches(sid, lo + p + 1, out);
        }
    }
}

/// Every match ending in `lo+1..=hi`, in order of their end, with [`STREAMS`] slices
/// searched in lockstep. The four states are separate locals so that they stay in
/// registers: kept in an array they were spilled to the stack, and the store and reload
/// lengthened every lookup chain.
fn search<S: Step>(aut: &S, hay: &[u8], lo: usize, hi: usize, buf: &mut HitBuf) {
    let out = &mut buf.hits;
    let chunk = (hi - lo) / STREAMS;
    if chunk < 4 * aut.max_pattern_len() {
        return search_one(aut, hay, lo, hi, out);
    }
    let at = |j: usize| lo + j * chunk;
    let (b0, b1, b2, b3) = (
        &hay[at(0)..at(1)],
        &hay[at(1)..at(2)],
        &hay[at(2)..at(3)],
        &hay[at(3)..at(4)],
    );
    // Each `chunk` long, as the compiler can see: no bounds checks in the loop.
    let (b0, b1, b2, b3) = (&b0[..chunk], &b1[..chunk], &b2[..chunk], &b3[..chunk]);
    let (mut s0, mut s1, mut s2, mut s3) = (
        warmed(aut, hay, at(0)),
        warmed(aut, hay, at(1)),
        warmed(aut, hay, at(2)),
        warmed(aut, hay, at(3)),
    );
    let found = &mut buf.streams;
    found.iter_mut().for_each(Vec::clear);
    for i in 0..chunk {
        s0 = aut.next(s0, b0[i]);
        s1 = aut.next(s1, b1[i]);
        s2 = aut.next(s2, b2[i]);
        s3 = aut.next(s3, b3[i]);
        // One branch for the four, almost never taken on ordinary text.
        if aut.is_match(s0) | aut.is_match(s1) | aut.is_match(s2) | aut.is_match(s3) {
            for (j, sid) in [s0, s1, s2, s3].into_iter().enumerate() {
                if aut.is_match(sid) {
                    aut.push_matches(sid, at(j) + i + 1, &mut found[j]);
                }
            }
        }
    }
    for f in found.iter() {
        out.extend_from_slice(f);
    }
    // The remainder after the last whole slice.
    let rest = at(STREAMS);
    let mut s = s3;
    for (p, &b) in hay[rest..hi].iter().enumerate() {
        s = aut.next(s, b);
        if aut.is_match(s) {
            aut.push_matches(s, rest + p + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    fn all_hits(k: &Keywords, hay: &[u8]) -> Vec<Hit> {
        let mut buf = HitBuf::default();
        let mut hits = Vec::new();
        k.for_each_segment(hay, &mut buf, |h| hits.extend_from_slice(h));
        hits
    }

    fn index_hits(ix: &Index, hay: &[u8]) -> Vec<Hit> {
        let mut buf = HitBuf::default();
        let mut hits = Vec::new();
        ix.for_each_segment(hay, &mut buf, |h| hits.extend_from_slice(h));
        hits.sort_by_key(|h| (h.end, h.pattern));
        hits
    }

    /// The small index (an automaton per haystack over the keywords whose trigrams occur in
    /// it) finds exactly what the bulk one does: every keyword, in any case, with pattern
    /// ids of the whole set — and builds nothing when no keyword can occur.
    #[test]
    fn small_index_finds_what_the_bulk_index_finds() {
        let words = [
            "siteleaf", "sk_live_", "ke", "xoxb-", "token", "api_key", "abc", "zz", "eyj",
        ];
        let pats: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        let (small, bulk) = (Index::new(pats.clone(), false), Index::new(pats, true));
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for round in 0..200 {
            let mut hay = Vec::new();
            let len = next(400) as usize;
            while hay.len() < len {
                if next(8) == 0 {
                    let w = words[next(words.len() as u64) as usize];
                    hay.extend(w.bytes().map(|b| {
                        if next(2) == 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    }));
                } else {
                    let alphabet = b" \n=:_-.aAbBcCeEiIkKsStTxXyYzZ0129";
                    hay.push(alphabet[next(alphabet.len() as u64) as usize]);
                }
            }
            assert_eq!(
                index_hits(&small, &hay),
                index_hits(&bulk, &hay),
                "round {round}"
            );
        }
        // Over a segment: the small index uses the whole automaton, with the same result.
        let big = b"x Siteleaf = 1 TOKEN ".repeat(SEGMENT / 10);
        assert_eq!(index_hits(&small, &big), index_hits(&bulk, &big));
        // The compact table's invariant, which its unchecked step relies on: every number
        // in it is a row, and every column below 64.
        let rules = crate::rules::builtin_rules();
        let mut all: Vec<Vec<u8>> = rules
            .iter()
            .flat_map(|r| {
                r.keywords
                    .iter()
                    .map(|k| k.to_ascii_lowercase().into_bytes())
            })
            .collect();
        all.sort();
        all.dedup();
        let Keywords::Compact(c) = Keywords::new(&all, true).unwrap() else {
            panic!("the built-in keywords fit a compact table");
        };
        let rows = c.table.len() >> COLUMN_BITS;
        assert!(c.table.iter().all(|&n| usize::from(n) < rows));
        assert!(c.class.iter().all(|&k| k < 1 << COLUMN_BITS));
        // Keywords shorter than a trigram always pass; longer ones only if they can occur.
        let mut buf = HitBuf::default();
        assert!(small.small(b"nothing to see here", &mut buf).is_some());
        assert_eq!(buf.chosen, [2, 7], "`ke` and `zz`");
        let long = Index::new(vec![b"siteleaf".to_vec(), b"xoxb-".to_vec()], false);
        assert!(long.small(b"nothing to see here", &mut buf).is_none());
    }

    /// The lockstep search reports exactly what aho-corasick's own overlapping search does,
    /// in the same order, across slice and segment boundaries.
    #[test]
    fn same_hits_as_the_crate_search() {
        let pats: Vec<Vec<u8>> = ["key", "token", "secret_", "api_key", "ke", "sk_live_"]
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect();
        let reference = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&pats)
            .unwrap();
        // Keywords everywhere, including across every power-of-two boundary.
        let unit = b"xx API_KEY=1 token ToKeN secret_key sk_live_abc k e y ";
        let mut hay = Vec::new();
        while hay.len() < 3 * SEGMENT + 12345 {
            hay.extend_from_slice(unit);
            hay.push(b'a' + (hay.len() % 7) as u8);
        }
        for len in [0, 1, 5, 100, 4099, SEGMENT - 3, SEGMENT + 7, hay.len()] {
            let hay = &hay[..len];
            let want: Vec<Hit> = reference
                .find_overlapping_iter(hay)
                .map(|m| Hit {
                    pattern: m.pattern().as_u32(),
                    start: m.start(),
                    end: m.end(),
                })
                .collect();
            for dfa in [true, false] {
                let k = Keywords::new(&pats, dfa).unwrap();
                assert!(matches!(k, Keywords::Compact(_) | Keywords::Nfa(_)));
                assert_eq!(all_hits(&k, hay), want, "len {len}, dfa {dfa}");
            }
            // The DFA itself, as used when it is too big for the compact table.
            let k = Keywords::Dfa(
                dfa::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&pats)
                    .unwrap(),
            );
            assert_eq!(all_hits(&k, hay), want, "len {len}, uncompacted DFA");
        }
    }
}
