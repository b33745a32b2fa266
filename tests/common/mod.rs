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
