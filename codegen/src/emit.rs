//! Emission: a validated [`Spec`] to Rust tokens.
//!
//! The generated code uses absolute paths (`::serde::`, `::std::`) and names the runtime it
//! plugs into as `crate::Action`, `crate::ErrorCode`, `crate::Client` and `crate::Error`, so it is
//! meant to be `include!`d at the root of the `tc-redis` crate.

use crate::Target;
use crate::docs::sanitize;
use crate::ident::{field_name, ident, type_name, variant_name};
use crate::reply::{Reply, Why};
use crate::spec::{Action, Element, ErrorCode, FieldType, Member, Object, Spec, Usage};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// How a struct is used, which decides optionality and the helpers it gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Request,
    Response,
    Data(Usage),
}

/// The whole generated module.
pub(crate) fn emit(spec: &Spec, target: Target) -> TokenStream {
    let mut items = Vec::new();
    for (name, action) in &spec.actions {
        items.push(emit_action(name, action, spec, target));
    }
    let markers = Markers::new(spec);
    for (name, object) in &spec.objects {
        let role = role_of(name, object, spec);
        items.push(emit_struct(name, object, role, &markers));
    }
    items.push(markers.emit());
    quote! { #(#items)* }
}

/// Whether objects of this role are read from replies (and so use `crate::correct`).
fn is_reply(role: Role) -> bool {
    matches!(
        role,
        Role::Response | Role::Data(Usage::Out) | Role::Data(Usage::Both)
    )
}

/// One marker type per member name read from replies (`member::TaskId`): the generated fields'
/// serde attributes name its `crate::correct::Member` helpers, which record the member's path.
struct Markers(BTreeMap<String, Ident>);

impl Markers {
    fn new(spec: &Spec) -> Markers {
        let mut by_wire: BTreeMap<String, Ident> = BTreeMap::new();
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        for (name, object) in &spec.objects {
            if !is_reply(role_of(name, object, spec)) {
                continue;
            }
            for m in &object.members {
                if m.reply == Reply::Strict || by_wire.contains_key(&m.name) {
                    continue;
                }
                // `Self` and `Self_` both escape to `Self_`: the second gets a number.
                let base = type_name(&m.name);
                let mut candidate = base.clone();
                let mut n = 2;
                while taken.contains_key(&candidate) {
                    candidate = format!("{base}{n}");
                    n += 1;
                }
                taken.insert(candidate.clone(), m.name.clone());
                by_wire.insert(m.name.clone(), ident(&candidate));
            }
        }
        Markers(by_wire)
    }

    fn get(&self, wire: &str) -> &Ident {
        &self.0[wire]
    }

    fn emit(&self) -> TokenStream {
        if self.0.is_empty() {
            return quote! {};
        }
        let markers = self.0.iter().map(|(wire, marker)| {
            quote! {
                pub(crate) struct #marker;

                impl crate::correct::Member for #marker {
                    const NAME: &'static str = #wire;
                }
            }
        });
        quote! {
            use crate::correct::Member as _;

            /// The member names read from replies, one marker type each (see `crate::correct`),
            /// spelt as the spec spells them.
            #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
            mod member {
                #(#markers)*
            }
        }
    }
}

fn role_of(name: &str, object: &Object, spec: &Spec) -> Role {
    match object.usage {
        Some(usage) => Role::Data(usage),
        None if spec.actions.values().any(|a| a.input == name) => Role::Request,
        None => Role::Response,
    }
}

