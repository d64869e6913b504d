//! Contract metadata (`<name>.metadata.json`, written by `metron build`): message
//! arguments encoded by name (from the command line, or from Rust through
//! [`crate::contract_client::ContractClient`]), and return data, revert data and
//! event data decoded to text, all directed by the metadata's scale-info `types`
//! registry (the shape is documented in `contracts/sdk/src/metadata.rs`).
//!
//! Argument values (`--<name> <value>` on the command line, `(name, value)` pairs in Rust):
//!
//! - integers: decimal or `0x` hex, `_` separators allowed (`1_000`); `bool`: `true`/`false`;
//!   `String`: the text as given;
//! - byte arrays and `Vec<u8>`: `0x` hex; a 32-byte array (an address) also takes
//!   `dev:N` (dev account N), `addr:0x…` or a bare dev index;
//! - `Option<T>`: `None` (or `null`), or the value of `T`;
//! - unit enum variants: the variant's name;
//! - anything else: JSON (`[1, 2]`, `{"a": 1}`, `{"Variant": …}`), whose strings are
//!   read with the rules above (so `["dev:1", "5"]` is an address and an integer).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::form::PortableForm;
use scale_info::{Field, PortableRegistry, Type, TypeDef, TypeDefPrimitive};
use serde::Deserialize;
use serde_json::Value as Json;

/// One message of the metadata (`messages[]`).
#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    /// Export name.
    pub name: String,
    /// `init`, `message` or `view`.
    pub kind: String,
    /// Whether the message accepts value.
    #[serde(default)]
    pub payable: bool,
    /// Arguments in order.
    pub args: Vec<Arg>,
    /// Type id of the return data (`None`: no return data).
    pub returns: Option<u32>,
    /// Type id of the revert data of a `Result` message.
    pub error: Option<u32>,
}

/// One argument of a message.
#[derive(Debug, Clone, Deserialize)]
pub struct Arg {
    /// Argument name (the `--<name>` flag).
    pub name: String,
    /// Type id in the registry.
    #[serde(rename = "type")]
    pub ty: u32,
}

/// One event type (`events[]`): its topic is its name, its data `SCALE(type)`.
#[derive(Debug, Clone, Deserialize)]
pub struct EventSpec {
    /// Event name, also the event's topic.
    pub name: String,
    /// Type id of the event data.
    #[serde(rename = "type")]
    pub ty: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContractInfo {
    name: String,
    #[serde(default)]
    code_hash: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Raw {
    contract: ContractInfo,
    messages: Vec<Message>,
    #[serde(default)]
    events: Vec<EventSpec>,
    types: PortableRegistry,
}

/// A loaded metadata file.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// Contract (package) name.
    pub name: String,
    /// `0x` keccak256 of the wasm the metadata was built with (empty if not filled in).
    pub code_hash: String,
    /// Messages in source order (`init` included).
    pub messages: Vec<Message>,
    /// Event types.
    pub events: Vec<EventSpec>,
    types: PortableRegistry,
}

/// Splits `--name value`, `--name=value` and `name=value` items into pairs.
///
/// # Errors
/// An item that is none of these, or a `--name` without a value.
pub fn parse_named_args(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut it = raw.iter();
    while let Some(item) = it.next() {
        if let Some(flag) = item.strip_prefix("--") {
            match flag.split_once('=') {
                Some((n, v)) => out.push((n.to_owned(), v.to_owned())),
                None => {
                    let v = it
                        .next()
                        .ok_or_else(|| anyhow!("argument --{flag} needs a value"))?;
                    out.push((flag.to_owned(), v.clone()));
                }
            }
        } else if let Some((n, v)) = item.split_once('=') {
            out.push((n.to_owned(), v.to_owned()));
        } else {
            bail!("unexpected argument {item:?}: contract arguments are `--<name> <value>` or `<name>=<value>`");
        }
    }
    Ok(out)
}

impl Metadata {
    /// Reads and parses a metadata JSON file.
    ///
    /// # Errors
    /// Unreadable file, or JSON that is not contract metadata.
    pub fn load(path: &Path) -> anyhow::Result<Metadata> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read metadata {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid metadata {}", path.display()))
    }

