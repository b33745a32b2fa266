#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_stance"))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run stance")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The `*.txt` pages of a folder as (id, text), by id: the id is the file
/// name without `.txt`, as `stance` reads a folder.
pub fn pages(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

pub fn corpus() -> Option<PathBuf> {
    let p = root().join("../shared/corpus");
    p.is_dir().then_some(p)
}

/// The in-memory fit on labeled units: the reference that the streamed
/// training and the scoring fast paths are checked against.
pub fn fit_units(
    units: &[stance::labels::LabeledUnit],
    p: &stance::model::StanceValidParams,
) -> stance::model::FittedModel {
    p.fit_from(
        units.len(),
        |i| {
            let u = &units[i];
            stance::features::features(&u.text, &u.mentions, u.actor_index, &p.features)
        },
        |i| (units[i].stance, units[i].sentiment),
    )
    .unwrap()
}
