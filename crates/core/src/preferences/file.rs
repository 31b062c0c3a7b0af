//! The settings file: `settings.json` in Strato's config folder, written whole and
//! atomically (a temporary file in the same folder, flushed to the disk, then renamed over
//! the old one), so a crash or a full disk mid-write leaves the old settings or the new,
//! never a mix.
//!
//! The file says which version of its shape it is: an older file is brought to this one's
//! shape when read (fields added since read as their defaults), and a file written by a
//! newer Strato is read for what this one
//! understands and never written over, so the newer Strato finds its choices intact. A
//! damaged file is kept aside (`settings.json.damaged`) and the defaults are used: the
//! listener is told, and nothing they could recover is deleted.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use strato_model::ipc::Settings;

/// The shape of the file this Strato writes.
pub const VERSION: u32 = 1;

const FILE_NAME: &str = "settings.json";

/// The file as written: the version, then the settings.
#[derive(Serialize)]
struct Written<'a> {
    version: u32,
    #[serde(flatten)]
    settings: &'a Settings,
}

#[derive(Deserialize)]
struct Versioned {
    version: Option<u32>,
}

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsFileError {
    #[error("{path} could not be written: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the settings were written by a newer Strato (version {0}); they are not changed")]
    Newer(u32),
    #[error("this run keeps no settings file")]
    NoFile,
}

/// The settings file of one config folder.
#[derive(Debug)]
pub struct SettingsFile {
    path: PathBuf,
    /// Written by a newer Strato: read, never written over.
    newer: Option<u32>,
}

/// What reading the file found.
#[derive(Debug)]
pub struct Loaded {
    pub file: SettingsFile,
    pub settings: Settings,
    /// Something the listener should hear about (a damaged file set aside, a newer one).
    pub notice: Option<String>,
}

impl SettingsFile {
    /// Reads the settings in `dir`; defaults when there is no file yet.
    #[must_use]
    pub fn load(dir: &Path) -> Loaded {
        let path = dir.join(FILE_NAME);
        let mut file = SettingsFile {
            path: path.clone(),
            newer: None,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    file,
                    settings: Settings::default(),
                    notice: None,
                };
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), %err, "the settings cannot be read");
                return Loaded {
                    file,
                    settings: Settings::default(),
                    notice: Some(format!(
                        "Your settings could not be read ({err}); Strato uses its defaults for now."
                    )),
                };
            }
        };
        match parse(&text) {
            Ok((settings, version)) if version > VERSION => {
                file.newer = Some(version);
                Loaded {
                    file,
                    settings,
                    notice: Some(
                        "Your settings were saved by a newer Strato: changes made here will not \
                         be kept."
                            .to_owned(),
                    ),
                }
            }
            Ok((settings, _)) => Loaded {
                file,
                settings,
                notice: None,
            },
            Err(why) => {
                let kept = path.with_extension("json.damaged");
                let kept_aside = std::fs::rename(&path, &kept).is_ok();
                tracing::warn!(path = %path.display(), %why, kept_aside, "damaged settings file");
                Loaded {
                    file,
                    settings: Settings::default(),
                    notice: Some(if kept_aside {
                        format!(
                            "Your settings file was damaged and has been kept aside as {}; \
                             Strato starts from its defaults.",
                            kept.display()
                        )
                    } else {
                        "Your settings file is damaged; Strato uses its defaults for now."
                            .to_owned()
                    }),
                }
            }
        }
    }

    /// Writes `settings` whole, atomically.
    pub fn save(&self, settings: &Settings) -> Result<(), SettingsFileError> {
        if let Some(version) = self.newer {
            return Err(SettingsFileError::Newer(version));
        }
        let write_error = |source| SettingsFileError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(write_error)?;
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(write_error)?;
        let text = serde_json::to_vec_pretty(&Written {
            version: VERSION,
            settings,
        })
        .map_err(|e| write_error(std::io::Error::other(e)))?;
        temp.write_all(&text).map_err(write_error)?;
        temp.as_file().sync_all().map_err(write_error)?;
        temp.persist(&self.path).map_err(|e| write_error(e.error))?;
        Ok(())
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The settings in `text` and the version it was written as, migrated to this one's shape.
fn parse(text: &str) -> Result<(Settings, u32), String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let version = serde_json::from_value::<Versioned>(doc.clone())
        .map_err(|e| e.to_string())?
        .version
        .ok_or("it says no version")?;
    // Version 1 is the only shape there has been. When it changes, raise VERSION and
    // turn the document of each older version into the next one's here, field by field
    // (an added field needs nothing: it reads as its default).
    let settings = serde_json::from_value(doc).map_err(|e| e.to_string())?;
    Ok((settings, version))
}
