//! Time and randomness, injected so that tests can pin them (DESIGN §3).

use chrono::{DateTime, NaiveDate, Utc};

/// A source of the current time.
pub trait Clock: Send {
    /// The current instant, in UTC.
    fn now_utc(&self) -> DateTime<Utc>;

    /// Today's civil date (for an injected clock, the UTC date).
    fn today(&self) -> NaiveDate {
        self.now_utc().date_naive()
    }
}

/// The real clock of the machine.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// The office's civil date: local time (Morocco is UTC+1), so that a date typed just after
    /// midnight is not "in the future".
    fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }
}

/// A clock that stands still until told to move: for tests and reproducible demos.
#[derive(Debug, Clone)]
pub struct FixedClock {
    now: std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>,
}

impl FixedClock {
    /// A clock that reads `now` until [`FixedClock::advance`] moves it.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self { now: std::sync::Arc::new(std::sync::Mutex::new(now)) }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += by;
        }
    }
}

impl Clock for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        self.now.lock().map(|now| *now).unwrap_or_else(|poisoned| *poisoned.into_inner())
    }
}

/// A source of random bytes.
pub trait Entropy: Send {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]);
}

/// The operating system's random generator.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        // The OS generator failing is not recoverable: no key or id may be made without it.
        #[expect(clippy::expect_used, reason = "no safe way to go on without randomness")]
        getrandom::fill(buf).expect("le générateur aléatoire du système est indisponible");
    }
}

/// A deterministic generator (SplitMix64) for tests and reproducible demo data.
/// Never used for keys in the product.
#[derive(Debug, Clone)]
pub struct SeededEntropy {
    state: u64,
}

impl SeededEntropy {
    /// A generator that always yields the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}