    /// Parses metadata JSON.
    ///
    /// # Errors
    /// JSON that is not contract metadata.
    pub fn parse(text: &str) -> anyhow::Result<Metadata> {
        let raw: Raw = serde_json::from_str(text)?;
        Ok(Metadata {
            name: raw.contract.name,
            code_hash: raw.contract.code_hash,
            messages: raw.messages,
            events: raw.events,
            types: raw.types,
        })
    }

    /// The message named `name`.
    ///
    /// # Errors
    /// No such message: the error lists the contract's messages with their arguments.
    pub fn message(&self, name: &str) -> anyhow::Result<&Message> {
        self.messages
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| {
                let list: Vec<String> = self
                    .messages
                    .iter()
                    .map(|m| format!("  {}", self.signature(m)))
                    .collect();
                anyhow!(
                    "contract {} has no message {name:?}; its messages:\n{}",
                    self.name,
                    list.join("\n")
                )
            })
    }

    /// `kind name --arg <type> … -> returns / error` for help and error texts.
    pub fn signature(&self, m: &Message) -> String {
        let mut s = format!("{} {}", m.kind, m.name);
        for a in &m.args {
            let _ = write!(s, " --{} <{}>", a.name, self.type_name(a.ty));
        }
        if let Some(r) = m.returns {
            let _ = write!(s, " -> {}", self.type_name(r));
        }
        if let Some(e) = m.error {
            let _ = write!(s, " (error {})", self.type_name(e));
        }
        s
    }

    /// Encodes the arguments of `m` from `(name, value)` pairs: `SCALE` of the argument
    /// tuple, in the message's order.
    ///
    /// # Errors
    /// A missing, repeated or unknown argument, or a value that does not fit its type;
    /// the error lists the message's arguments and types.
    pub fn encode_args(&self, m: &Message, pairs: &[(String, String)]) -> anyhow::Result<Vec<u8>> {
        let usage = || format!("usage: {}", self.signature(m));
        for (name, _) in pairs {
            if !m.args.iter().any(|a| &a.name == name) {
                bail!("{} has no argument --{name}; {}", m.name, usage());
            }
            if pairs.iter().filter(|(n, _)| n == name).count() > 1 {
                bail!("argument --{name} given twice");
            }
        }
        let mut out = Vec::new();
        for a in &m.args {
            let (_, value) = pairs
                .iter()
                .find(|(n, _)| n == &a.name)
                .ok_or_else(|| anyhow!("missing argument --{}; {}", a.name, usage()))?;
            self.encode_str(a.ty, value, &mut out).with_context(|| {
                format!(
                    "argument --{} ({}): invalid value {value:?}",
                    a.name,
                    self.type_name(a.ty)
                )
            })?;
        }
        Ok(out)
    }

    /// Decodes `data` as type `ty` to text; all of `data` must be used.
    ///
    /// # Errors
    /// Data that does not decode as the type, or trailing bytes.
    pub fn decode(&self, ty: u32, data: &[u8]) -> anyhow::Result<String> {
        let mut input = data;
        let mut out = String::new();
        self.decode_value(ty, &mut input, &mut out)?;
        if !input.is_empty() {
            bail!(
                "{} trailing bytes after {}",
                input.len(),
                self.type_name(ty)
            );
        }
        Ok(out)
    }

    /// Decodes event data by topic (the event's name): `None` if no event has that name.
    pub fn decode_event(&self, topic: &[u8], data: &[u8]) -> Option<anyhow::Result<String>> {
        let e = self.events.iter().find(|e| e.name.as_bytes() == topic)?;
        Some(self.decode(e.ty, data))
    }

    fn resolve(&self, id: u32) -> anyhow::Result<&Type<PortableForm>> {
        self.types
            .resolve(id)
            .ok_or_else(|| anyhow!("type id {id} is not in the metadata's registry"))
    }

