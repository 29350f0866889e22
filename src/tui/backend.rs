//! The terminal backend: ratatui's crossterm backend, except that a frame is written without
//! the cursor move that ratatui-crossterm 0.1 puts after every wide character.
//!
//! `CrosstermBackend::draw` moves the cursor unless the next changed cell is exactly one column
//! to the right of the last one written. After a Chinese character (two columns) the next
//! cell is two columns on, so every wide character cost an `ESC[row;colH` of 6 to 7 bytes on
//! top of its 3 UTF-8 bytes: about half of every Chinese frame. Here the column the terminal's
//! cursor is really at is tracked by the display width of what was printed (upstream ratatui
//! PR #2721 does the same, not released yet); everything else is delegated.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, IntoCrossterm, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::crossterm::{
    cursor::{Hide, MoveRight, MoveTo, Show},
    execute, queue,
    style::{Attribute, Colors, Print, SetAttribute, SetColors, SetUnderlineColor},
    terminal::{self, Clear},
};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// A crossterm backend that knows how wide what it printed was.
pub struct WideBackend<W: Write> {
    writer: W,
    /// Where the cursor was put last: given back instead of asking the terminal, whose late
    /// reply over a slow link would arrive as key presses (ratatui asks when it clears).
    cursor: Position,
    /// The frame about to be drawn, when the caller gave it ([`WideBackend::expect`]): a run
    /// of blanks may then be erased across the cells the diff left out because they are
    /// blank in it too (the right halves of wide characters going away).
    next: Option<Buffer>,
    /// The frame on the terminal now, when known (the last expected frame, drawn whole; not
    /// after a clear). An erase never starts on the right half of a wide character of it, nor
    /// ends on a left half: a terminal such as tmux erases half a character and leaves the
    /// other half standing, a column out of place.
    shown: Option<Buffer>,
    /// The cursor was hidden (and not shown since).
    hidden: bool,
}

impl<W: Write> WideBackend<W> {
    pub fn new(writer: W) -> Self {
        WideBackend {
            writer,
            cursor: Position::ORIGIN,
            next: None,
            shown: None,
            hidden: false,
        }
    }

    /// The frame the next `draw` writes (the diff alone does not say which cells it left out
    /// are blank).
    pub fn expect(&mut self, frame: Buffer) {
        self.next = Some(frame);
    }

    /// The frame the terminal shows now, when known otherwise than by drawing it (to count
    /// what drawing over it would cost).
    pub fn showing(&mut self, frame: Buffer) {
        self.shown = Some(frame);
    }

    pub fn writer(&self) -> &W {
        &self.writer
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }
}

impl<W: Write> Write for WideBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Where the terminal's cursor is after printing `symbol` at (`x`, `y`), when that is sure:
/// the symbol's display width on. An empty symbol (or one of no width) leaves it unsure.
fn after(x: u16, y: u16, symbol: &str) -> Option<Position> {
    let w = symbol.width();
    (w > 0).then(|| Position {
        x: x.saturating_add(w as u16),
        y,
    })
}

/// The shortest run of blanks erased rather than written: `ESC[nX` and the move past it
/// (`ESC[nC`) cost about ten bytes, the spaces one each.
const MIN_ERASED: u16 = 12;

/// A cell as an erased one looks: a space without colour or attribute.
fn blank(cell: &Cell) -> bool {
    cell.symbol() == " "
        && cell.fg == Color::Reset
        && cell.bg == Color::Reset
        && cell.underline_color == Color::Reset
        && cell.modifier.is_empty()
}

/// How many columns from (`x`, `y`) on may be erased: the blank cells of `cells` (the diff,
/// from this cell on) that follow one another in the row, and between them the cells the
/// diff left out that are blank in the frame being drawn (`next`), if it is known. Ends on
/// a blank cell of the diff.
fn blank_run(cells: &[(u16, u16, &Cell)], x: u16, y: u16, next: Option<&Buffer>) -> u16 {
    let blank_in_next = |cx: u16| {
        next.is_some_and(|b| {
            let p = Position { x: cx, y };
            b.area.contains(p) && blank(&b[p])
        })
    };
    let mut end: u16 = x;
    for (cx, cy, c) in cells {
        if *cy != y || !blank(c) || *cx < end {
            break;
        }
        // The columns skipped since the last blank of the diff must be blank in the frame.
        if !(end..*cx).all(blank_in_next) {
            break;
        }
        end = cx + 1;
    }
    end - x
}

