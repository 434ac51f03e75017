//! Random request ids and temporary keys: UUID v4 from std's randomly keyed SipHash over a
//! counter. Not a seeded generator: two fakes never share ids, and nothing here replays.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// 64 random bits per call: the process's random SipHash keys (`RandomState`, seeded by the
/// operating system) hash a counter: a fresh value per call, and other values in another
/// fake.
#[derive(Debug)]
pub(crate) struct Rng {
    keys: RandomState,
    counter: AtomicU64,
}

impl Rng {
    pub(crate) fn new() -> Rng {
        Rng {
            keys: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    pub(crate) fn next_u64(&self) -> u64 {
        self.keys
            .hash_one(self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// A random (version 4, RFC 4122 variant) UUID in lowercase hyphenated form.
    pub(crate) fn uuid_v4(&self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let hi = (hi & !0xF000) | 0x4000; // version nibble
        let lo = (lo & !(0xC << 60)) | (0x8 << 60); // variant bits 10
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }
}

/// Whether `s` has the form of a version 4 UUID (lowercase hex).
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_and_distinct() {
        let rng = Rng::new();
        let a = rng.uuid_v4();
        let b = rng.uuid_v4();
        assert!(is_uuid_v4(&a), "{a}");
        assert!(is_uuid_v4(&b), "{b}");
        assert_ne!(a, b);
        assert!(!is_uuid_v4("c4ed5948-d156-3931-b9c3-10133a0bb6c9"));
    }
}
