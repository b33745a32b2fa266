//! Charts of a comparison: per actor, each group's stance and sentiment
//! score with its interval (dot and whisker), and the shares of predicted
//! classes. SVG or PNG by extension; PNG text is drawn with DejaVu Sans
//! compiled into the binary, so it works on machines without fonts.

use crate::compare::GroupRow;
use crate::error::{Result, StanceError};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

/// (score, y position, interval)
type Point = (f64, f64, Option<(f64, f64)>);

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in; failure would be a build defect.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

fn err<E: std::fmt::Display>(path: &Path) -> impl Fn(E) -> StanceError + '_ {
    move |e| StanceError::file(path, format!("drawing chart: {e}"))
}

fn actors(rows: &[GroupRow]) -> Vec<String> {
    let mut a: Vec<String> = rows.iter().map(|r| r.actor.clone()).collect();
    a.sort();
    a.dedup();
    a
}

/// Dot-and-whisker chart of scores; `path` ends in .svg or .png.
/// Pixel size of the scores chart: one panel per actor, a row per group.
fn scores_size(rows: &[GroupRow], acts: &[String]) -> (u32, u32) {
    let n_groups = acts
        .first()
        .map_or(0, |a| rows.iter().filter(|r| &r.actor == a).count())
        .max(1);
    (
        1000,
        120 + acts.len().max(1) as u32 * (60 + 28 * n_groups as u32),
    )
}

/// Pixel size of the shares chart: a bar per group and actor.
fn shares_size(rows: &[GroupRow]) -> (u32, u32) {
    (1000, 140 + 24 * rows.len().max(1) as u32)
}

pub fn scores_chart(rows: &[GroupRow], path: &Path, title: &str) -> Result<()> {
    register();
    let acts = actors(rows);
    let size = scores_size(rows, &acts);
    match ext(path)?.as_str() {
        "svg" => draw_scores(
            SVGBackend::new(path, size).into_drawing_area(),
            rows,
            &acts,
            title,
            path,
        ),
        _ => draw_scores(
            BitMapBackend::new(path, size).into_drawing_area(),
            rows,
            &acts,
            title,
            path,
        ),
    }
}

/// The scores chart as an SVG document in a string (for the HTML report).
pub fn scores_svg(rows: &[GroupRow], title: &str) -> Result<String> {
    register();
    let acts = actors(rows);
    if acts.is_empty() {
        return Ok(String::new());
    }
    let size = scores_size(rows, &acts);
    let mut buf = String::new();
    draw_scores(
        SVGBackend::with_string(&mut buf, size).into_drawing_area(),
        rows,
        &acts,
        title,
        Path::new("<report>"),
    )?;
    Ok(buf)
}

/// The shares chart as an SVG document in a string.
pub fn shares_svg(rows: &[GroupRow], title: &str) -> Result<String> {
    register();
    let size = shares_size(rows);
    let mut buf = String::new();
    draw_shares(
        SVGBackend::with_string(&mut buf, size).into_drawing_area(),
        rows,
        title,
        Path::new("<report>"),
    )?;
    Ok(buf)
}

fn ext(path: &Path) -> Result<String> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
    {
        Some(e) if e == "svg" || e == "png" => Ok(e),
        _ => Err(StanceError::file(
            path,
            "chart file must end in .svg or .png",
        )),
    }
}

