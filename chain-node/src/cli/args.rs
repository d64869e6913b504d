//! Parsing of typed contract inputs (`u128:1000`, `addr:0x..`), signers (`--from`) and
//! return-data decoders (`--decode`).
//!
//! Contract input is plain concatenated little-endian binary (the host ABI's input, `docs/abi.md`): each typed argument
//! encodes to a fixed number of bytes and arguments are concatenated in order.

use anyhow::{anyhow, bail, Context};
use clap::{Args, ValueEnum};
use ed25519_dalek::SigningKey;
use metron_node::dev;

/// Contract input options shared by `call`, `query` and `deploy`.
#[derive(Debug, Clone, Default, Args)]
pub struct InputArgs {
    /// Raw input: `0x` hex, or typed arguments separated by commas
    /// (e.g. `addr:0x..,u128:5`).
    #[arg(long, value_name = "HEX|TYPED")]
    pub input: Option<String>,
    /// Typed argument appended after `--input` (repeatable): `addr:0x..` (32 bytes),
    /// `u128:N` (16 LE), `u64:N` (8 LE), `u32:N` (4 LE), `hex:0x..`, or `dev:I`
    /// (address of dev account I).
    #[arg(long = "arg", value_name = "TYPE:VALUE")]
    pub args: Vec<String>,
}

impl InputArgs {
    /// The encoded input bytes.
    ///
    /// # Errors
    /// A message naming the malformed argument.
    pub fn encode(&self) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        if let Some(input) = &self.input {
            out.extend(parse_input(input)?);
        }
        for a in &self.args {
            out.extend(parse_typed_arg(a)?);
        }
        Ok(out)
    }
}

/// Parses an input spec: `0x` hex (or empty), or comma/space separated typed arguments.
///
/// # Errors
/// Invalid hex or an invalid typed argument.
pub fn parse_input(spec: &str) -> anyhow::Result<Vec<u8>> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Ok(Vec::new());
    }
    if spec.starts_with("0x") || spec.starts_with("0X") {
        return metron_rpc::hex_serde::decode(spec).map_err(|e| anyhow!(e));
    }
    let mut out = Vec::new();
    for part in spec.split([',', ' ']).filter(|p| !p.is_empty()) {
        out.extend(parse_typed_arg(part)?);
    }
    Ok(out)
}

fn parse_uint<T: TryFrom<u128>>(ty: &str, v: &str) -> anyhow::Result<T> {
    let v = v.replace('_', "");
    let n = if let Some(h) = v.strip_prefix("0x") {
        u128::from_str_radix(h, 16)
    } else {
        v.parse::<u128>()
    }
    .with_context(|| format!("invalid {ty} value {v:?}"))?;
    T::try_from(n).map_err(|_| anyhow!("{ty} value {v} out of range"))
}

/// Parses one typed argument `TYPE:VALUE` into its little-endian bytes.
///
/// # Errors
/// Unknown type, bad number, wrong address length.
pub fn parse_typed_arg(arg: &str) -> anyhow::Result<Vec<u8>> {
    let (ty, value) = arg
        .split_once(':')
        .ok_or_else(|| anyhow!("argument {arg:?} must be TYPE:VALUE (e.g. u128:1000)"))?;
    Ok(match ty {
        "u128" => parse_uint::<u128>(ty, value)?.to_le_bytes().to_vec(),
        "u64" => parse_uint::<u64>(ty, value)?.to_le_bytes().to_vec(),
        "u32" => parse_uint::<u32>(ty, value)?.to_le_bytes().to_vec(),
        "u8" => parse_uint::<u8>(ty, value)?.to_le_bytes().to_vec(),
        "addr" => parse_address(value)?.to_vec(),
        "dev" => {
            let i: usize = parse_uint(ty, value)?;
            dev_key(i)?.verifying_key().to_bytes().to_vec()
        }
        "hex" => metron_rpc::hex_serde::decode(value).map_err(|e| anyhow!(e))?,
        "str" => value.as_bytes().to_vec(),
        other => bail!(
            "unknown argument type {other:?} (expected addr, dev, u128, u64, u32, u8, hex or str)"
        ),
    })
}

/// Parses a 32-byte address: `0x` + 64 hex digits, or a dev account index (see
/// [`dev_key`]).
///
/// # Errors
/// Malformed hex or wrong length.
pub fn parse_address(s: &str) -> anyhow::Result<[u8; 32]> {
    if !s.starts_with("0x") {
        if let Ok(i) = s.parse::<usize>() {
            return Ok(dev_key(i)?.verifying_key().to_bytes());
        }
    }
    metron_rpc::hex_serde::decode_fixed::<32>(s).map_err(|e| anyhow!("invalid address {s:?}: {e}"))
}

/// Dev key `i` of the node's dev accounts: derived from the mnemonic in `METRON_MNEMONIC`
/// ([`dev::MNEMONIC_ENV`]) when that is set, for a node started with `--mnemonic`; else
/// the well-known key `i`. Indices go up to [`dev::MAX_DEV_ACCOUNTS`] (a node's
/// `--accounts`); an index the node did not fund signs for an account with no balance.
///
/// # Errors
/// An invalid mnemonic in the variable, an index from [`dev::MAX_DEV_ACCOUNTS`] on.
fn dev_key(i: usize) -> anyhow::Result<SigningKey> {
    let source = dev::DevKeySource::from_env().context(dev::MNEMONIC_ENV)?;
    dev_key_of(&source, i)
}

