//! The request, response and data structures: fields documented from the spec, requests built
//! with `new` and `with_*` setters, responses keeping what was corrected in them, a redacting
//! `Debug` where a member is a secret, and for every structure read from replies a
//! `Deserialize` that goes through its wire form (`super::wire`).

use super::{Model, Role, doc_attrs, rust_type};
use crate::docs::is_placeholder_example;
use crate::ident::{field_name, ident, type_name};
use crate::reply::{Reply, Why, classify};
use crate::spec::{Member, Object, Usage};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// Whether a member is a plain value (true) or an `Option` (false). In replies the model
/// decides (`crate::reply`): only `RequestId` and members read as their zero value when absent
/// are plain.
pub(super) fn is_plain(member: &Member, object: &Object, role: Role) -> bool {
    let read_plain = matches!(
        classify(member, object),
        Reply::Strict | Reply::ZeroIfAbsent
    );
    match role {
        Role::Request | Role::Data(Usage::In) => member.required,
        Role::Response | Role::Data(Usage::Out) => read_plain,
        Role::Data(Usage::Both) => member.required && read_plain,
    }
}

pub(super) fn emit(model: &Model<'_>, name: &str, object: &Object) -> TokenStream {
    let role = model.role(name, object);
    let from_replies = model.is_read_from_replies(name);
    let correct = &model.runtime.correct;
    let ty = ident(&type_name(name));
    let doc = doc_attrs(if object.document.trim().is_empty() {
        name
    } else {
        &object.document
    });
    let fields = object.members.iter().map(|m| {
        let plain = is_plain(m, object, role);
        let field = ident(&field_name(&m.name));
        let wire = &m.name;
        let inner = rust_type(&m.ty);
        let doc = member_doc(m, object, plain, role, from_replies);
        if plain {
            quote! {
                #doc
                #[serde(rename = #wire)]
                pub #field: #inner,
            }
        } else {
            quote! {
                #doc
                #[serde(rename = #wire)]
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub #field: ::std::option::Option<#inner>,
            }
        }
    });
    // A response keeps what was corrected in it (set by its `Deserialize`, returned by its
    // `corrections()`).
    let corrections_field = match role {
        Role::Response => quote! {
            #[serde(skip)]
            corrections: #correct::Corrections,
        },
        _ => quote! {},
    };
    // Read from replies: `Deserialize` through the wire form; everything else derives it.
    let read_from_wire = &model.runtime.read_from_wire_macro;
    let (derive_deserialize, deserialize_impl) = match (from_replies, role) {
        (false, _) => (quote! { ::serde::Deserialize, }, quote! {}),
        (true, Role::Response) => (
            quote! {},
            quote! { #read_from_wire!(#ty, keeping corrections); },
        ),
        (true, _) => (quote! {}, quote! { #read_from_wire!(#ty); }),
    };
    let non_exhaustive = match role {
        Role::Request | Role::Response => quote! { #[non_exhaustive] },
        Role::Data(_) => quote! {},
    };
    let helpers = match role {
        Role::Request => request_helpers(&ty, object),
        Role::Response | Role::Data(_) => quote! {},
    };
    // A struct with a secret gets a `Debug` that redacts it; the others derive it.
    let (derive_debug, debug_impl) = match object.members.iter().any(|m| m.sensitive) {
        false => (quote! { Debug, }, quote! {}),
        true => (quote! {}, redacting_debug(&ty, name, object, role)),
    };
    quote! {
        #doc
        #[derive(#derive_debug Clone, PartialEq, Default, ::serde::Serialize, #derive_deserialize)]
        #non_exhaustive
        pub struct #ty {
            #(#fields)*
            #corrections_field
        }

        #deserialize_impl

        #debug_impl

        #helpers
    }
}

/// A member's documentation: the spec's text, then the facts a caller needs (required or not,
/// why an `Option`, an example when the spec gives a real one).
fn member_doc(
    member: &Member,
    object: &Object,
    plain: bool,
    role: Role,
    from_replies: bool,
) -> TokenStream {
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
    if from_replies && !plain {
        match classify(member, object) {
            Reply::Optional(Why::Identifier) => facts
                .push("`None` if the reply lacks it: an identifier is never filled in.".to_owned()),
            Reply::Optional(Why::Deprecated) => facts.push(
                "`None` if the reply lacks it: documented as deprecated or unused.".to_owned(),
            ),
            _ => {}
        }
    }
    if let Some(example) = member.example.as_deref().map(str::trim) {
        let usable = !is_placeholder_example(example)
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

/// `Debug` that prints `<redacted>` for each sensitive member (for an `Option`, `None` stays
/// visible).
fn redacting_debug(ty: &Ident, name: &str, object: &Object, role: Role) -> TokenStream {
    let fields = object.members.iter().map(|m| {
        let field = ident(&field_name(&m.name));
        let label = field_name(&m.name).trim_start_matches("r#").to_owned();
        let value = match (m.sensitive, is_plain(m, object, role)) {
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

/// `new` with the required members (the others through `Default`), and a `with_*` setter,
/// documented as its member is, for each optional one.
fn request_helpers(ty: &Ident, object: &Object) -> TokenStream {
    let required: Vec<&Member> = object
        .members
        .iter()
        .filter(|m| is_plain(m, object, Role::Request))
        .collect();
    let fields: Vec<Ident> = required
        .iter()
        .map(|m| ident(&field_name(&m.name)))
        .collect();
    let types = required.iter().map(|m| rust_type(&m.ty));
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
    let body = if required.is_empty() {
        quote! { ::std::default::Default::default() }
    } else {
        quote! {
            Self {
                #( #fields: #fields.into(), )*
                ..::std::default::Default::default()
            }
        }
    };
    let setters = object
        .members
        .iter()
        .filter(|m| !is_plain(m, object, Role::Request))
        .map(|m| {
            let field = ident(&field_name(&m.name));
            let inner = rust_type(&m.ty);
            let setter = format_ident!("with_{}", field_name(&m.name).trim_start_matches("r#"));
            let doc = member_doc(m, object, false, Role::Request, false);
            quote! {
                #doc
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
            pub fn new(#( #fields: impl ::std::convert::Into<#types> ),*) -> Self {
                #body
            }

            #(#setters)*
        }
    }
}
