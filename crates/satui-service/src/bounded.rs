//! Reading a named file with a size limit. A path a user gives may name `/dev/zero`, a FIFO or
//! a multi-gigabyte file by mistake (or on purpose); each reader says how much it expects and
//! stops one byte past it with an error naming the limit, instead of reading forever.

use std::io::{self, Read};
use std::path::Path;

/// Certificates, keys, config.toml and plugin.json: small text files.
pub const SMALL_FILE: u64 = 1024 * 1024;
/// An export of a million tokens is about 300 MB.
pub const EXPORT_FILE: u64 = 2 * 1024 * 1024 * 1024;

/// Reads at most `limit` bytes of the file at `path`; a longer one is an error.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!("larger than {}, not read", human(limit))));
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}