    /// A readable name of type `id`: `u128`, `[u8; 32]`, `Vec<T>`, `Option<u64>`, `Error`.
    pub fn type_name(&self, id: u32) -> String {
        let Ok(ty) = self.resolve(id) else {
            return format!("#{id}");
        };
        match &ty.type_def {
            TypeDef::Primitive(p) => prim_name(p).to_owned(),
            TypeDef::Array(a) => format!("[{}; {}]", self.type_name(a.type_param.id), a.len),
            TypeDef::Sequence(s) => format!("Vec<{}>", self.type_name(s.type_param.id)),
            TypeDef::Compact(c) => format!("Compact<{}>", self.type_name(c.type_param.id)),
            TypeDef::Tuple(t) => {
                let parts: Vec<String> = t.fields.iter().map(|f| self.type_name(f.id)).collect();
                format!("({})", parts.join(", "))
            }
            TypeDef::BitSequence(_) => "BitVec".to_owned(),
            TypeDef::Composite(_) | TypeDef::Variant(_) => {
                let mut name = ty
                    .path
                    .segments
                    .last()
                    .cloned()
                    .unwrap_or_else(|| format!("#{id}"));
                let params: Vec<String> = ty
                    .type_params
                    .iter()
                    .filter_map(|p| p.ty.map(|t| self.type_name(t.id)))
                    .collect();
                if !params.is_empty() {
                    let _ = write!(name, "<{}>", params.join(", "));
                }
                name
            }
        }
    }

    fn is_u8(&self, id: u32) -> bool {
        matches!(
            self.resolve(id).map(|t| &t.type_def),
            Ok(TypeDef::Primitive(TypeDefPrimitive::U8))
        )
    }

    /// The `T` of `Option<T>`, if `ty` is an `Option`.
    fn option_inner(ty: &Type<PortableForm>) -> Option<u32> {
        let TypeDef::Variant(v) = &ty.type_def else {
            return None;
        };
        if ty.path.segments.last().map(String::as_str) != Some("Option") {
            return None;
        }
        let some = v.variants.iter().find(|v| v.name == "Some")?;
        match some.fields.as_slice() {
            [f] => Some(f.ty.id),
            _ => None,
        }
    }

    fn encode_str(&self, id: u32, s: &str, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let ty = self.resolve(id)?;
        let s_trim = s.trim();
        match &ty.type_def {
            TypeDef::Primitive(p) => return encode_prim(p, s, out),
            TypeDef::Compact(_) => {
                Compact(parse_uint::<u128>(s_trim)?).encode_to(out);
                return Ok(());
            }
            TypeDef::Array(a) if self.is_u8(a.type_param.id) => {
                let bytes = parse_bytes(s_trim, Some(a.len as usize))?;
                if bytes.len() != a.len as usize {
                    bail!("expected {} bytes, got {}", a.len, bytes.len());
                }
                out.extend(bytes);
                return Ok(());
            }
            TypeDef::Sequence(q) if self.is_u8(q.type_param.id) && !s_trim.starts_with('[') => {
                let bytes = parse_bytes(s_trim, None)?;
                Compact(bytes.len() as u32).encode_to(out);
                out.extend(bytes);
                return Ok(());
            }
            TypeDef::Composite(c) if c.fields.len() == 1 && !s_trim.starts_with('{') => {
                return self.encode_str(c.fields[0].ty.id, s, out);
            }
            TypeDef::Variant(v) => {
                if let Some(inner) = Self::option_inner(ty) {
                    if s_trim == "None" || s_trim == "null" {
                        out.push(0);
                    } else {
                        out.push(1);
                        self.encode_str(inner, s, out)?;
                    }
                    return Ok(());
                }
                if let Some(var) = v.variants.iter().find(|var| var.name == s_trim) {
                    if !var.fields.is_empty() {
                        bail!(
                            "variant {} has fields: give it as {{\"{}\": …}}",
                            var.name,
                            var.name
                        );
                    }
                    out.push(var.index);
                    return Ok(());
                }
            }
            _ => {}
        }
        let json: Json = serde_json::from_str(s_trim).map_err(|_| {
            anyhow!(
                "expected a value of type {} (JSON for composite types)",
                self.type_name(id)
            )
        })?;
        if json.is_string() || json.is_number() || json.is_boolean() {
            // A scalar that the rules above did not take: not this type.
            bail!("{s_trim} is not a value of type {}", self.type_name(id));
        }
        self.encode_json(id, &json, out)
    }

