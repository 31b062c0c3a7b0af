//! AES-128-CBC segment decryption as HLS specifies it (RFC 8216 section 5.2).

use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};

use crate::error::{Result, StreamError};

/// AES block and key size in bytes.
pub const AES_BLOCK_LEN: usize = 16;

type Aes128CbcDecryptor = cbc::Decryptor<aes::Aes128>;

/// The IV for a segment whose EXT-X-KEY has no IV attribute: its media sequence number as a
/// 128-bit big-endian integer (RFC 8216 section 5.2).
#[must_use]
pub fn sequence_number_iv(media_sequence: u64) -> [u8; AES_BLOCK_LEN] {
    u128::from(media_sequence).to_be_bytes()
}

/// Checks that a fetched key file is exactly 16 bytes, as AES-128 keys are.
pub fn key_from_bytes(bytes: &[u8]) -> Result<[u8; AES_BLOCK_LEN]> {
    bytes.try_into().map_err(|_| {
        StreamError::Decryption(format!(
            "an AES-128 key is {AES_BLOCK_LEN} bytes, the key file has {}",
            bytes.len()
        ))
    })
}

/// Decrypts a whole segment (or init section) and removes its PKCS#7 padding.
///
/// A wrong key or IV almost always shows up as invalid padding in the last block, which is
/// the only integrity check AES-128 HLS offers.
pub fn decrypt_aes128_cbc(
    ciphertext: &[u8],
    key: &[u8; AES_BLOCK_LEN],
    iv: &[u8; AES_BLOCK_LEN],
) -> Result<Vec<u8>> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(AES_BLOCK_LEN) {
        return Err(StreamError::Decryption(format!(
            "the ciphertext is {} bytes, not a non-zero multiple of {AES_BLOCK_LEN} \
             (truncated download?)",
            ciphertext.len()
        )));
    }
    Aes128CbcDecryptor::new(key.into(), iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map_err(|_| {
            StreamError::Decryption("invalid PKCS#7 padding: the key or IV is wrong".into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncryptMut;

    type Aes128CbcEncryptor = cbc::Encryptor<aes::Aes128>;

    const KEY: [u8; 16] = *b"0123456789abcdef";

    fn encrypt(plain: &[u8], key: &[u8; 16], iv: &[u8; 16]) -> Vec<u8> {
        Aes128CbcEncryptor::new(key.into(), iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plain)
    }

    #[test]
    fn sequence_number_iv_is_big_endian_128_bit() {
        let iv = sequence_number_iv(0x0102);
        assert_eq!(iv[..14], [0; 14]);
        assert_eq!(iv[14..], [0x01, 0x02]);
        assert_eq!(sequence_number_iv(0), [0; 16]);
    }

    #[test]
    fn round_trip_with_sequence_number_iv() {
        let iv = sequence_number_iv(7);
        let plain = b"seventeen bytes!!".repeat(5);
        let encrypted = encrypt(&plain, &KEY, &iv);
        assert_eq!(decrypt_aes128_cbc(&encrypted, &KEY, &iv).unwrap(), plain);
    }

    #[test]
    fn wrong_key_is_a_padding_error() {
        let iv = sequence_number_iv(1);
        let encrypted = encrypt(&[0x47; 188 * 3], &KEY, &iv);
        let err = decrypt_aes128_cbc(&encrypted, b"fedcba9876543210", &iv).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Decryption);
        assert!(err.to_string().contains("padding"), "{err}");
    }

    #[test]
    fn truncated_ciphertext_is_rejected() {
        let iv = sequence_number_iv(1);
        let encrypted = encrypt(&[1; 100], &KEY, &iv);
        let err = decrypt_aes128_cbc(&encrypted[..encrypted.len() - 3], &KEY, &iv).unwrap_err();
        assert!(err.to_string().contains("multiple of 16"), "{err}");
        assert!(decrypt_aes128_cbc(&[], &KEY, &iv).is_err());
    }

    #[test]
    fn key_file_must_be_16_bytes() {
        assert!(key_from_bytes(&[0; 15]).is_err());
        assert_eq!(key_from_bytes(&KEY).unwrap(), KEY);
    }
}
