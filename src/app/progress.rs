//! Where a long piece of work stands (a stick imported or exported, a spreadsheet read): the
//! core reports its stages and counts to whoever asked, the window shows them in a bar.

use std::sync::Arc;

use crate::domain::money::group_thousands_fr;

/// One step of a long piece of work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The stage, in words (« Paquet 2 sur 5 : lecture »).
    pub stage: String,
    /// How many of `total` are done (0 of 0: no count for this stage).
    pub done: u64,
    /// How many there are in this stage.
    pub total: u64,
}

impl Progress {
    /// How far, from 0 to 1 (`None` for a stage without a count).
    #[must_use]
    pub fn fraction(&self) -> Option<f32> {
        (self.total > 0).then(|| (self.done.min(self.total) as f64 / self.total as f64) as f32)
    }

    /// The stage with its count, as shown to the clerk: « Application des enregistrements :
    /// 45 000 sur 112 000 ».
    #[must_use]
    pub fn line(&self) -> String {
        if self.total == 0 {
            return self.stage.clone();
        }
        let grouped = |n: u64| group_thousands_fr(i64::try_from(n).unwrap_or(i64::MAX));
        format!("{} : {} sur {}", self.stage, grouped(self.done), grouped(self.total))
    }
}

/// Where the core sends its progress (the window's worker, a test).
pub type ProgressSink = Arc<dyn Fn(Progress) + Send + Sync>;

/// Reports to an optional sink: what the core's long functions hold.
#[derive(Clone, Default)]
pub(crate) struct Reporter(Option<ProgressSink>);

impl Reporter {
    /// A reporter to `sink`.
    pub(crate) fn to(sink: ProgressSink) -> Reporter {
        Reporter(Some(sink))
    }

    /// Reports `stage` with `done` of `total`.
    pub(crate) fn report(&self, stage: impl Into<String>, done: u64, total: u64) {
        if let Some(sink) = &self.0 {
            sink(Progress { stage: stage.into(), done, total });
        }
    }

    /// A reporter whose stages are told as part of `part` (« Paquet 2 sur 5 — … »).
    pub(crate) fn within(&self, part: String) -> Reporter {
        Reporter(self.0.clone().map(|sink| {
            Arc::new(move |p: Progress| sink(Progress { stage: format!("{part} — {}", p.stage), ..p })) as ProgressSink
        }))
    }

    /// Reports `stage` with its count every `every` items (and at the first and the last), so
    /// that a hundred thousand rows make a hundred messages, not a hundred thousand.
    pub(crate) fn every(&self, every: u64, stage: &str, done: u64, total: u64) {
        if self.0.is_some() && (done.is_multiple_of(every.max(1)) || done == total) {
            self.report(stage, done, total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_reads_in_french_and_a_stage_without_one_has_no_fraction() {
        let p = Progress { stage: "Application des enregistrements".into(), done: 45_000, total: 112_000 };
        assert_eq!(p.line(), "Application des enregistrements : 45\u{202f}000 sur 112\u{202f}000");
        assert!((p.fraction().unwrap_or(0.0) - 0.401_785_7).abs() < 1e-4);
        let stage = Progress { stage: "Relecture".into(), done: 0, total: 0 };
        assert_eq!((stage.line().as_str(), stage.fraction()), ("Relecture", None));
    }

    #[test]
    fn a_reporter_sends_every_nth_item_and_the_last() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let reporter =
            Reporter::to(Arc::new(move |p: Progress| sink.lock().unwrap_or_else(|e| e.into_inner()).push(p.done)));
        for done in 0..=2_500 {
            reporter.every(1_000, "Lignes", done, 2_500);
        }
        assert_eq!(*seen.lock().unwrap_or_else(|e| e.into_inner()), vec![0, 1_000, 2_000, 2_500]);
    }
}