    fn encode_json(&self, id: u32, j: &Json, out: &mut Vec<u8>) -> anyhow::Result<()> {
        match j {
            Json::String(s) => return self.encode_str(id, s, out),
            Json::Number(n) => return self.encode_str(id, &n.to_string(), out),
            Json::Bool(b) => return self.encode_str(id, &b.to_string(), out),
            _ => {}
        }
        let ty = self.resolve(id)?;
        let mismatch = || anyhow!("cannot encode {j} as {}", self.type_name(id));
        match (&ty.type_def, j) {
            (TypeDef::Sequence(q), Json::Array(items)) => {
                Compact(items.len() as u32).encode_to(out);
                for item in items {
                    self.encode_json(q.type_param.id, item, out)?;
                }
            }
            (TypeDef::Array(a), Json::Array(items)) => {
                if items.len() != a.len as usize {
                    bail!("expected {} items, got {}", a.len, items.len());
                }
                for item in items {
                    self.encode_json(a.type_param.id, item, out)?;
                }
            }
            (TypeDef::Tuple(t), Json::Array(items)) => {
                if items.len() != t.fields.len() {
                    bail!("expected {} items, got {}", t.fields.len(), items.len());
                }
                for (f, item) in t.fields.iter().zip(items) {
                    self.encode_json(f.id, item, out)?;
                }
            }
            (TypeDef::Composite(c), _) => self.encode_fields(&c.fields, j, out)?,
            (TypeDef::Variant(_), Json::Null) if Self::option_inner(ty).is_some() => out.push(0),
            (TypeDef::Variant(v), Json::Object(map)) if map.len() == 1 => {
                let (name, inner) = map.iter().next().ok_or_else(mismatch)?;
                let Some(var) = v.variants.iter().find(|var| &var.name == name) else {
                    if let Some(inner_ty) = Self::option_inner(ty) {
                        out.push(1);
                        return self.encode_json(inner_ty, j, out);
                    }
                    let names: Vec<&str> = v.variants.iter().map(|v| v.name.as_str()).collect();
                    bail!("no variant {name:?} (variants: {})", names.join(", "));
                };
                out.push(var.index);
                self.encode_fields(&var.fields, inner, out)?;
            }
            (TypeDef::Variant(_), _) => match Self::option_inner(ty) {
                Some(inner) => {
                    out.push(1);
                    self.encode_json(inner, j, out)?;
                }
                None => return Err(mismatch()),
            },
            _ => return Err(mismatch()),
        }
        Ok(())
    }

    fn encode_fields(
        &self,
        fields: &[Field<PortableForm>],
        j: &Json,
        out: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        match (fields, j) {
            ([], Json::Null) => Ok(()),
            ([], Json::Array(a)) if a.is_empty() => Ok(()),
            ([f], _) if f.name.is_none() || !j.is_object() => self.encode_json(f.ty.id, j, out),
            (_, Json::Array(items)) => {
                if items.len() != fields.len() {
                    bail!("expected {} fields, got {}", fields.len(), items.len());
                }
                for (f, item) in fields.iter().zip(items) {
                    self.encode_json(f.ty.id, item, out)?;
                }
                Ok(())
            }
            (_, Json::Object(map)) => {
                for key in map.keys() {
                    if !fields.iter().any(|f| f.name.as_deref() == Some(key)) {
                        bail!("unknown field {key:?}");
                    }
                }
                for f in fields {
                    let name = f.name.as_deref().unwrap_or_default();
                    let v = map
                        .get(name)
                        .ok_or_else(|| anyhow!("missing field {name:?}"))?;
                    self.encode_json(f.ty.id, v, out)?;
                }
                Ok(())
            }
            _ => bail!("cannot encode {j} as {} field(s)", fields.len()),
        }
    }

