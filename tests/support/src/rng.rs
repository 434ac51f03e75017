//! A seeded pseudo-random generator for the fuzzers: the same seed gives the same inputs, so a
//! failure is replayed from the seed it prints.

/// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014): a
/// counter advanced by a fixed odd constant, each value scrambled. Not for secrets.
///
/// ```
/// use tc_redis_test_support::Rng;
///
/// let (mut a, mut b) = (Rng::new(7), Rng::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is determined by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    ///
    /// # Panics
    ///
    /// When `n` is 0 (the range is empty).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below(0): the range 0..0 is empty");
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items`.
    ///
    /// # Panics
    ///
    /// When `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A range `(start, end)` inside `0..len`, biased towards short ones (at most 16 long, four
    /// times in five).
    pub fn span(&mut self, len: usize) -> (usize, usize) {
        let start = self.below(len + 1);
        let max = len - start;
        let n = if self.chance(80) {
            self.below(max.min(16) + 1)
        } else {
            self.below(max + 1)
        };
        (start, start + n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_splitmix64_and_stays_in_range() {
        // The first outputs of SplitMix64 seeded with 0 (the reference implementation's).
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut rng = Rng::new(0x5bec_0de6_f022_1c37);
        for len in [0, 1, 5, 100] {
            let (start, end) = rng.span(len);
            assert!(start <= end && end <= len, "{len}: {start}..{end}");
        }
        assert!((0..1000).all(|_| rng.below(3) < 3));
        assert!(!(0..1000).any(|_| rng.chance(0)));
        assert!((0..1000).all(|_| rng.chance(100)));
    }
}
