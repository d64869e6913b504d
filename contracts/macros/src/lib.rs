//! Procedural macros of `metron-sdk`. Use them through the SDK (`metron_sdk::contract`,
//! `metron_sdk::event`, `metron_sdk::error`); the generated code names `::metron_sdk`.
//!
//! The ABI they generate is described in `docs/abi.md` ("The SDK's macros"): one wasm
//! export per message, named like the message; the input is the SCALE encoding of the
//! argument tuple; the return data is the SCALE encoding of the result; an `Err` reverts
//! with the SCALE encoding of the error.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    parse_macro_input, Attribute, FnArg, GenericArgument, ImplItem, ImplItemFn, Item, ItemImpl,
    ItemStruct, Pat, PathArguments, ReturnType, Type,
};

/// `#[contract]` on the state struct: every field is a storage primitive (`Lazy`,
/// `Mapping`, `StorageVec`) whose storage key prefix is the SCALE encoding of the
/// field's name. On the struct's `impl`: `#[init]`, `#[message]`, `#[view]` and
/// `#[payable]` methods become the contract's wasm exports; `#[contract(events(A, B))]`
/// lists the contract's event types for its metadata.
#[proc_macro_attribute]
pub fn contract(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as Item);
    let attr = TokenStream2::from(attr);
    let out = match item {
        Item::Struct(_) if !attr.is_empty() => Err(syn::Error::new(
            attr.span(),
            "#[contract] on the state struct takes no arguments",
        )),
        Item::Struct(s) => contract_state(s),
        Item::Impl(i) => parse_events(attr).and_then(|events| contract_impl(i, &events)),
        other => Err(syn::Error::new(
            other.span(),
            "#[contract] goes on the state struct and on its impl block",
        )),
    };
    out.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// The event types of `events(A, B, …)` (the impl's attribute argument), if any.
fn parse_events(attr: TokenStream2) -> syn::Result<Vec<syn::Path>> {
    if attr.is_empty() {
        return Ok(Vec::new());
    }
    let list: syn::MetaList = syn::parse2(attr)?;
    if !list.path.is_ident("events") {
        return Err(syn::Error::new(
            list.path.span(),
            "expected `events(EventType, …)`",
        ));
    }
    let paths = list.parse_args_with(
        syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
    )?;
    Ok(paths.into_iter().collect())
}

/// The storage key prefix of a field: SCALE(name) = compact length ++ UTF-8 bytes. The
/// length prefix makes the prefixes of two fields never a prefix of one another.
fn field_prefix(name: &str) -> Vec<u8> {
    let len = name.len();
    let mut out = Vec::with_capacity(len + 2);
    if len < 64 {
        out.push((len as u8) << 2);
    } else {
        // Two-byte compact mode (field names are shorter than 16384 bytes).
        let v = ((len as u16) << 2) | 0b01;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out
}

fn contract_state(s: ItemStruct) -> syn::Result<TokenStream2> {
    if !s.generics.params.is_empty() {
        return Err(syn::Error::new(
            s.generics.span(),
            "a contract's state struct cannot be generic",
        ));
    }
    let syn::Fields::Named(fields) = &s.fields else {
        return Err(syn::Error::new(
            s.span(),
            "a contract's state struct needs named fields (each a Lazy, Mapping or StorageVec)",
        ));
    };
    let name = &s.ident;
    let mut inits = Vec::new();
    let mut layout = Vec::new();
    for f in &fields.named {
        let ident = f.ident.as_ref().expect("named field");
        let ty = &f.ty;
        let field_name = ident.to_string();
        let prefix = syn::LitByteStr::new(&field_prefix(&field_name), ident.span());
        inits.push(quote_spanned! {ty.span()=>
            #ident: <#ty as ::metron_sdk::storage::StorageField>::at(#prefix)
        });
        layout.push(quote! {
            ::metron_sdk::storage::FieldLayout {
                name: #field_name,
                prefix: #prefix,
                kind: <#ty as ::metron_sdk::storage::StorageField>::KIND,
            }
        });
    }
    Ok(quote! {
        #s

        impl ::metron_sdk::storage::ContractState for #name {
            fn load() -> Self {
                #name { #(#inits),* }
            }
            const LAYOUT: &'static [::metron_sdk::storage::FieldLayout] = &[#(#layout),*];
        }
    })
}

