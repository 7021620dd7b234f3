//! The desktop application on a 1,000,000-applicant database (issue: the clerk's desktop).
//!
//! Runs the real [`DaftarApp`] headlessly (an egui context, no window) with its real worker
//! thread, feeding it the events a clerk makes: logging in, typing in the search box, scrolling
//! the list. It measures the CPU time of each UI pass (layout and tessellation) and the time
//! from a keystroke to the frame that draws that query's first results. Prints the figures that
//! `docs/PERFORMANCE.md` records; no criterion groups (each sample is one real frame).

use std::hint::black_box;
use std::time::{Duration, Instant};

use daftar::app::Core;
use daftar::ui::{Backend, DaftarApp, Screen, theme};
use eframe::egui::{self, Event, Key, Modifiers, MouseWheelUnit, Pos2, RawInput, Rect, vec2};

mod common;

struct Window {
    ctx: egui::Context,
    app: DaftarApp,
    started: Instant,
    frame_times: Vec<Duration>,
}

impl Window {
    /// One frame with `events`; returns its CPU time (UI pass and tessellation).
    fn frame(&mut self, events: Vec<Event>) -> Duration {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
            time: Some(self.started.elapsed().as_secs_f64()),
            events,
            ..RawInput::default()
        };
        let start = Instant::now();
        let app = &mut self.app;
        let mut output = self.ctx.run_ui(input, |ui| app.show(ui));
        let primitives = self.ctx.tessellate(std::mem::take(&mut output.shapes), output.pixels_per_point);
        let took = start.elapsed();
        output.textures_delta.clear();
        black_box(primitives);
        self.frame_times.push(took);
        took
    }

    /// Runs frames until `done` holds (at most `limit`).
    fn until(&mut self, limit: Duration, done: impl Fn(&DaftarApp) -> bool) -> Duration {
        let start = Instant::now();
        while !done(&self.app) && start.elapsed() < limit {
            self.frame(vec![]);
            std::thread::sleep(Duration::from_micros(500));
        }
        start.elapsed()
    }
}

fn key(key: Key) -> Event {
    Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers: Modifiers::NONE }
}