fn draw_scores<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    rows: &[GroupRow],
    acts: &[String],
    title: &str,
    path: &Path,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err(path))?;
    let root = root.titled(title, ("sans-serif", 22)).map_err(err(path))?;
    let panels = root.split_evenly((acts.len(), 1));
    for (area, actor) in panels.iter().zip(acts) {
        let mut rs: Vec<&GroupRow> = rows.iter().filter(|r| &r.actor == actor).collect();
        // Sorted by stance score, so the reader sees the ranking.
        rs.sort_by(|a, b| {
            a.stance_score
                .total_cmp(&b.stance_score)
                .then(a.group.cmp(&b.group))
        });
        let labels: Vec<String> = rs.iter().map(|r| r.group.join(" / ")).collect();
        let n = rs.len();
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{actor}: score (p_supportive − p_skeptical, p_positive − p_negative), 95% interval"), ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(220)
            .build_cartesian_2d(-1.0f64..1.0f64, -0.6f64..(n as f64 - 0.4))
            .map_err(err(path))?;
        chart
            .configure_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("score")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err(path))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.6), (0.0, n as f64 - 0.4)],
                BLACK.mix(0.4),
            )))
            .map_err(err(path))?;
        for (dim, color, off) in [("stance", BLUE, 0.12), ("sentiment", RED, -0.12)] {
            let pts: Vec<Point> = rs
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    if dim == "stance" {
                        (r.stance_score, i as f64 + off, r.stance_ci)
                    } else {
                        (r.sentiment_score, i as f64 + off, r.sentiment_ci)
                    }
                })
                .collect();
            chart
                .draw_series(pts.iter().filter_map(|&(_, y, ci)| {
                    ci.map(|(lo, hi)| {
                        PathElement::new(vec![(lo, y), (hi, y)], color.stroke_width(2))
                    })
                }))
                .map_err(err(path))?;
            chart
                .draw_series(
                    pts.iter()
                        .filter(|p| p.0.is_finite())
                        .map(|&(x, y, _)| Circle::new((x, y), 5, color.filled())),
                )
                .map_err(err(path))?
                .label(dim)
                .legend(move |(x, y)| Circle::new((x, y), 5, color.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(err(path))?;
    }
    root.present().map_err(err(path))?;
    Ok(())
}

/// Stacked bars of predicted-class shares per group and actor.
pub fn shares_chart(rows: &[GroupRow], path: &Path, title: &str) -> Result<()> {
    register();
    let size = shares_size(rows);
    match ext(path)?.as_str() {
        "svg" => draw_shares(
            SVGBackend::new(path, size).into_drawing_area(),
            rows,
            title,
            path,
        ),
        _ => draw_shares(
            BitMapBackend::new(path, size).into_drawing_area(),
            rows,
            title,
            path,
        ),
    }
}

fn draw_shares<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    rows: &[GroupRow],
    title: &str,
    path: &Path,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err(path))?;
    let (left, right) = root.split_horizontally(500);
    let labels: Vec<String> = rows
        .iter()
        .map(|r| format!("{} · {}", r.group.join(" / "), r.actor))
        .collect();
    let n = rows.len();
    for (area, dim, classes, colors) in [
        (
            &left,
            "stance",
            ["supportive", "skeptical", "neutral"],
            [GREEN, RED, RGBColor(180, 180, 180)],
        ),
        (
            &right,
            "sentiment",
            ["positive", "negative", "neutral"],
            [GREEN, RED, RGBColor(180, 180, 180)],
        ),
    ] {
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("{title}: shares of predicted {dim} labels"),
                ("sans-serif", 15),
            )
            .margin(8)
            .x_label_area_size(26)
            .y_label_area_size(if dim == "stance" { 230 } else { 10 })
            .build_cartesian_2d(0.0f64..1.0f64, -0.6f64..(n as f64 - 0.4))
            .map_err(err(path))?;
        let show_labels = dim == "stance";
        chart
            .configure_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| {
                let i = y.round();
                if show_labels && (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err(path))?;
        for k in 0..3 {
            let color = colors[k];
            chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    let s = if dim == "stance" {
                        r.stance_shares
                    } else {
                        r.sentiment_shares
                    };
                    let start: f64 = s[..k].iter().sum();
                    Rectangle::new(
                        [(start, i as f64 - 0.35), (start + s[k], i as f64 + 0.35)],
                        color.filled(),
                    )
                }))
                .map_err(err(path))?
                .label(classes[k])
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.8))
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(err(path))?;
    }
    root.present().map_err(err(path))?;
    Ok(())
}