fn doc_attrs(text: &str) -> TokenStream {
    let text = sanitize(text);
    let lines = text.lines().map(|l| {
        // A leading space, as `///` comments have.
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #[doc = #l] }
    });
    quote! { #(#lines)* }
}

fn emit_action(name: &str, action: &Action, spec: &Spec, target: Target) -> TokenStream {
    let request = ident(&type_name(&action.input));
    let response = ident(&type_name(&action.output));
    let code_enum = format_ident!("{}ErrorCode", name);
    let method = ident(&field_name(name));
    let idempotent = action.idempotent;
    let (service, version, skip_sign) = (&action.service, &action.version, action.skip_sign);
    let rate_limit = match action.rate_limit_per_second {
        Some(n) => {
            let n = proc_macro2::Literal::u32_unsuffixed(n);
            quote! { ::std::option::Option::Some(#n) }
        }
        None => quote! { ::std::option::Option::None },
    };

    let mut method_doc = String::new();
    if !action.title.is_empty() {
        method_doc.push_str(&action.title);
        method_doc.push_str("\n\n");
    }
    method_doc.push_str(&action.document);
    let method_doc = doc_attrs(&method_doc);
    let mut facts = format!("\nSends the `{name}` action.");
    if let Some(n) = action.rate_limit_per_second {
        facts.push_str(&format!(" Server rate limit: {n} requests per second."));
    }
    facts.push_str(if action.idempotent {
        " Idempotent: retried after any transient failure."
    } else {
        " Not idempotent: never sent twice once it may have reached the server."
    });
    let facts_line = format!(" {}", facts.trim());
    let errors_line = format!(" Error codes: [`{name}ErrorCode`].");
    let deprecated = match action.status.as_str() {
        "deprecated" | "offline" => {
            let note = format!("the official spec marks this action `{}`", action.status);
            quote! { #[deprecated(note = #note)] }
        }
        _ => quote! {},
    };

    let code_enum_tokens = emit_error_codes(name, &action.error_codes, &spec.common_error_codes);
    let check = emit_check(&spec.objects[&action.input]);
    let unsigned = if skip_sign { ", sent unsigned" } else { "" };
    let action_doc = format!(
        " `{name}` (`{service}` {version}{unsigned}): [`{}`] in, [`{}`] out.",
        action.input, action.output
    );
    // In a module of its own, the action is sent with `Client::call`: no method.
    let method = match target {
        Target::CrateRoot => quote! {
            impl crate::Client {
                #method_doc
                #[doc = ""]
                #[doc = #facts_line]
                #[doc = #errors_line]
                #deprecated
                pub fn #method(
                    &self,
                    request: &#request,
                ) -> ::std::result::Result<#response, crate::Error<#code_enum>> {
                    self.call(request)
                }
            }
        },
        Target::Module => quote! {},
    };
    quote! {
        #code_enum_tokens

        #[doc = #action_doc]
        impl crate::Action for #request {
            const NAME: &'static str = #name;
            const SERVICE: &'static str = #service;
            const VERSION: &'static str = #version;
            const SKIP_SIGN: bool = #skip_sign;
            const IDEMPOTENT: bool = #idempotent;
            const RATE_LIMIT_PER_SECOND: ::std::option::Option<u32> = #rate_limit;
            type Response = #response;
            type ErrorCode = #code_enum;
            #check
        }

        #method
    }
}

/// `Action::check` for a request whose required string members must not be empty (the API
/// answers `InvalidParameter.EmptyParam` or `MissingParameter`): the client refuses such a
/// request before sending it. Nothing when there is nothing to check.
fn emit_check(request: &Object) -> TokenStream {
    let required_strings: Vec<&Member> = request
        .members
        .iter()
        .filter(|m| m.required && m.ty == FieldType::One(Element::String))
        .collect();
    if required_strings.is_empty() {
        return quote! {};
    }
    let checks = required_strings.iter().map(|m| {
        let field = ident(&field_name(&m.name));
        let wire = &m.name;
        quote! {
            if self.#field.is_empty() {
                return ::std::result::Result::Err(crate::InvalidParameter {
                    parameter: #wire,
                    problem: "is empty",
                });
            }
        }
    });
    quote! {
        fn check(&self) -> ::std::result::Result<(), crate::InvalidParameter> {
            #(#checks)*
            ::std::result::Result::Ok(())
        }
    }
}

fn emit_error_codes(action: &str, documented: &[ErrorCode], common: &[ErrorCode]) -> TokenStream {
    let enum_name = format_ident!("{}ErrorCode", action);
    // Documented codes first, then common codes the action does not document itself; a code
    // listed twice is one variant (its first description wins).
    let mut codes: Vec<&ErrorCode> = Vec::new();
    for c in documented.iter().chain(common) {
        if !codes.iter().any(|d| d.code == c.code) {
            codes.push(c);
        }
    }
    let variants: Vec<_> = codes
        .iter()
        .map(|c| format_ident!("{}", variant_name(&c.code)))
        .collect();
    let strs: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
    let descriptions: Vec<&str> = codes.iter().map(|c| c.description.as_str()).collect();
    let variant_docs = codes
        .iter()
        .map(|c| doc_attrs(&format!("`{}`: {}", c.code, c.description)));
    let enum_doc = format!(
        " The error codes `{action}` can return: its documented codes, then the common codes of the API."
    );
    quote! {
        #[doc = #enum_doc]
        #[doc = ""]
        #[doc = " Match on the code, not on the message: Tencent changes message wording and language."]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #enum_name {
            #(
                #variant_docs
                #variants,
            )*
            /// A code this crate's spec does not list for this action, kept verbatim.
            ///
            /// Parsing never puts a listed code here, so build codes with `from_str` (or
            /// compare `as_str()`): `Other("AuthFailure".into())` is not `AuthFailure`.
            Other(::std::string::String),
        }

        impl #enum_name {
            /// The code as the server sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #strs, )*
                    Self::Other(code) => code,
                }
            }

            /// The spec's description of the code, `None` for [`Self::Other`].
            pub fn description(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #( Self::#variants => ::std::option::Option::Some(#descriptions), )*
                    Self::Other(_) => ::std::option::Option::None,
                }
            }
        }

        impl ::std::str::FromStr for #enum_name {
            type Err = ::std::convert::Infallible;

            fn from_str(code: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(match code {
                    #( #strs => Self::#variants, )*
                    other => Self::Other(::std::string::String::from(other)),
                })
            }
        }

        impl ::std::fmt::Display for #enum_name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl crate::ErrorCode for #enum_name {
            fn from_code(code: &str) -> Self {
                match code.parse() {
                    ::std::result::Result::Ok(parsed) => parsed,
                    ::std::result::Result::Err(never) => match never {},
                }
            }

            fn as_str(&self) -> &str {
                #enum_name::as_str(self)
            }

            fn description(&self) -> ::std::option::Option<&'static str> {
                #enum_name::description(self)
            }
        }
    }
}