fn percentile(samples: &mut [Duration], p: usize) -> f64 {
    samples.sort();
    samples.get(samples.len().saturating_sub(1) * p / 100).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

fn first_page_shown(app: &DaftarApp) -> bool {
    let state = app.applicants();
    state.pages.contains_key(&0) && !state.pending.contains(&0)
}

fn main() {
    let db = common::bench_db();
    // The day's second log-in (a backup already made today), then the first log-in of a day:
    // the daily backup runs beside the clerk's search.
    let backups = db.with_file_name("sauvegardes");
    {
        let mut core = Core::open(&db, false).unwrap_or_else(|e| panic!("{e}"));
        let chef = core.login("chef", "chef-demo-2026").unwrap_or_else(|e| panic!("{e}"));
        if core.backup_due(false).is_some() {
            let started = Instant::now();
            core.auto_backup(&chef, false).unwrap_or_else(|e| panic!("{e}"));
            eprintln!("today's backup made first, in {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    scenario(&db, "a backup already made today");
    let _ = std::fs::remove_dir_all(&backups);
    scenario(&db, "the first log-in of the day (a backup due)");
}

fn scenario(db: &std::path::Path, day: &str) {
    println!("— {day}");
    let launch = Instant::now();
    let core = Core::open(db, false).unwrap_or_else(|e| panic!("{e}"));
    let ctx = egui::Context::default();
    theme::apply(&ctx);
    let backend = Backend::spawn(core, ctx.clone(), std::env::temp_dir().join("daftar-bench-documents"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut window = Window {
        ctx,
        app: DaftarApp::new(backend, false, "BL-DEMO".into(), Screen::Applicants),
        started: Instant::now(),
        frame_times: Vec::new(),
    };
    window.frame(vec![]);
    eprintln!(
        "launch to first frame (open the 1M database, fonts, first UI pass): {:.0} ms",
        launch.elapsed().as_secs_f64() * 1e3
    );

    window.frame(vec![Event::Text("chef".into())]);
    window.frame(vec![key(Key::Tab)]);
    window.frame(vec![Event::Text("chef-demo-2026".into()), key(Key::Enter)]);
    let login = window.until(Duration::from_secs(10), DaftarApp::logged_in);
    window.until(Duration::from_secs(10), first_page_shown);
    eprintln!("login (Argon2id) and first list page: {:.0} ms", login.as_secs_f64() * 1e3);

    // Typing in the search box, 150 ms between keys, as a clerk types.
    window.frame_times.clear();
    let mut latencies = Vec::new();
    for round in 0..3 {
        for c in "bennani moh".chars() {
            let typed = Instant::now();
            window.frame(vec![Event::Text(c.to_string())]);
            window.until(Duration::from_secs(5), first_page_shown);
            latencies.push(typed.elapsed());
            if typed.elapsed() > Duration::from_millis(50) {
                let s = window.app.applicants();
                eprintln!(
                    "slow keystroke {c:?}: query {:?} generation {} pending {:?} pages {:?}",
                    s.query,
                    s.generation,
                    s.pending,
                    s.pages.keys().collect::<Vec<_>>()
                );
            }
            std::thread::sleep(Duration::from_millis(150).saturating_sub(typed.elapsed()));
        }
        for _ in 0..11 {
            window.frame(vec![key(Key::Backspace)]);
        }
        window.until(Duration::from_secs(5), first_page_shown);
        eprintln!("typing round {round} done");
    }
    let mut typing_frames = std::mem::take(&mut window.frame_times);
    eprintln!(
        "typing: UI pass per frame p95 {:.2} ms (median {:.2} ms, {} frames); keystroke to first results drawn p95 {:.1} ms (median {:.1} ms, max {:.1} ms, {} keystrokes)",
        percentile(&mut typing_frames, 95),
        percentile(&mut typing_frames, 50),
        typing_frames.len(),
        percentile(&mut latencies, 95),
        percentile(&mut latencies, 50),
        percentile(&mut latencies, 100),
        latencies.len()
    );

    // Scrolling the whole register (empty query: 1,000,000 rows), a wheel step every frame.
    window.frame(vec![Event::PointerMoved(Pos2::new(400.0, 400.0))]);
    window.frame_times.clear();
    for _ in 0..600 {
        window.frame(vec![Event::MouseWheel {
            unit: MouseWheelUnit::Point,
            delta: vec2(0.0, -600.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: Modifiers::NONE,
        }]);
        std::thread::sleep(Duration::from_millis(8));
    }
    let mut scroll_frames = std::mem::take(&mut window.frame_times);
    eprintln!(
        "scrolling: UI pass per frame p95 {:.2} ms (median {:.2} ms, max {:.2} ms, {} frames)",
        percentile(&mut scroll_frames, 95),
        percentile(&mut scroll_frames, 50),
        percentile(&mut scroll_frames, 100),
        scroll_frames.len()
    );
    // The dossiers' worklist: opened, then a dossier searched by its unpadded number, a clerk's
    // 150 ms between keys; each keystroke's time until the list answering it is drawn.
    window.app.go_to(Screen::Dossiers);
    let opened = window.until(Duration::from_secs(10), |app| app.dossiers().list.up_to_date());
    eprintln!("worklist: first page drawn {:.0} ms after the screen opened", opened.as_secs_f64() * 1e3);
    window.frame_times.clear();
    let mut list_latencies = Vec::new();
    for _ in 0..3 {
        for c in "2024-17".chars() {
            let typed = Instant::now();
            window.frame(vec![Event::Text(c.to_string())]);
            window.until(Duration::from_secs(5), |app| app.dossiers().list.up_to_date());
            list_latencies.push(typed.elapsed());
            std::thread::sleep(Duration::from_millis(150).saturating_sub(typed.elapsed()));
        }
        let list = &window.app.dossiers().list;
        assert_eq!(list.search, "2024-17", "the keys went to the worklist's search");
        eprintln!(
            "worklist: « 2024-17 » finds {} dossier(s) on the first page",
            list.rows.as_ref().map_or(0, |p| p.rows.len())
        );
        for _ in 0..7 {
            window.frame(vec![key(Key::Backspace)]);
        }
        window.until(Duration::from_secs(5), |app| app.dossiers().list.up_to_date());
    }
    let mut list_frames = std::mem::take(&mut window.frame_times);
    eprintln!(
        "worklist search: UI pass per frame p95 {:.2} ms (median {:.2} ms, {} frames); keystroke to its list drawn p95 {:.1} ms (median {:.1} ms, max {:.1} ms, {} keystrokes)",
        percentile(&mut list_frames, 95),
        percentile(&mut list_frames, 50),
        list_frames.len(),
        percentile(&mut list_latencies, 95),
        percentile(&mut list_latencies, 50),
        percentile(&mut list_latencies, 100),
        list_latencies.len()
    );
    // The backup that started at log-in, if one was due, ends on its own.
    let waited = window.until(Duration::from_secs(600), |app| app.backup_progress().is_none());
    if waited > Duration::from_millis(50) {
        eprintln!("the daily backup ended {:.1} s after the measurements", waited.as_secs_f64());
    }
}