/// What one annotated method is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Init,
    Message,
    View,
}

struct Method {
    kind: Kind,
    payable: bool,
    ident: syn::Ident,
    /// `&mut self` (true) or `&self` (false).
    mutable: bool,
    args: Vec<(syn::Ident, Type)>,
    output: Option<Type>,
    docs: Vec<String>,
}

/// Removes the SDK's marker attributes from `attrs` and returns (kind, payable).
fn take_markers(attrs: &mut Vec<Attribute>) -> syn::Result<(Option<(Kind, Span)>, bool)> {
    let mut kind = None;
    let mut payable = false;
    let mut err: Option<syn::Error> = None;
    attrs.retain(|a| {
        let p = a.path();
        let found = if p.is_ident("init") {
            Some(Kind::Init)
        } else if p.is_ident("message") {
            Some(Kind::Message)
        } else if p.is_ident("view") {
            Some(Kind::View)
        } else if p.is_ident("payable") {
            payable = true;
            return false;
        } else {
            None
        };
        match found {
            Some(k) => {
                if kind.is_some() {
                    let e = syn::Error::new(
                        a.span(),
                        "a method is one of #[init], #[message] or #[view]",
                    );
                    match &mut err {
                        Some(prev) => prev.combine(e),
                        None => err = Some(e),
                    }
                }
                kind = Some((k, a.span()));
                false
            }
            None => true,
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok((kind, payable)),
    }
}

fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn parse_method(f: &mut ImplItemFn) -> syn::Result<Option<Method>> {
    let (kind, payable) = take_markers(&mut f.attrs)?;
    let Some((kind, span)) = kind else {
        if payable {
            return Err(syn::Error::new(
                f.sig.span(),
                "#[payable] goes with #[init] or #[message]",
            ));
        }
        return Ok(None);
    };
    let sig = &f.sig;
    if !sig.generics.params.is_empty() || sig.asyncness.is_some() {
        return Err(syn::Error::new(
            sig.span(),
            "a contract method cannot be generic or async",
        ));
    }
    let mut inputs = sig.inputs.iter();
    let mutable = match inputs.next() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() => r.mutability.is_some(),
        _ => {
            return Err(syn::Error::new(
                sig.span(),
                "a contract method takes `&self` or `&mut self` first",
            ))
        }
    };
    match kind {
        Kind::View if mutable => {
            return Err(syn::Error::new(
                sig.span(),
                "a #[view] takes `&self`: it cannot write storage",
            ))
        }
        Kind::View if payable => {
            return Err(syn::Error::new(span, "a #[view] cannot be #[payable]"))
        }
        Kind::Init if !mutable => {
            return Err(syn::Error::new(
                sig.span(),
                "#[init] takes `&mut self`: it sets up the state",
            ))
        }
        _ => {}
    }
    let name = sig.ident.to_string();
    if kind != Kind::Init && name.starts_with("init") {
        return Err(syn::Error::new(
            sig.ident.span(),
            "names starting with `init` are reserved for the deploy-time #[init]",
        ));
    }
    let mut args = Vec::new();
    for input in inputs {
        let FnArg::Typed(pt) = input else {
            return Err(syn::Error::new(input.span(), "unexpected receiver"));
        };
        let Pat::Ident(pi) = &*pt.pat else {
            return Err(syn::Error::new(
                pt.pat.span(),
                "contract method arguments are plain names (`to: Address`)",
            ));
        };
        args.push((pi.ident.clone(), (*pt.ty).clone()));
    }
    let output = match &sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) if is_unit(ty) => None,
        ReturnType::Type(_, ty) => Some((**ty).clone()),
    };
    if kind == Kind::Init && output.as_ref().is_some_and(|t| result_types(t).is_none()) {
        return Err(syn::Error::new(
            sig.output.span(),
            "#[init] returns nothing or Result<(), Error>",
        ));
    }
    Ok(Some(Method {
        kind,
        payable,
        ident: sig.ident.clone(),
        mutable,
        args,
        output,
        docs: doc_lines(&f.attrs),
    }))
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// `Some((ok, err))` if `ty` is written `Result<ok, err>`.
fn result_types(ty: &Type) -> Option<(Type, Type)> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    });
    let ok = types.next()?;
    let err = types.next()?;
    Some((ok, err))
}