/// The part of a run of `run` columns from (`x`, `y`) that may be erased without cutting a
/// wide character of the frame on the terminal (`shown`) in half: none when the cell before
/// is a wide character still standing (then `x` is its right half; not when
/// `left_written`, that cell having just been written over), one less when the run's last
/// cell is the left half of one. Unknown, nothing is erased.
fn whole_characters(shown: Option<&Buffer>, x: u16, y: u16, run: u16, left_written: bool) -> u16 {
    let Some(shown) = shown else {
        return 0;
    };
    let wide = |cx: u16| {
        let p = Position { x: cx, y };
        shown.area.contains(p) && shown[p].symbol().width() > 1
    };
    if run == 0 || (x > 0 && wide(x - 1) && !left_written) {
        return 0;
    }
    if wide(x + run - 1) { run - 1 } else { run }
}

impl<W: Write> Backend for WideBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let next = self.next.take();
        let w = &mut self.writer;
        let mut fg = Color::Reset;
        let mut bg = Color::Reset;
        let mut underline = Color::Reset;
        let mut modifier = Modifier::empty();
        // Where the cursor is, when known.
        let mut at: Option<Position> = None;
        let content: Vec<(u16, u16, &Cell)> = content.collect();
        let mut i = 0;
        while i < content.len() {
            let (x, y, cell) = content[i];
            i += 1;
            match at {
                Some(p) if p == Position { x, y } => {}
                // Further along the same row: a relative move is half as long.
                Some(p) if p.y == y && p.x < x => queue!(w, MoveRight(x - p.x))?,
                _ => queue!(w, MoveTo(x, y))?,
            }
            if cell.modifier != modifier {
                queue_modifiers(w, modifier, cell.modifier)?;
                modifier = cell.modifier;
            }
            if cell.fg != fg || cell.bg != bg {
                let colors = Colors::new(cell.fg.into_crossterm(), cell.bg.into_crossterm());
                queue!(w, SetColors(colors))?;
                fg = cell.fg;
                bg = cell.bg;
            }
            if cell.underline_color != underline {
                queue!(w, SetUnderlineColor(cell.underline_color.into_crossterm()))?;
                underline = cell.underline_color;
            }
            // A run of blank cells (text that went away) is erased in place (ECH,
            // `ESC[nX`, the cursor stays) instead of written over with spaces, when that is
            // shorter; the next cell is a relative move on.
            let run = blank_run(&content[i - 1..], x, y, next.as_ref());
            // The cell on the left written just now in this frame: a wide character there is
            // gone already (printing over its left half clears it whole).
            let left_written = i >= 2 && {
                let (px, py, c) = content[i - 2];
                py == y && px < x && px + c.symbol().width().max(1) as u16 >= x
            };
            let run = whole_characters(self.shown.as_ref(), x, y, run, left_written);
            if run >= MIN_ERASED {
                write!(w, "\x1b[{run}X")?;
                at = Some(Position { x, y });
                // The diff's cells within the run are done.
                let end = x + run;
                while i < content.len() && content[i].1 == y && content[i].0 < end {
                    i += 1;
                }
                continue;
            }
            let symbol = cell.symbol();
            queue!(w, Print(symbol))?;
            at = after(x, y, symbol);
        }
        if let Some(p) = at {
            self.cursor = p;
        }
        self.shown = next;
        // Back to the plain style the next frame starts from: one `ESC[0m` (it resets the
        // colours too), and nothing when the last cell was plain already.
        let plain = fg == Color::Reset
            && bg == Color::Reset
            && underline == Color::Reset
            && modifier.is_empty();
        if !plain {
            queue!(w, SetAttribute(Attribute::Reset))?;
        }
        Ok(())
    }

    // The rest as ratatui-crossterm 0.1.2 does it.
    // ratatui hides the cursor before every frame that places none: said once.
    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.hidden {
            return Ok(());
        }
        self.hidden = true;
        execute!(self.writer, Hide)
    }

    // Likewise shown only when it was hidden (a terminal starts with it shown).
    fn show_cursor(&mut self) -> io::Result<()> {
        if !self.hidden {
            return Ok(());
        }
        self.hidden = false;
        execute!(self.writer, Show)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        self.cursor = Position { x, y };
        execute!(self.writer, MoveTo(x, y))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        use ratatui::crossterm::terminal::ClearType as C;
        self.shown = None;
        execute!(
            self.writer,
            Clear(match clear_type {
                ClearType::All => C::All,
                ClearType::AfterCursor => C::FromCursorDown,
                ClearType::BeforeCursor => C::FromCursorUp,
                ClearType::CurrentLine => C::CurrentLine,
                ClearType::UntilNewLine => C::UntilNewLine,
            })
        )
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        for _ in 0..n {
            queue!(self.writer, Print("\n"))?;
        }
        self.writer.flush()
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let terminal::WindowSize {
            columns,
            rows,
            width,
            height,
        } = terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: columns,
                height: rows,
            },
            pixels: Size { width, height },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// The attribute changes from `from` to `to` (as ratatui-crossterm writes them).
