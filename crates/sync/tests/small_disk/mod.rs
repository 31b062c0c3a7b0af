//! A disk that fills up on purpose: the download manager's one seam ([`DownloadStorage`]),
//! for a part file cut short at a known length.

use std::io::{self, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use strato_sync::downloads::{DownloadStorage, PartFile};

/// A disk that fills up after `room` bytes of any one file.
#[derive(Debug)]
pub struct SmallDisk {
    pub room: u64,
}

struct SmallPart {
    file: std::fs::File,
    written: u64,
    room: u64,
}

impl DownloadStorage for SmallDisk {
    fn open_part(&self, path: &Path, offset: u64) -> io::Result<Box<dyn PartFile>> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)?;
        file.set_len(offset)?;
        file.seek(SeekFrom::End(0))?;
        Ok(Box::new(SmallPart {
            file,
            written: offset,
            room: self.room,
        }))
    }
}

impl PartFile for SmallPart {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let fits = usize::try_from(self.room.saturating_sub(self.written))
            .unwrap()
            .min(bytes.len());
        self.file.write_all(&bytes[..fits])?;
        self.written += fits as u64;
        if fits < bytes.len() {
            return Err(io::Error::from(io::ErrorKind::StorageFull));
        }
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        self.file.sync_all()
    }
}