fn contract_impl(mut imp: ItemImpl, events: &[syn::Path]) -> syn::Result<TokenStream2> {
    if imp.trait_.is_some() || !imp.generics.params.is_empty() {
        return Err(syn::Error::new(
            imp.span(),
            "#[contract] goes on the state struct's own (non-trait, non-generic) impl",
        ));
    }
    let mut methods = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for item in &mut imp.items {
        if let ImplItem::Fn(f) = item {
            match parse_method(f) {
                Ok(Some(m)) => methods.push(m),
                Ok(None) => {}
                Err(e) => match &mut errors {
                    Some(prev) => prev.combine(e),
                    None => errors = Some(e),
                },
            }
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }
    let inits: Vec<&Method> = methods.iter().filter(|m| m.kind == Kind::Init).collect();
    if inits.len() > 1 {
        return Err(syn::Error::new(
            inits[1].ident.span(),
            "a contract has at most one #[init]",
        ));
    }
    // `#[init] fn new(&mut self, …)` is the natural name of a constructor that sets up
    // the state in place; clippy's rule for `new` returning `Self` does not apply.
    imp.attrs
        .push(syn::parse_quote!(#[allow(clippy::new_ret_no_self)]));
    let self_ty = &imp.self_ty;
    let exports: Vec<TokenStream2> = methods.iter().map(|m| export(self_ty, m)).collect();
    let arms: Vec<TokenStream2> = methods
        .iter()
        .map(|m| {
            let name = match m.kind {
                Kind::Init => "init".to_owned(),
                _ => m.ident.to_string(),
            };
            let f = format_ident!("__metron_export_{}", m.ident);
            quote! { #name => { #f(); true } }
        })
        .collect();
    let specs: Vec<TokenStream2> = methods.iter().map(message_spec).collect();
    let metadata = metadata_fn(self_ty, &methods, events);
    Ok(quote! {
        #imp

        impl ::metron_sdk::abi::ContractAbi for #self_ty {
            const MESSAGES: &'static [::metron_sdk::abi::MessageSpec] = &[#(#specs),*];
        }

        impl ::metron_sdk::abi::Dispatch for #self_ty {
            fn dispatch(message: &str) -> bool {
                match message {
                    #(#arms)*
                    _ => false,
                }
            }
        }

        #metadata

        #(#exports)*
    })
}

/// The wasm export of one method.
fn export(self_ty: &Type, m: &Method) -> TokenStream2 {
    let ident = &m.ident;
    let export_name = match m.kind {
        Kind::Init => "init".to_owned(),
        _ => ident.to_string(),
    };
    let fn_name = format_ident!("__metron_export_{}", ident);
    let names: Vec<&syn::Ident> = m.args.iter().map(|(n, _)| n).collect();
    let types: Vec<&Type> = m.args.iter().map(|(_, t)| t).collect();
    let decode = if m.args.is_empty() {
        quote! { ::metron_sdk::abi::no_input(); }
    } else {
        quote! {
            let mut __args = ::metron_sdk::abi::Args::new();
            #(let #names: #types = __args.arg();)*
            __args.finish();
        }
    };
    let payable = m.payable;
    let view = m.kind == Kind::View;
    let state = if m.mutable {
        quote! { let mut __state = <#self_ty as ::metron_sdk::storage::ContractState>::load(); }
    } else {
        quote! { let __state = <#self_ty as ::metron_sdk::storage::ContractState>::load(); }
    };
    let receiver = if m.mutable {
        quote! { &mut __state }
    } else {
        quote! { &__state }
    };
    let call = quote! { <#self_ty>::#ident(#receiver, #(#names),*) };
    let respond = match &m.output {
        None => quote! { #call; },
        Some(ty) => match result_types(ty) {
            Some((ok, _)) if is_unit(&ok) => quote! {
                if let ::core::result::Result::Err(e) = #call {
                    ::metron_sdk::abi::revert_with(&e);
                }
            },
            Some(_) => quote! {
                match #call {
                    ::core::result::Result::Ok(v) => ::metron_sdk::abi::respond(&v),
                    ::core::result::Result::Err(e) => ::metron_sdk::abi::revert_with(&e),
                }
            },
            None => quote! { ::metron_sdk::abi::respond(&#call); },
        },
    };
    let wasm_fn = format_ident!("__metron_wasm_export_{}", ident);
    quote! {
        /// The body of a generated export: decodes the input, runs the message and
        /// sets the return data (or reverts). Off wasm32, tests run it through
        /// `metron_sdk::abi::Dispatch` with the mock host.
        #[doc(hidden)]
        pub fn #fn_name() {
            ::metron_sdk::abi::enter(#payable, #view);
            #decode
            #state
            #respond
        }

        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        #[unsafe(export_name = #export_name)]
        pub extern "C" fn #wasm_fn() {
            #fn_name()
        }
    }
}

fn message_spec(m: &Method) -> TokenStream2 {
    let name = match m.kind {
        Kind::Init => "init".to_owned(),
        _ => m.ident.to_string(),
    };
    let kind = match m.kind {
        Kind::Init => quote! { ::metron_sdk::abi::MessageKind::Init },
        Kind::Message => quote! { ::metron_sdk::abi::MessageKind::Message },
        Kind::View => quote! { ::metron_sdk::abi::MessageKind::View },
    };
    let payable = m.payable;
    let mutates = m.mutable;
    let args: Vec<String> = m.args.iter().map(|(n, _)| n.to_string()).collect();
    let docs = m.docs.join("\n");
    quote! {
        ::metron_sdk::abi::MessageSpec {
            name: #name,
            kind: #kind,
            payable: #payable,
            mutates: #mutates,
            args: &[#(#args),*],
            docs: #docs,
        }
    }
}

/// On every target but wasm32: the contract's metadata (messages with their argument and
/// result types described by scale-info, storage layout, events and errors).
fn metadata_fn(self_ty: &Type, methods: &[Method], events: &[syn::Path]) -> TokenStream2 {
    let msgs: Vec<TokenStream2> = methods
        .iter()
        .map(|m| {
            let name = match m.kind {
                Kind::Init => "init".to_owned(),
                _ => m.ident.to_string(),
            };
            let args: Vec<TokenStream2> = m
                .args
                .iter()
                .map(|(n, t)| {
                    let n = n.to_string();
                    quote! { (#n, ::metron_sdk::metadata::meta_type::<#t>()) }
                })
                .collect();
            let (ret, err) = match &m.output {
                None => (quote! { ::core::option::Option::None }, quote! { ::core::option::Option::None }),
                Some(ty) => match result_types(ty) {
                    Some((ok, e)) => {
                        let ok = if is_unit(&ok) {
                            quote! { ::core::option::Option::None }
                        } else {
                            quote! { ::core::option::Option::Some(::metron_sdk::metadata::meta_type::<#ok>()) }
                        };
                        (ok, quote! { ::core::option::Option::Some(::metron_sdk::metadata::meta_type::<#e>()) })
                    }
                    None => (
                        quote! { ::core::option::Option::Some(::metron_sdk::metadata::meta_type::<#ty>()) },
                        quote! { ::core::option::Option::None },
                    ),
                },
            };
            quote! {
                ::metron_sdk::metadata::MessageTypes {
                    name: #name,
                    args: ::std::vec![#(#args),*],
                    returns: #ret,
                    error: #err,
                }
            }
        })
        .collect();
    quote! {
        /// The contract's metadata JSON (`metron build` calls this from a generated
        /// program that links the contract crate natively).
        #[cfg(not(target_arch = "wasm32"))]
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub fn __metron_contract_metadata() -> ::std::string::String {
            ::metron_sdk::metadata::generate::<#self_ty>(env!("CARGO_PKG_NAME")).to_string()
        }

        #[cfg(not(target_arch = "wasm32"))]
        impl ::metron_sdk::metadata::ContractTypes for #self_ty {
            fn message_types() -> ::std::vec::Vec<::metron_sdk::metadata::MessageTypes> {
                ::std::vec![#(#msgs),*]
            }
            fn event_types() -> ::std::vec::Vec<::metron_sdk::metadata::EventType> {
                ::std::vec![#(::metron_sdk::metadata::event::<#events>()),*]
            }
        }
    }
}

/// `#[event]` on a struct with named fields: derives the SCALE codec (and, off wasm32,
/// `scale_info::TypeInfo`) and implements `metron_sdk::Event`. `metron_sdk::emit(&e)`
/// emits it with the struct's name as the topic and the SCALE encoding of its fields as
/// the data. Fields marked `#[topic]` are listed as indexed in the metadata.
#[proc_macro_attribute]
pub fn event(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(Span::call_site(), "#[event] takes no arguments")
            .to_compile_error()
            .into();
    }
    let mut s = parse_macro_input!(item as ItemStruct);
    let mut topics = Vec::new();
    if let syn::Fields::Named(fields) = &mut s.fields {
        for f in &mut fields.named {
            let before = f.attrs.len();
            f.attrs.retain(|a| !a.path().is_ident("topic"));
            if f.attrs.len() != before {
                topics.push(f.ident.as_ref().expect("named").to_string());
            }
        }
    } else {
        return syn::Error::new(s.span(), "#[event] needs a struct with named fields")
            .to_compile_error()
            .into();
    }
    let name = &s.ident;
    let name_str = name.to_string();
    if name_str.len() > 64 {
        return syn::Error::new(
            name.span(),
            "an event's name is its topic: at most 64 bytes",
        )
        .to_compile_error()
        .into();
    }
    let derives = codec_derives();
    quote! {
        #derives
        #s

        impl ::metron_sdk::Event for #name {
            const NAME: &'static str = #name_str;
            const TOPICS: &'static [&'static str] = &[#(#topics),*];
        }
    }
    .into()
}

/// `#[error]` on an enum or struct: derives the SCALE codec (and, off wasm32,
/// `scale_info::TypeInfo`) so that a message can return `Result<T, ThisError>`: an `Err`
/// reverts the call with the error's SCALE encoding as the revert data.
#[proc_macro_attribute]
pub fn error(attr: TokenStream, item: TokenStream) -> TokenStream {
    codec_item("#[error]", attr, item)
}

/// `#[data]` on a struct or enum: derives the SCALE codec (and, off wasm32,
/// `scale_info::TypeInfo`) for a type used in arguments, results or storage values.
#[proc_macro_attribute]
pub fn data(attr: TokenStream, item: TokenStream) -> TokenStream {
    codec_item("#[data]", attr, item)
}

/// An enum or struct with the codec derives (`#[error]` and `#[data]`).
fn codec_item(what: &str, attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(Span::call_site(), format!("{what} takes no arguments"))
            .to_compile_error()
            .into();
    }
    let item = parse_macro_input!(item as Item);
    match item {
        Item::Enum(_) | Item::Struct(_) => {
            let derives = codec_derives();
            quote! { #derives #item }.into()
        }
        other => syn::Error::new(other.span(), format!("{what} goes on an enum or a struct"))
            .to_compile_error()
            .into(),
    }
}

/// The derives of every SCALE-encoded user type, with the crate paths pointing into the
/// SDK so that contracts need no direct dependency on the codec crates.
fn codec_derives() -> TokenStream2 {
    quote! {
        #[derive(::metron_sdk::scale::Encode, ::metron_sdk::scale::Decode)]
        #[codec(crate = ::metron_sdk::scale)]
        #[cfg_attr(not(target_arch = "wasm32"), derive(::metron_sdk::scale_info::TypeInfo))]
        #[cfg_attr(not(target_arch = "wasm32"), scale_info(crate = ::metron_sdk::scale_info))]
    }
}

#[cfg(test)]
mod tests {
    use super::field_prefix;

    #[test]
    fn field_prefixes_are_scale_strings() {
        assert_eq!(field_prefix("supply"), b"\x18supply");
        let long = "x".repeat(70);
        let p = field_prefix(&long);
        assert_eq!(&p[..2], &(((70u16) << 2) | 1).to_le_bytes());
        assert_eq!(p.len(), 72);
    }
}