fn queue_modifiers(w: &mut impl Write, from: Modifier, to: Modifier) -> io::Result<()> {
    let removed = from - to;
    if removed.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(Attribute::NoReverse))?;
    }
    let reset_intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if reset_intensity {
        // Bold and dim are both reset by normal intensity; what stays is set again.
        queue!(w, SetAttribute(Attribute::NormalIntensity))?;
        if to.contains(Modifier::DIM) {
            queue!(w, SetAttribute(Attribute::Dim))?;
        }
        if to.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(Attribute::Bold))?;
        }
    }
    for (m, off) in [
        (Modifier::ITALIC, Attribute::NoItalic),
        (Modifier::UNDERLINED, Attribute::NoUnderline),
        (Modifier::CROSSED_OUT, Attribute::NotCrossedOut),
        (Modifier::HIDDEN, Attribute::NoHidden),
    ] {
        if removed.contains(m) {
            queue!(w, SetAttribute(off))?;
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(Attribute::NoBlink))?;
    }
    let added = to - from;
    for (m, on) in [
        (Modifier::REVERSED, Attribute::Reverse),
        (Modifier::ITALIC, Attribute::Italic),
        (Modifier::UNDERLINED, Attribute::Underlined),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut),
        (Modifier::HIDDEN, Attribute::Hidden),
        (Modifier::SLOW_BLINK, Attribute::SlowBlink),
        (Modifier::RAPID_BLINK, Attribute::RapidBlink),
    ] {
        if added.contains(m) {
            queue!(w, SetAttribute(on))?;
        }
    }
    if !reset_intensity {
        if added.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(Attribute::Bold))?;
        }
        if added.contains(Modifier::DIM) {
            queue!(w, SetAttribute(Attribute::Dim))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Widget};

    /// A writer whose bytes stay readable while a backend owns it.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Draws `FRAMES` in turn on a fixed 40x4 viewport: the bytes of each, and all written.
    fn bytes<B: Backend>(make: impl Fn(Shared) -> B) -> (Vec<usize>, Vec<u8>) {
        let out = Shared::default();
        let area = Rect::new(0, 0, 40, 4);
        let mut t = Terminal::with_options(
            make(out.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(area),
            },
        )
        .unwrap();
        let mut sizes = vec![];
        let mut before = out.0.borrow().len();
        for lines in FRAMES {
            t.draw(|f| {
                let lines: Vec<Line> = lines.iter().map(|l| Line::from(*l)).collect();
                f.render_widget(Paragraph::new(lines).style(Style::new()), f.area());
            })
            .unwrap();
            let now = out.0.borrow().len();
            sizes.push(now - before);
            before = now;
        }
        let raw = out.0.borrow().clone();
        (sizes, raw)
    }

    /// What the terminal shows after the bytes: a `vt100` screen of 40x4.
    fn screen(raw: &[u8]) -> String {
        let n = |v| std::num::NonZeroU16::new(v).unwrap();
        let mut p = vt100::Parser::new(n(4), n(40), 0);
        p.process(raw);
        p.screen().contents()
    }

    const FRAMES: &[&[&str]] = &[
        &[
            "双随机抽查 1总览 2监管对象",
            "> 阳城县东升化工有限公司",
            "  abc 中文 x",
        ],
        &[
            "双随机抽查 1总览 2监管对象",
            "  阳城县东升化工有限公司",
            "> abc 中文 y",
        ],
        &["双随机 ab 抽查", "", "全角：１２３ mixed 文字"],
    ];

    #[test]
    fn the_same_screen_with_fewer_bytes() {
        let (wide, a) = bytes(WideBackend::new);
        let (plain, b) = bytes(CrosstermBackend::new);
        for (w, p) in wide.iter().zip(&plain) {
            assert!(w <= p, "wide {wide:?} plain {plain:?}");
        }
        assert!(wide.iter().sum::<usize>() * 3 < plain.iter().sum::<usize>() * 2);
        // Both leave the same screen.
        assert_eq!(screen(&a), screen(&b));
        assert!(
            screen(&a).contains("全角：１２３ mixed 文字"),
            "{}",
            screen(&a)
        );
    }

    #[test]
    fn text_that_goes_away_is_erased_in_place_and_the_screen_is_the_same() {
        let out = Shared::default();
        let area = Rect::new(0, 0, 40, 4);
        let mut t = Terminal::with_options(
            WideBackend::new(out.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(area),
            },
        )
        .unwrap();
        let draw = |t: &mut Terminal<WideBackend<Shared>>, lines: &[&str]| {
            t.draw(|f| {
                let lines: Vec<Line> = lines.iter().map(|l| Line::from(*l)).collect();
                f.render_widget(Paragraph::new(lines), f.area());
            })
            .unwrap();
        };
        let mut first = ratatui::buffer::Buffer::empty(area);
        let first_lines = ["阳城县东升化工有限公司 东冶镇 重点 x", "abc", "short"];
        Paragraph::new(
            first_lines
                .iter()
                .map(|l| Line::from(*l))
                .collect::<Vec<_>>(),
        )
        .render(area, &mut first);
        t.backend_mut().expect(first);
        draw(&mut t, &first_lines);
        let before = out.0.borrow().len();
        let mut next = ratatui::buffer::Buffer::empty(area);
        Paragraph::new(vec![
            Line::from("阳"),
            Line::from("abc"),
            Line::from("shorter"),
        ])
        .render(area, &mut next);
        t.backend_mut().expect(next);
        draw(&mut t, &["阳", "abc", "shorter"]);
        let raw = out.0.borrow().clone();
        let frame = String::from_utf8_lossy(&raw[before..]).to_string();
        // 34 columns went blank on the first row: one erase, not 34 spaces.
        assert!(frame.contains("\x1b[34X"), "{frame:?}");
        assert!(!frame.contains("     "), "{frame:?}");
        let shown = screen(&raw);
        let first = shown.lines().next().unwrap();
        assert_eq!(first.trim_end(), "阳");
        assert!(shown.contains("shorter"));
        // A short run stays spaces (cheaper than the erase and the move).
        let (_, raw) = bytes(WideBackend::new);
        assert!(!String::from_utf8_lossy(&raw).contains("X\x1b"));
    }

    #[test]
    fn an_erase_never_cuts_a_wide_character_on_the_screen_in_half() {
        // tmux erases from the right half of 中 and leaves 中 standing, a column out.
        let area = Rect::new(0, 0, 40, 1);
        let mut shown = ratatui::buffer::Buffer::empty(area);
        shown.set_string(
            0,
            0,
            "a中bcdefghijklmnopq文xyz",
            ratatui::style::Style::new(),
        );
        assert_eq!(
            whole_characters(Some(&shown), 2, 0, 15, false),
            0,
            "starts on 中's right half"
        );
        // 中 written over in this frame already: its right half is no longer there.
        assert_eq!(whole_characters(Some(&shown), 2, 0, 15, true), 15);
        assert_eq!(whole_characters(Some(&shown), 3, 0, 15, false), 15);
        // 文 is at columns 19 and 20: a run ending on 19 stops before it, one ending on 20
        // takes it whole.
        assert_eq!(whole_characters(Some(&shown), 4, 0, 16, false), 15);
        assert_eq!(whole_characters(Some(&shown), 4, 0, 17, false), 17);
        // After a clear, or before any frame was expected, nothing is erased.
        assert_eq!(whole_characters(None, 3, 0, 15, false), 0);
    }

    #[test]
    fn no_cursor_move_follows_a_wide_character() {
        let (_, raw) = bytes(WideBackend::new);
        let text = String::from_utf8_lossy(&raw).to_string();
        // The first frame's runs are written whole: no move between the characters.
        assert!(text.contains("双随机抽查"), "{text:?}");
        assert!(text.contains("阳城县东升化工有限公司"), "{text:?}");
        let (_, raw) = bytes(CrosstermBackend::new);
        let text = String::from_utf8_lossy(&raw).to_string();
        assert!(
            !text.contains("双随机"),
            "upstream moves after each: {text:?}"
        );
    }
}
