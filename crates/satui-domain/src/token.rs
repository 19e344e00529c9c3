//! The token format: `sat_` + 32 base62 random characters + 6 base62 characters of the CRC32 of
//! the random part. The checksum lets a typo or a stray string be refused without a lookup.

use std::fmt;

use rand::{CryptoRng, RngExt};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub const PREFIX: &str = "sat_";
pub const RANDOM_LEN: usize = 32;
pub const CHECKSUM_LEN: usize = 6;
pub const TOKEN_LEN: usize = PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A token's plaintext. It is zeroed when dropped and its `Debug` never shows it; the only way to
/// read it is [`TokenSecret::expose`], which keeps every use greppable.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(Zeroizing<String>);

impl TokenSecret {
    /// Draws a new token from a cryptographically secure generator (the OS-seeded thread RNG in
    /// production, a seeded one in `satui seed`).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> TokenSecret {
        // Capacity is exact, so the String never reallocates and leaves no unzeroed copy behind.
        let mut text = String::with_capacity(TOKEN_LEN);
        text.push_str(PREFIX);
        for _ in 0..RANDOM_LEN {
            text.push(BASE62[rng.random_range(0..BASE62.len())] as char);
        }
        let checksum = encode_checksum(crc32fast::hash(&text.as_bytes()[PREFIX.len()..]));
        text.extend(checksum.iter().map(|&b| b as char));
        TokenSecret(Zeroizing::new(text))
    }

    /// Accepts user input (stdin, the environment) after checking shape and checksum. The input
    /// is never echoed back in the error.
    pub fn parse(input: &str) -> Result<TokenSecret, TokenFormatError> {
        let text = input.trim();
        check_format(text)?;
        Ok(TokenSecret(Zeroizing::new(text.to_string())))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 digest that the store keeps instead of the token.
    pub fn hash(&self) -> [u8; 32] {
        hash_token(&self.0)
    }

    /// `sat_…` plus the last four characters, which are checksum characters and carry no secret.
    pub fn hint(&self) -> String {
        format!("{PREFIX}…{}", &self.0[TOKEN_LEN - 4..])
    }
}

/// A stored hint is exactly what [`TokenSecret::hint`] makes: `sat_…` and four base62 characters.
pub fn validate_hint(hint: &str) -> Result<String, String> {
    let tail = hint.strip_prefix(PREFIX).and_then(|rest| rest.strip_prefix('…'));
    match tail {
        Some(tail) if tail.len() == 4 && tail.bytes().all(|b| BASE62.contains(&b)) => Ok(hint.to_string()),
        _ => Err(format!("hint '{}' is not of the form sat_…XXXX", super::text::for_terminal(hint))),
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// Why a string is not a satui token, decided without touching the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenFormatError {
    #[error("malformed token: expected sat_ followed by 38 letters and digits")]
    Malformed,
    #[error("bad checksum: the token was mistyped or truncated")]
    BadChecksum,
}

pub fn check_format(text: &str) -> Result<(), TokenFormatError> {
    let body = text.strip_prefix(PREFIX).ok_or(TokenFormatError::Malformed)?;
    if body.len() != RANDOM_LEN + CHECKSUM_LEN || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(TokenFormatError::Malformed);
    }
    if !checksum_ok(text) {
        return Err(TokenFormatError::BadChecksum);
    }
    Ok(())
}

/// Whether `text` is `sat_` + 32 characters whose CRC32 the last 6 characters encode. It only
/// looks at the checksum (a caller such as the scanner has checked the letters and digits
/// already); [`check_format`] is the full check. Allocates nothing: the scanner calls it for
/// every candidate it meets.
pub fn checksum_ok(text: &str) -> bool {
    let Some(body) = text.strip_prefix(PREFIX) else { return false };
    if body.len() != RANDOM_LEN + CHECKSUM_LEN {
        return false;
    }
    let (random, checksum) = body.as_bytes().split_at(RANDOM_LEN);
    encode_checksum(crc32fast::hash(random)) == checksum
}

pub fn hash_token(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Six base62 digits, most significant first (62^6 > 2^32, so every CRC32 fits).
fn encode_checksum(mut value: u32) -> [u8; CHECKSUM_LEN] {
    let mut digits = [b'0'; CHECKSUM_LEN];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_pass_their_own_check() {
        let mut rng = rand::rng();
        let token = TokenSecret::generate(&mut rng);
        assert_eq!(token.expose().len(), TOKEN_LEN);
        assert!(check_format(token.expose()).is_ok());
        assert!(!format!("{token:?}").contains(&token.expose()[4..]));
    }

    #[test]
    fn checksum_ok_agrees_with_check_format() {
        let token = TokenSecret::generate(&mut rand::rng());
        let text = token.expose();
        assert!(checksum_ok(text));
        let mut wrong = text.as_bytes().to_vec();
        wrong[10] = if wrong[10] == b'a' { b'b' } else { b'a' };
        let wrong = String::from_utf8(wrong).unwrap();
        assert!(!checksum_ok(&wrong));
        assert_eq!(check_format(&wrong), Err(TokenFormatError::BadChecksum));
        assert!(!checksum_ok(&text[..TOKEN_LEN - 1]));
        assert!(!checksum_ok(&text[1..]));
    }
}
