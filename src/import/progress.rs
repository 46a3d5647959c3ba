//! How far an import has got, for whoever watches it: a bar on a terminal,
//! plain lines in a log, nothing in the server.

use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Lines a stage prints at most without a terminal (one per tenth done).
const LINES_PER_STAGE: usize = 10;

/// The steps of an import that take time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Every file is read, parsed as a PDF and hashed.
    Checking,
    /// The files new to the portal are copied into its storage.
    Storing,
    /// The rows are written in one transaction.
    Committing,
}

impl Stage {
    fn verb(self) -> &'static str {
        match self {
            Stage::Checking => "Checking",
            Stage::Storing => "Storing",
            Stage::Committing => "Committing",
        }
    }

    fn done(self) -> &'static str {
        match self {
            Stage::Checking => "checked",
            Stage::Storing => "stored",
            Stage::Committing => "committed",
        }
    }
}

/// Hears how an import goes. Calls may come from several threads.
pub trait Progress: Send + Sync {
    /// A stage begins, with the number of files it handles.
    fn stage(&self, stage: Stage, files: usize);
    /// One more file of the stage is done; its size.
    fn advance(&self, bytes: u64);
    /// The import is over, whatever its outcome.
    fn finish(&self) {}
}

/// Hears nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: Stage, _: usize) {}
    fn advance(&self, _: u64) {}
}

/// Where a stage is.
#[derive(Debug, Clone, Copy)]
struct Tally {
    stage: Stage,
    files: usize,
    done: usize,
    bytes: u64,
    started: Instant,
}

impl Tally {
    fn new(stage: Stage, files: usize) -> Self {
        Self {
            stage,
            files,
            done: 0,
            bytes: 0,
            started: Instant::now(),
        }
    }

    /// `12/41 files, 3.4 MiB, 8.1 MiB/s`.
    fn counts(&self) -> String {
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            self.bytes as f64 / seconds
        } else {
            0.0
        };
        format!(
            "{}/{} files, {}, {}/s",
            self.done,
            self.files,
            HumanBytes(self.bytes),
            HumanBytes(rate as u64)
        )
    }
}

/// A progress bar on a terminal.
pub struct Bar {
    bar: ProgressBar,
    tally: Mutex<Option<Tally>>,
}

impl Bar {
    /// A bar drawn on standard error.
    pub fn on_stderr() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Self {
            bar,
            tally: Mutex::new(None),
        }
    }
}

impl Progress for Bar {
    fn stage(&self, stage: Stage, files: usize) {
        let template = if files == 0 {
            "{spinner} {msg} ({elapsed})"
        } else {
            "{msg:10} [{bar:24}] {pos}/{len} files  {prefix} ({elapsed})"
        };
        self.bar.set_message(stage.verb());
        self.bar.set_prefix("");
        self.bar.set_length(files as u64);
        self.bar.set_position(0);
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        if files == 0 {
            self.bar
                .enable_steady_tick(std::time::Duration::from_millis(120));
        }
        if let Ok(mut tally) = self.tally.lock() {
            *tally = Some(Tally::new(stage, files));
        }
    }