fn dev_key_of(source: &dev::DevKeySource, i: usize) -> anyhow::Result<SigningKey> {
    source.key(i).ok_or_else(|| {
        anyhow!(
            "dev account index {i} out of range (0..{})",
            dev::MAX_DEV_ACCOUNTS
        )
    })
}

/// Parses `--from`: a dev account index (see [`dev_key`]) or a `0x` 32-byte ed25519
/// secret key.
///
/// # Errors
/// Index out of range, malformed key.
pub fn parse_signer(s: &str) -> anyhow::Result<SigningKey> {
    if let Ok(i) = s.parse::<usize>() {
        return dev_key(i);
    }
    let secret = metron_rpc::hex_serde::decode_fixed::<32>(s)
        .map_err(|e| anyhow!("--from must be a dev account index or a 0x secret key: {e}"))?;
    Ok(SigningKey::from_bytes(&secret))
}

/// How to print return data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Decode {
    /// Raw `0x` hex (default).
    Hex,
    /// Unsigned 128-bit little-endian integer.
    U128,
    /// Unsigned 64-bit little-endian integer.
    U64,
    /// Unsigned 32-bit little-endian integer.
    U32,
    /// 32-byte address.
    Addr,
    /// UTF-8 text.
    Utf8,
}

/// Decodes return data for display.
///
/// # Errors
/// The data does not have the decoder's size (or is not UTF-8).
pub fn decode(data: &[u8], how: Decode) -> anyhow::Result<String> {
    fn fixed<const N: usize>(data: &[u8], name: &str) -> anyhow::Result<[u8; N]> {
        data.try_into()
            .map_err(|_| anyhow!("cannot decode {} bytes as {name} ({N} bytes)", data.len()))
    }
    Ok(match how {
        Decode::Hex => metron_rpc::hex_serde::encode(data),
        Decode::U128 => u128::from_le_bytes(fixed(data, "u128")?).to_string(),
        Decode::U64 => u64::from_le_bytes(fixed(data, "u64")?).to_string(),
        Decode::U32 => u32::from_le_bytes(fixed(data, "u32")?).to_string(),
        Decode::Addr => metron_rpc::hex_serde::encode(&fixed::<32>(data, "address")?),
        Decode::Utf8 => String::from_utf8(data.to_vec()).context("return data is not UTF-8")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_args_encode_le() {
        assert_eq!(parse_typed_arg("u32:1").unwrap(), vec![1, 0, 0, 0]);
        assert_eq!(
            parse_typed_arg("u64:0x0102").unwrap(),
            vec![2, 1, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(parse_typed_arg("u128:1_000").unwrap().len(), 16);
        assert_eq!(parse_typed_arg("hex:0xabcd").unwrap(), vec![0xab, 0xcd]);
        let a = format!("addr:0x{}", "11".repeat(32));
        assert_eq!(parse_typed_arg(&a).unwrap(), vec![0x11; 32]);
        assert!(parse_typed_arg("addr:0x11").is_err());
        assert!(parse_typed_arg("u32:4294967296").is_err());
        assert!(parse_typed_arg("i32:1").is_err());
        assert!(parse_typed_arg("nocolon").is_err());
    }

    #[test]
    fn input_specs() {
        assert_eq!(parse_input("0x0102").unwrap(), vec![1, 2]);
        assert_eq!(parse_input("u32:1,u32:2").unwrap().len(), 8);
        assert_eq!(parse_input("").unwrap(), Vec::<u8>::new());
        let args = InputArgs {
            input: Some("0x01".into()),
            args: vec!["u32:2".into()],
        };
        assert_eq!(args.encode().unwrap(), vec![1, 2, 0, 0, 0]);
    }

    #[test]
    fn signers() {
        let k0 = parse_signer("0").unwrap();
        assert_eq!(k0.to_bytes(), dev::dev_keys(1)[0].to_bytes());
        let hex = metron_rpc::hex_serde::encode(&k0.to_bytes());
        assert_eq!(parse_signer(&hex).unwrap().to_bytes(), k0.to_bytes());
        assert!(parse_signer("10000").is_err());
        assert_eq!(
            parse_signer("12").unwrap().to_bytes(),
            dev::dev_keys(13)[12].to_bytes()
        );
        let junk = dev::DevKeySource::mnemonic(
            "test test test test test test test test test test test junk",
        )
        .unwrap();
        assert_eq!(
            dev_key_of(&junk, 1).unwrap().to_bytes(),
            junk.keys(2)[1].to_bytes()
        );
        assert!(parse_signer("0x12").is_err());
    }

    #[test]
    fn decoders() {
        assert_eq!(decode(&5u128.to_le_bytes(), Decode::U128).unwrap(), "5");
        assert_eq!(decode(&7u64.to_le_bytes(), Decode::U64).unwrap(), "7");
        assert_eq!(decode(&[1, 2], Decode::Hex).unwrap(), "0x0102");
        assert!(decode(&[1, 2], Decode::U64).is_err());
    }
}