    fn decode_value(&self, id: u32, input: &mut &[u8], out: &mut String) -> anyhow::Result<()> {
        let ty = self.resolve(id)?;
        match &ty.type_def {
            TypeDef::Primitive(p) => decode_prim(p, input, out)?,
            TypeDef::Compact(_) => {
                let n = Compact::<u128>::decode(input).map_err(|e| anyhow!("compact: {e}"))?;
                let _ = write!(out, "{}", n.0);
            }
            TypeDef::Array(a) if self.is_u8(a.type_param.id) => {
                let bytes = take(input, a.len as usize)?;
                out.push_str(&metron_rpc::hex_serde::encode(bytes));
            }
            TypeDef::Sequence(q) if self.is_u8(q.type_param.id) => {
                let len = decode_len(input)?;
                let bytes = take(input, len)?;
                out.push_str(&metron_rpc::hex_serde::encode(bytes));
            }
            TypeDef::Array(a) => {
                let ids = vec![a.type_param.id; a.len as usize];
                self.decode_list(&ids, input, out, '[', ']')?;
            }
            TypeDef::Sequence(q) => {
                let len = decode_len(input)?;
                if len > input.len() {
                    bail!("sequence of {len} items in {} bytes", input.len());
                }
                let ids = vec![q.type_param.id; len];
                self.decode_list(&ids, input, out, '[', ']')?;
            }
            TypeDef::Tuple(t) => {
                let ids: Vec<u32> = t.fields.iter().map(|f| f.id).collect();
                self.decode_list(&ids, input, out, '(', ')')?;
            }
            TypeDef::Composite(c) => {
                let name = ty.path.segments.last().map_or("", String::as_str);
                self.decode_fields(name, &c.fields, input, out)?;
            }
            TypeDef::Variant(v) => {
                let [index] = take(input, 1)? else {
                    unreachable!("one byte taken")
                };
                let var = v
                    .variants
                    .iter()
                    .find(|var| var.index == *index)
                    .ok_or_else(|| {
                        anyhow!("no variant with index {index} in {}", self.type_name(id))
                    })?;
                self.decode_fields(&var.name, &var.fields, input, out)?;
            }
            TypeDef::BitSequence(_) => bail!("bit sequences are not supported"),
        }
        Ok(())
    }

    fn decode_list(
        &self,
        ids: &[u32],
        input: &mut &[u8],
        out: &mut String,
        open: char,
        close: char,
    ) -> anyhow::Result<()> {
        out.push(open);
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.decode_value(*id, input, out)?;
        }
        out.push(close);
        Ok(())
    }

    fn decode_fields(
        &self,
        name: &str,
        fields: &[Field<PortableForm>],
        input: &mut &[u8],
        out: &mut String,
    ) -> anyhow::Result<()> {
        out.push_str(name);
        if fields.is_empty() {
            return Ok(());
        }
        let named = fields.iter().all(|f| f.name.is_some());
        out.push_str(if named { " { " } else { "(" });
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if let Some(n) = &f.name {
                let _ = write!(out, "{n}: ");
            }
            self.decode_value(f.ty.id, input, out)?;
        }
        out.push_str(if named { " }" } else { ")" });
        Ok(())
    }
}

fn prim_name(p: &TypeDefPrimitive) -> &'static str {
    match p {
        TypeDefPrimitive::Bool => "bool",
        TypeDefPrimitive::Char => "char",
        TypeDefPrimitive::Str => "String",
        TypeDefPrimitive::U8 => "u8",
        TypeDefPrimitive::U16 => "u16",
        TypeDefPrimitive::U32 => "u32",
        TypeDefPrimitive::U64 => "u64",
        TypeDefPrimitive::U128 => "u128",
        TypeDefPrimitive::U256 => "u256",
        TypeDefPrimitive::I8 => "i8",
        TypeDefPrimitive::I16 => "i16",
        TypeDefPrimitive::I32 => "i32",
        TypeDefPrimitive::I64 => "i64",
        TypeDefPrimitive::I128 => "i128",
        TypeDefPrimitive::I256 => "i256",
    }
}

fn parse_uint<T: TryFrom<u128>>(s: &str) -> anyhow::Result<T> {
    let v = s.trim().replace('_', "");
    let n = match v.strip_prefix("0x") {
        Some(h) => u128::from_str_radix(h, 16),
        None => v.parse::<u128>(),
    }
    .map_err(|_| anyhow!("not an unsigned integer"))?;
    T::try_from(n).map_err(|_| anyhow!("{n} is out of range"))
}

fn parse_int<T: TryFrom<i128>>(s: &str) -> anyhow::Result<T> {
    let v = s.trim().replace('_', "");
    let n = v.parse::<i128>().map_err(|_| anyhow!("not an integer"))?;
    T::try_from(n).map_err(|_| anyhow!("{n} is out of range"))
}