    fn advance(&self, bytes: u64) {
        let Ok(mut tally) = self.tally.lock() else {
            return;
        };
        if let Some(tally) = tally.as_mut() {
            tally.done += 1;
            tally.bytes += bytes;
            let seconds = tally.started.elapsed().as_secs_f64().max(1e-3);
            let rate = HumanBytes((tally.bytes as f64 / seconds) as u64);
            self.bar
                .set_prefix(format!("{}, {rate}/s", HumanBytes(tally.bytes)));
        }
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// What is worth a line: a stage begins, a tenth of it is done, it ends.
enum Note {
    Began(Stage, usize),
    Step(Tally),
    Ended(Tally),
}

/// Picks the notes out of the calls, for [`Lines`] and [`Events`].
#[derive(Default)]
struct Cadence {
    tally: Option<Tally>,
}

impl Cadence {
    fn stage(&mut self, stage: Stage, files: usize) -> Vec<Note> {
        let mut notes: Vec<Note> = self.tally.take().map(Note::Ended).into_iter().collect();
        notes.push(Note::Began(stage, files));
        self.tally = Some(Tally::new(stage, files));
        notes
    }

    fn advance(&mut self, bytes: u64) -> Option<Note> {
        let tally = self.tally.as_mut()?;
        tally.done += 1;
        tally.bytes += bytes;
        let step = tally.files.div_ceil(LINES_PER_STAGE).max(1);
        (tally.done % step == 0 && tally.done < tally.files).then_some(Note::Step(*tally))
    }

    fn finish(&mut self) -> Option<Note> {
        self.tally.take().map(Note::Ended)
    }
}

/// Plain lines, for a pipe or a file: one when a stage begins, one per
/// tenth of it, one when it ends.
pub struct Lines<W: Write + Send> {
    out: Mutex<(W, Cadence)>,
}

impl<W: Write + Send> Lines<W> {
    /// Lines written to `out`.
    pub fn new(out: W) -> Self {
        Self {
            out: Mutex::new((out, Cadence::default())),
        }
    }

    /// The writer, once the import is over.
    pub fn into_inner(self) -> Option<W> {
        self.out.into_inner().ok().map(|(out, _)| out)
    }
}

fn line(note: &Note) -> String {
    match note {
        Note::Began(stage, 0) => format!("{}…", stage.verb()),
        Note::Began(stage, files) => format!("{} {files} files…", stage.verb()),
        Note::Step(tally) => format!("  {}", tally.counts()),
        Note::Ended(tally) => {
            let seconds = tally.started.elapsed().as_secs_f64();
            if tally.files == 0 {
                format!("  {} in {seconds:.1} s", tally.stage.done())
            } else {
                format!(
                    "  {} {} in {seconds:.1} s",
                    tally.stage.done(),
                    tally.counts()
                )
            }
        }
    }
}

impl<W: Write + Send> Lines<W> {
    fn write(&self, notes: impl FnOnce(&mut Cadence) -> Vec<Note>) {
        let Ok(mut guard) = self.out.lock() else {
            return;
        };
        let (out, cadence) = &mut *guard;
        for note in notes(cadence) {
            let _ = writeln!(out, "{}", line(&note));
        }
        let _ = out.flush();
    }
}

impl<W: Write + Send> Progress for Lines<W> {
    fn stage(&self, stage: Stage, files: usize) {
        self.write(|c| c.stage(stage, files));
    }

    fn advance(&self, bytes: u64) {
        self.write(|c| c.advance(bytes).into_iter().collect());
    }

    fn finish(&self) {
        self.write(|c| c.finish().into_iter().collect());
    }
}

/// The same notes as [`Lines`], as log events: what a JSON log gets, so
/// that every line of it stays JSON.
#[derive(Default)]
pub struct Events {
    cadence: Mutex<Cadence>,
}

impl Events {
    fn log(&self, notes: impl FnOnce(&mut Cadence) -> Vec<Note>) {
        let Ok(mut cadence) = self.cadence.lock() else {
            return;
        };
        for note in notes(&mut cadence) {
            match note {
                Note::Began(stage, files) => {
                    tracing::info!(stage = stage.verb(), files, "import stage begins");
                }
                Note::Step(t) | Note::Ended(t) => tracing::info!(
                    stage = t.stage.verb(),
                    done = t.done,
                    files = t.files,
                    bytes = t.bytes,
                    seconds = t.started.elapsed().as_secs_f64(),
                    "import progress"
                ),
            }
        }
    }
}

impl Progress for Events {
    fn stage(&self, stage: Stage, files: usize) {
        self.log(|c| c.stage(stage, files));
    }

    fn advance(&self, bytes: u64) {
        self.log(|c| c.advance(bytes).into_iter().collect());
    }

    fn finish(&self) {
        self.log(|c| c.finish().into_iter().collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_each_stage_a_tenth_at_a_time() {
        let lines = Lines::new(Vec::new());
        lines.stage(Stage::Checking, 100);
        for _ in 0..100 {
            lines.advance(1000);
        }
        lines.stage(Stage::Storing, 3);
        for _ in 0..3 {
            lines.advance(10);
        }
        lines.stage(Stage::Committing, 0);
        lines.finish();

        let text = String::from_utf8(lines.into_inner().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Checking 100 files…");
        assert!(lines[1].starts_with("  10/100 files, 9.77 KiB, "), "{text}");
        assert!(lines[9].starts_with("  90/100 files"), "{text}");
        assert!(
            lines[10].starts_with("  checked 100/100 files, 97.66 KiB"),
            "{text}"
        );
        assert_eq!(lines[11], "Storing 3 files…");
        assert!(lines[14].starts_with("  stored 3/3 files, 30 B"), "{text}");
        assert_eq!(lines[15], "Committing…");
        assert!(lines[16].starts_with("  committed in "), "{text}");
        assert_eq!(lines.len(), 17, "{text}");
    }
}
