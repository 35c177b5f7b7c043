//! A small raw DEFLATE (RFC 1951) compressor for share links: one final
//! block with the fixed Huffman codes, LZ77 matches found through hash
//! chains. Links hold a few hundred bytes of `define` text, where a
//! dynamic block (code tables tuned to the text) saves under a tenth more
//! (measured against `miniz_oxide`'s best level); being small, this
//! compressor fits in the browser build, so the site and the CLI write the
//! same links. Any inflater reads its output (the site and
//! the CLI use `miniz_oxide`'s).

/// Length code base lengths (codes 257..=285), RFC 1951 §3.2.5.
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
/// Distance code base distances (codes 0..=29).
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// How many earlier positions with the same 3-byte hash are tried.
const MAX_CHAIN: usize = 128;
const HASH_BITS: u32 = 12;

/// Bits written least significant first, as DEFLATE packs them.
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= value << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code: sent most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    /// Literal/length symbol `sym` in the fixed code (RFC 1951 §3.2.6).
    fn symbol(&mut self, sym: u32) {
        match sym {
            0..=143 => self.code(0x30 + sym, 8),
            144..=255 => self.code(0x190 + sym - 144, 9),
            256..=279 => self.code(sym - 256, 7),
            _ => self.code(0xC0 + sym - 280, 8),
        }
    }

    /// A (length, distance) pair.
    fn copy(&mut self, len: usize, dist: usize) {
        let l = LEN_BASE
            .iter()
            .rposition(|&b| usize::from(b) <= len)
            .unwrap_or(0);
        self.symbol(257 + l as u32);
        self.put((len - usize::from(LEN_BASE[l])) as u32, extra_len_bits(l));
        let d = DIST_BASE
            .iter()
            .rposition(|&b| usize::from(b) <= dist)
            .unwrap_or(0);
        self.code(d as u32, 5);
        self.put(
            (dist - usize::from(DIST_BASE[d])) as u32,
            (d.max(2) as u32 - 2) / 2,
        );
    }
}

/// Extra bits of length code index `l` (0 for 257..=264 and for 285).
fn extra_len_bits(l: usize) -> u32 {
    if l < 8 || l == 28 {
        0
    } else {
        (l as u32 - 4) / 4
    }
}

fn hash(data: &[u8], i: usize) -> usize {
    let v = u32::from(data[i]) << 16 | u32::from(data[i + 1]) << 8 | u32::from(data[i + 2]);
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Earlier positions by the hash of the three bytes there.
struct Chains {
    /// The latest position + 1 with each hash (0: none).
    head: Vec<usize>,
    /// For each position, the previous position + 1 with its hash.
    prev: Vec<usize>,
}

impl Chains {
    fn insert(&mut self, data: &[u8], i: usize) {
        if i + MIN_MATCH <= data.len() {
            let h = hash(data, i);
            self.prev[i] = self.head[h];
            self.head[h] = i + 1;
        }
    }

    /// The longest earlier match for the bytes at `i`: (length, distance).
    fn longest_match(&self, data: &[u8], i: usize) -> (usize, usize) {
        let mut best = (0, 0);
        if i + MIN_MATCH > data.len() {
            return best;
        }
        let max = (data.len() - i).min(MAX_MATCH);
        let mut candidate = self.head[hash(data, i)];
        for _ in 0..MAX_CHAIN {
            let Some(j) = candidate.checked_sub(1) else {
                break;
            };
            if i - j > WINDOW {
                break;
            }
            let len = data[j..]
                .iter()
                .zip(&data[i..i + max])
                .take_while(|(a, b)| a == b)
                .count();
            if len > best.0 {
                best = (len, i - j);
                if len == max {
                    break;
                }
            }
            candidate = self.prev[j];
        }
        best
    }
}

/// `data` compressed as raw DEFLATE.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits {
        out: Vec::with_capacity(data.len() / 2 + 8),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE 01: the fixed Huffman codes
    let mut chains = Chains {
        head: vec![0; 1 << HASH_BITS],
        prev: vec![0; data.len()],
    };
    let mut i = 0;
    while i < data.len() {
        let (len, dist) = chains.longest_match(data, i);
        let step = if len >= MIN_MATCH {
            bits.copy(len, dist);
            len
        } else {
            bits.symbol(u32::from(data[i]));
            1
        };
        for j in i..i + step {
            chains.insert(data, j);
        }
        i += step;
    }
    bits.symbol(256);
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    bits.out
}

#[cfg(test)]
mod tests {
    use super::deflate;

    fn round_trip(data: &[u8]) {
        let packed = deflate(data);
        let back = miniz_oxide::inflate::decompress_to_vec(&packed).expect("inflates");
        assert_eq!(back, data);
    }

    #[test]
    fn inflates_back_to_its_input() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(b"abcabcabcabcabcabcabc");
        round_trip(&[0u8; 70_000]);
        let text: Vec<u8> = (0..40_000u32)
            .map(|i| (i * 7 % 251) as u8 ^ (i / 300) as u8)
            .collect();
        round_trip(&text);
        // Every length and a spread of distances.
        let mut v = Vec::new();
        for len in 3..=260 {
            v.extend((0..len).map(|k| (k % 13) as u8 + (len % 7) as u8));
            v.push(200);
        }
        round_trip(&v);
    }

    #[test]
    fn repeated_text_shrinks() {
        let text = "define livepatch p\nobject m\npre_patch returns 0\nend\n".repeat(8);
        assert!(deflate(text.as_bytes()).len() < text.len() / 3);
    }
}
