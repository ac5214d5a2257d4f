//! The report: its findings and their levels, and how it is printed.

use std::io::Write;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Pass,
    Warn,
    Fail,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub level: Level,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

pub(super) fn pass(check: &'static str, detail: impl Into<String>) -> Check {
    Check {
        check,
        level: Level::Pass,
        detail: detail.into(),
        fix: None,
    }
}

pub(super) fn warn(
    check: &'static str,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        check,
        level: Level::Warn,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

pub(super) fn fail(
    check: &'static str,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        check,
        level: Level::Fail,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

/// The checks of the deployment (`business: None`) or of one business.
#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub business: Option<String>,
    pub checks: Vec<Check>,
}

impl Section {
    pub fn worst(&self) -> Level {
        self.checks
            .iter()
            .map(|c| c.level)
            .max()
            .unwrap_or(Level::Pass)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub deployment: String,
    pub sections: Vec<Section>,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.sections
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| c.level == level)
            .count()
    }

    /// The check named `check` in the section of `business` (`None`: the deployment's).
    pub fn find(&self, business: Option<&str>, check: &str) -> Option<&Check> {
        self.sections
            .iter()
            .find(|s| s.business.as_deref() == business)?
            .checks
            .iter()
            .find(|c| c.check == check)
    }
}

/// Prints the report: a table per section, then the summary.
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "Frontdesk doctor: {}", report.deployment)?;
    for section in &report.sections {
        writeln!(out)?;
        match &section.business {
            None => writeln!(out, "Deployment")?,
            Some(id) => writeln!(out, "Business {id}")?,
        }
        let width = section
            .checks
            .iter()
            .map(|c| c.check.len())
            .max()
            .unwrap_or(0);
        for check in &section.checks {
            writeln!(
                out,
                "  {}  {:width$}  {}",
                check.level.label(),
                check.check,
                check.detail
            )?;
            if let (Some(fix), true) = (&check.fix, check.level != Level::Pass) {
                writeln!(out, "        {:width$}  fix: {fix}", "")?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "DIAGNOSTIC SUMMARY")?;
    for section in &report.sections {
        let name = section.business.as_deref().unwrap_or("deployment");
        writeln!(out, "  {name:30} {}", section.worst().label())?;
    }
    let (passed, warned, failed) = (
        report.count(Level::Pass),
        report.count(Level::Warn),
        report.count(Level::Fail),
    );
    writeln!(out, "{passed} passed, {warned} warnings, {failed} failed")?;
    Ok(())
}