fn encode_prim(p: &TypeDefPrimitive, s: &str, out: &mut Vec<u8>) -> anyhow::Result<()> {
    match p {
        TypeDefPrimitive::Bool => match s.trim() {
            "true" => true.encode_to(out),
            "false" => false.encode_to(out),
            _ => bail!("expected true or false"),
        },
        TypeDefPrimitive::Char => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => u32::from(c).encode_to(out),
                _ => bail!("expected one character"),
            }
        }
        TypeDefPrimitive::Str => s.encode_to(out),
        TypeDefPrimitive::U8 => parse_uint::<u8>(s)?.encode_to(out),
        TypeDefPrimitive::U16 => parse_uint::<u16>(s)?.encode_to(out),
        TypeDefPrimitive::U32 => parse_uint::<u32>(s)?.encode_to(out),
        TypeDefPrimitive::U64 => parse_uint::<u64>(s)?.encode_to(out),
        TypeDefPrimitive::U128 => parse_uint::<u128>(s)?.encode_to(out),
        TypeDefPrimitive::U256 => {
            out.extend(parse_uint::<u128>(s)?.to_le_bytes());
            out.extend([0; 16]);
        }
        TypeDefPrimitive::I8 => parse_int::<i8>(s)?.encode_to(out),
        TypeDefPrimitive::I16 => parse_int::<i16>(s)?.encode_to(out),
        TypeDefPrimitive::I32 => parse_int::<i32>(s)?.encode_to(out),
        TypeDefPrimitive::I64 => parse_int::<i64>(s)?.encode_to(out),
        TypeDefPrimitive::I128 => parse_int::<i128>(s)?.encode_to(out),
        TypeDefPrimitive::I256 => {
            let n = parse_int::<i128>(s)?;
            out.extend(n.to_le_bytes());
            out.extend([if n < 0 { 0xff } else { 0 }; 16]);
        }
    }
    Ok(())
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> anyhow::Result<&'a [u8]> {
    if input.len() < n {
        bail!("data too short: need {n} more bytes, have {}", input.len());
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn decode_len(input: &mut &[u8]) -> anyhow::Result<usize> {
    let n = Compact::<u32>::decode(input).map_err(|e| anyhow!("length: {e}"))?;
    Ok(n.0 as usize)
}

fn decode_prim(p: &TypeDefPrimitive, input: &mut &[u8], out: &mut String) -> anyhow::Result<()> {
    fn d<T: Decode + std::fmt::Display>(input: &mut &[u8], out: &mut String) -> anyhow::Result<()> {
        let v = T::decode(input).map_err(|e| anyhow!("{e}"))?;
        let _ = write!(out, "{v}");
        Ok(())
    }
    match p {
        TypeDefPrimitive::Bool => d::<bool>(input, out)?,
        TypeDefPrimitive::Char => {
            let c = u32::decode(input).map_err(|e| anyhow!("{e}"))?;
            let c = char::from_u32(c).ok_or_else(|| anyhow!("invalid char {c:#x}"))?;
            let _ = write!(out, "{c:?}");
        }
        TypeDefPrimitive::Str => {
            let s = String::decode(input).map_err(|e| anyhow!("{e}"))?;
            let _ = write!(out, "{s:?}");
        }
        TypeDefPrimitive::U8 => d::<u8>(input, out)?,
        TypeDefPrimitive::U16 => d::<u16>(input, out)?,
        TypeDefPrimitive::U32 => d::<u32>(input, out)?,
        TypeDefPrimitive::U64 => d::<u64>(input, out)?,
        TypeDefPrimitive::U128 => d::<u128>(input, out)?,
        TypeDefPrimitive::I8 => d::<i8>(input, out)?,
        TypeDefPrimitive::I16 => d::<i16>(input, out)?,
        TypeDefPrimitive::I32 => d::<i32>(input, out)?,
        TypeDefPrimitive::I64 => d::<i64>(input, out)?,
        TypeDefPrimitive::I128 => d::<i128>(input, out)?,
        TypeDefPrimitive::U256 | TypeDefPrimitive::I256 => {
            let bytes = take(input, 32)?;
            let mut be = bytes.to_vec();
            be.reverse();
            out.push_str(&metron_rpc::hex_serde::encode(&be));
        }
    }
    Ok(())
}

/// The address of dev account `i` (`0..MAX_DEV_ACCOUNTS`): derived from the mnemonic in
/// `METRON_MNEMONIC` when that is set (a node started with `--mnemonic`), else the
/// well-known key `i` (as the CLI's `--from`).
fn dev_address(i: usize) -> anyhow::Result<[u8; 32]> {
    use crate::dev;
    dev::DevKeySource::from_env()
        .context(dev::MNEMONIC_ENV)?
        .key(i)
        .map(|k| k.verifying_key().to_bytes())
        .ok_or_else(|| {
            anyhow!(
                "dev account index {i} out of range (0..{})",
                dev::MAX_DEV_ACCOUNTS
            )
        })
}

/// A 32-byte address: `0x` + 64 hex digits, or a dev account index.
fn parse_address(s: &str) -> anyhow::Result<[u8; 32]> {
    if !s.starts_with("0x") {
        if let Ok(i) = s.parse::<usize>() {
            return dev_address(i);
        }
    }
    metron_rpc::hex_serde::decode_fixed::<32>(s).map_err(|e| anyhow!("invalid address {s:?}: {e}"))
}

/// Bytes from `0x` hex; a 32-byte value also from `dev:N`, `addr:0x…` or a dev index.
fn parse_bytes(s: &str, len: Option<usize>) -> anyhow::Result<Vec<u8>> {
    if len == Some(32) {
        if let Some(i) = s.strip_prefix("dev:") {
            let i: usize = parse_uint::<u64>(i)
                .map_err(|_| anyhow!("invalid dev value {i:?}"))?
                .try_into()
                .map_err(|_| anyhow!("dev account index {i} out of range"))?;
            return Ok(dev_address(i)?.to_vec());
        }
        if let Some(a) = s.strip_prefix("addr:") {
            return Ok(parse_address(a)?.to_vec());
        }
        if s.parse::<usize>().is_ok() {
            return Ok(parse_address(s)?.to_vec());
        }
    }
    if s.starts_with("0x") || s.starts_with("0X") {
        return metron_rpc::hex_serde::decode(s).map_err(|e| anyhow!(e));
    }
    match len {
        Some(32) => bail!("expected an address: 0x + 64 hex digits, dev:N or addr:0x…"),
        Some(n) => bail!("expected 0x + {} hex digits", n * 2),
        None => bail!("expected 0x hex bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Metadata {
        Metadata::parse(&metron_example_macro_token::__metron_contract_metadata()).unwrap()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn named_args_forms() {
        let raw: Vec<String> = ["--to", "dev:1", "--amount=5", "x=y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            parse_named_args(&raw).unwrap(),
            pairs(&[("to", "dev:1"), ("amount", "5"), ("x", "y")])
        );
        assert!(parse_named_args(&["--to".into()]).is_err());
        assert!(parse_named_args(&["bare".into()]).is_err());
    }

    #[test]
    fn encodes_token_args_by_name() {
        let m = token();
        let transfer = m.message("transfer").unwrap();
        let input = m
            .encode_args(transfer, &pairs(&[("amount", "250"), ("to", "dev:1")]))
            .unwrap();
        let dev1 = crate::dev::dev_keys(2)[1].verifying_key().to_bytes();
        assert_eq!(input, (dev1, 250u128).encode());
        let hex = metron_rpc::hex_serde::encode(&dev1);
        let again = m
            .encode_args(transfer, &pairs(&[("to", &hex), ("amount", "0xfa")]))
            .unwrap();
        assert_eq!(again, input);

        let err = format!(
            "{:#}",
            m.encode_args(transfer, &pairs(&[("to", "dev:1")]))
                .unwrap_err()
        );
        assert!(err.contains("missing argument --amount"), "{err}");
        assert!(err.contains("--to <[u8; 32]> --amount <u128>"), "{err}");
        let err = format!(
            "{:#}",
            m.encode_args(
                transfer,
                &pairs(&[("to", "dev:1"), ("amount", "1"), ("x", "1")])
            )
            .unwrap_err()
        );
        assert!(err.contains("no argument --x"), "{err}");
        let err = format!(
            "{:#}",
            m.encode_args(transfer, &pairs(&[("to", "0x12"), ("amount", "1")]))
                .unwrap_err()
        );
        assert!(err.contains("argument --to"), "{err}");
        let err = format!("{:#}", m.message("nope").unwrap_err());
        assert!(
            err.contains("view balance_of --owner <[u8; 32]> -> u128"),
            "{err}"
        );
    }

    #[test]
    fn decodes_results_errors_and_events() {
        let m = token();
        let bal = m.message("balance_of").unwrap();
        assert_eq!(
            m.decode(bal.returns.unwrap(), &250u128.encode()).unwrap(),
            "250"
        );
        let transfer = m.message("transfer").unwrap();
        assert_eq!(
            m.decode(transfer.error.unwrap(), &[0]).unwrap(),
            "InsufficientBalance"
        );
        assert!(m.decode(transfer.error.unwrap(), &[9]).is_err());
        assert!(m.decode(bal.returns.unwrap(), &[0; 17]).is_err());
        let data = ([1u8; 32], [2u8; 32], 7u128).encode();
        let text = m.decode_event(b"Transfer", &data).unwrap().unwrap();
        assert_eq!(
            text,
            format!(
                "Transfer {{ from: 0x{}, to: 0x{}, amount: 7 }}",
                "01".repeat(32),
                "02".repeat(32)
            )
        );
        assert!(m.decode_event(b"Nope", &data).is_none());
    }

    /// Composite, sequence, option and variant values from JSON, on a hand-made registry.
    #[test]
    fn encodes_json_values() {
        use scale_info::{meta_type, Registry, TypeInfo};
        #[derive(TypeInfo, Encode)]
        struct Point {
            x: u32,
            y: Option<u8>,
        }
        #[derive(TypeInfo, Encode)]
        enum Shape {
            Dot,
            Line(Point, Point),
        }
        let mut reg = Registry::new();
        let ids: Vec<u32> = [
            meta_type::<Point>(),
            meta_type::<Vec<u16>>(),
            meta_type::<Shape>(),
            meta_type::<Vec<u8>>(),
            meta_type::<String>(),
            meta_type::<(bool, i32)>(),
        ]
        .iter()
        .map(|t| reg.register_type(t).id)
        .collect();
        let types: PortableRegistry = reg.into();
        let m = Metadata {
            name: "t".into(),
            code_hash: String::new(),
            messages: vec![],
            events: vec![],
            types,
        };
        let enc = |id: u32, s: &str| {
            let mut out = Vec::new();
            m.encode_str(id, s, &mut out).map(|()| out)
        };
        let p = Point { x: 3, y: Some(4) };
        assert_eq!(enc(ids[0], r#"{"x": 3, "y": 4}"#).unwrap(), p.encode());
        assert_eq!(enc(ids[0], r#"[3, "4"]"#).unwrap(), p.encode());
        let none = Point { x: 3, y: None };
        assert_eq!(
            enc(ids[0], r#"{"x": 3, "y": null}"#).unwrap(),
            none.encode()
        );
        assert_eq!(
            m.decode(ids[0], &p.encode()).unwrap(),
            "Point { x: 3, y: Some(4) }"
        );
        assert_eq!(enc(ids[1], "[1, 2]").unwrap(), vec![1u16, 2].encode());
        assert_eq!(enc(ids[2], "Dot").unwrap(), Shape::Dot.encode());
        let line = Shape::Line(p, none);
        let text = r#"{"Line": [{"x": 3, "y": 4}, {"x": 3, "y": null}]}"#;
        assert_eq!(enc(ids[2], text).unwrap(), line.encode());
        assert_eq!(
            m.decode(ids[2], &line.encode()).unwrap(),
            "Line(Point { x: 3, y: Some(4) }, Point { x: 3, y: None })"
        );
        assert_eq!(enc(ids[3], "0x0102").unwrap(), vec![1u8, 2].encode());
        assert_eq!(enc(ids[4], "hi there").unwrap(), "hi there".encode());
        assert_eq!(m.decode(ids[4], &"hi".encode()).unwrap(), "\"hi\"");
        assert_eq!(enc(ids[5], "[true, -5]").unwrap(), (true, -5i32).encode());
        assert!(enc(ids[0], "7").is_err());
        assert!(enc(ids[2], "Circle").is_err());
    }
}