/// Whether a member is a plain value (true) or an `Option` (false). In replies the model
/// decides (`crate::reply`): only `RequestId` and members read as their zero value when absent
/// are plain.
fn is_plain(member: &Member, role: Role) -> bool {
    let read_plain = matches!(member.reply, Reply::Strict | Reply::ZeroIfAbsent);
    match role {
        Role::Request | Role::Data(Usage::In) => member.required,
        Role::Response | Role::Data(Usage::Out) => read_plain,
        Role::Data(Usage::Both) => member.required && read_plain,
    }
}

fn rust_type(ty: &FieldType) -> TokenStream {
    let element = match ty.element() {
        Element::String => quote! { ::std::string::String },
        Element::Int64 => quote! { i64 },
        Element::Uint64 => quote! { u64 },
        Element::Float => quote! { f64 },
        Element::Bool => quote! { bool },
        Element::Object(name) => {
            let name = ident(&type_name(name));
            quote! { #name }
        }
    };
    match ty {
        FieldType::One(_) => element,
        FieldType::List(_) => quote! { ::std::vec::Vec<#element> },
    }
}

fn member_doc(member: &Member, plain: bool, role: Role) -> TokenStream {
    let mut text = member.document.trim().to_owned();
    if text.is_empty() {
        text = format!("`{}`.", member.name);
    }
    let mut facts = Vec::new();
    if role == Role::Request {
        facts.push(if plain { "Required." } else { "Optional." }.to_owned());
    }
    if member.value_allowed_null {
        facts.push("May be null.".to_owned());
    }
    if member.disabled {
        facts.push("Hidden in the official spec (deprecated or reserved).".to_owned());
    }
    if is_reply(role) && !plain {
        match member.reply {
            Reply::Optional(Why::Identifier) => facts
                .push("`None` if the reply lacks it: an identifier is never filled in.".to_owned()),
            Reply::Optional(Why::Deprecated) => facts.push(
                "`None` if the reply lacks it: documented as deprecated or unused.".to_owned(),
            ),
            _ => {}
        }
    }
    if let Some(example) = member.example.as_deref().map(str::trim) {
        let usable = !example.is_empty()
            && example != "无"
            && example.len() <= 80
            && !example.contains(['`', '\n', '\r']);
        if usable {
            facts.push(format!("Example: `{example}`."));
        }
    }
    let mut doc = doc_attrs(&text);
    if !facts.is_empty() {
        let line = format!(" {}", facts.join(" "));
        doc.extend(quote! { #[doc = ""] #[doc = #line] });
    }
    doc
}

fn emit_struct(name: &str, object: &Object, role: Role, markers: &Markers) -> TokenStream {
    let ty = ident(&type_name(name));
    let doc = doc_attrs(if object.document.trim().is_empty() {
        name
    } else {
        &object.document
    });
    let fields = object.members.iter().map(|m| {
        let plain = is_plain(m, role);
        let field = ident(&field_name(&m.name));
        let wire = &m.name;
        let inner = rust_type(&m.ty);
        let doc = member_doc(m, plain, role);
        // Replies are read with client error correction (`crate::correct`).
        let read = match (is_reply(role), plain, m.reply) {
            (false, ..) | (true, true, Reply::Strict) => quote! {},
            (true, true, _) => {
                let marker = markers.get(&m.name);
                let missing = format!("member::{marker}::missing");
                let present = format!("member::{marker}::zero_if_null");
                quote! { #[serde(default = #missing, deserialize_with = #present)] }
            }
            (true, false, _) => {
                let optional = format!("member::{}::optional", markers.get(&m.name));
                quote! { #[serde(default, deserialize_with = #optional)] }
            }
        };
        if plain {
            quote! {
                #doc
                #[serde(rename = #wire)]
                #read
                pub #field: #inner,
            }
        } else {
            quote! {
                #doc
                #[serde(rename = #wire)]
                #read
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub #field: ::std::option::Option<#inner>,
            }
        }
    });
    // A response keeps what the client corrected in it; serde fills the field last.
    let corrections_field = match role {
        Role::Response => quote! {
            #[serde(skip, default = "crate::correct::take")]
            corrections: crate::Corrections,
        },
        _ => quote! {},
    };
    let required: Vec<&Member> = object
        .members
        .iter()
        .filter(|m| role == Role::Request && is_plain(m, role))
        .collect();
    // Requests with required members are built with `new`; everything else has a `Default`.
    let default = if required.is_empty() {
        quote! { Default, }
    } else {
        quote! {}
    };
    let non_exhaustive = match role {
        Role::Request | Role::Response => quote! { #[non_exhaustive] },
        Role::Data(_) => quote! {},
    };
    let helpers = match role {
        Role::Request => emit_request_helpers(&ty, object, &required),
        Role::Response => quote! {
            impl #ty {
                /// What the client corrected when it read this reply: members the spec says are
                /// always returned that were missing or `null` (read as their zero value), and
                /// integers sent as strings. Empty when the reply matched the spec.
                pub fn corrections(&self) -> &crate::Corrections {
                    &self.corrections
                }
            }
        },
        // Every data structure, even one the spec marks request-only: a reply member may still
        // name it, and it is then read like the others.
        Role::Data(_) => quote! {
            impl crate::correct::Structure for #ty {}
        },
    };
    // A struct with a secret gets a `Debug` that redacts it; the others derive it.
    let (derive_debug, debug_impl) = match object.members.iter().any(|m| m.sensitive) {
        false => (quote! { Debug, }, quote! {}),
        true => (quote! {}, emit_redacting_debug(&ty, name, object, role)),
    };
    quote! {
        #doc
        #[derive(#derive_debug Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #non_exhaustive
        pub struct #ty {
            #(#fields)*
            #corrections_field
        }

        #debug_impl

        #helpers
    }
}

/// `Debug` that prints `<redacted>` for each sensitive member (for an `Option`, `None` stays
/// visible).
fn emit_redacting_debug(
    ty: &proc_macro2::Ident,
    name: &str,
    object: &Object,
    role: Role,
) -> TokenStream {
    let fields = object.members.iter().map(|m| {
        let field = ident(&field_name(&m.name));
        let label = field_name(&m.name).trim_start_matches("r#").to_owned();
        let value = match (m.sensitive, is_plain(m, role)) {
            (false, _) => quote! { &self.#field },
            (true, true) => quote! { &"<redacted>" },
            (true, false) => quote! { &self.#field.as_ref().map(|_| "<redacted>") },
        };
        quote! { .field(#label, #value) }
    });
    quote! {
        impl ::std::fmt::Debug for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name) #(#fields)* .finish()
            }
        }
    }
}

/// `new` with the required members, `with_*` setters for the optional ones.
fn emit_request_helpers(
    ty: &proc_macro2::Ident,
    object: &Object,
    required: &[&Member],
) -> TokenStream {
    let arg = |m: &Member| {
        let field = ident(&field_name(&m.name));
        let inner = rust_type(&m.ty);
        (field, inner)
    };
    let params = required.iter().map(|m| {
        let (field, inner) = arg(m);
        quote! { #field: impl ::std::convert::Into<#inner> }
    });
    let inits = object.members.iter().map(|m| {
        let field = ident(&field_name(&m.name));
        if required.iter().any(|r| r.name == m.name) {
            quote! { #field: #field.into() }
        } else {
            quote! { #field: ::std::option::Option::None }
        }
    });
    let names: Vec<String> = required.iter().map(|m| format!("`{}`", m.name)).collect();
    let new_doc = if names.is_empty() {
        " A request with no parameters set.".to_owned()
    } else {
        format!(
            " A request with its required parameters: {}.",
            names.join(", ")
        )
    };
    let many_args = if required.len() > 7 {
        quote! { #[allow(clippy::too_many_arguments)] }
    } else {
        quote! {}
    };
    let setters = object
        .members
        .iter()
        .filter(|m| !required.iter().any(|r| r.name == m.name))
        .map(|m| {
            let (field, inner) = arg(m);
            let setter = format_ident!("with_{}", field_name(&m.name).trim_start_matches("r#"));
            let doc = format!(" Sets `{}`.", m.name);
            quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
                    self.#field = ::std::option::Option::Some(value.into());
                    self
                }
            }
        });
    quote! {
        impl #ty {
            #[doc = #new_doc]
            #many_args
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }

            #(#setters)*
        }
    }
}
