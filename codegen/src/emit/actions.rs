//! Each action: its request's `Action` impl (name, service, version, signing, idempotency, rate
//! limit, response and error types, the pre-send check) and, at the crate root, its `Client`
//! method.

use super::{Model, doc_attrs};
use crate::Target;
use crate::ident::{field_name, ident, type_name};
use crate::spec::{Action, Element, FieldType, Member, Object};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(super) fn emit(model: &Model<'_>, name: &str, action: &Action) -> TokenStream {
    let runtime = model.runtime;
    let (action_trait, client, error) = (&runtime.action, &runtime.client, &runtime.error);
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

    let check = check(model, &model.spec.objects[&action.input]);
    let unsigned = if skip_sign { ", sent unsigned" } else { "" };
    let action_doc = format!(
        " `{name}` (`{service}` {version}{unsigned}): [`{}`] in, [`{}`] out.",
        action.input, action.output
    );
    // In a module of its own, the action is sent with `Client::call`: no method.
    let method = match model.target {
        Target::CrateRoot => quote! {
            impl #client {
                #method_doc
                #[doc = ""]
                #[doc = #facts_line]
                #[doc = #errors_line]
                #deprecated
                pub fn #method(
                    &self,
                    request: &#request,
                ) -> ::std::result::Result<#response, #error<#code_enum>> {
                    self.call(request)
                }
            }
        },
        Target::Module => quote! {},
    };
    quote! {
        #[doc = #action_doc]
        impl #action_trait for #request {
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
fn check(model: &Model<'_>, request: &Object) -> TokenStream {
    let invalid_parameter = &model.runtime.invalid_parameter;
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
                return ::std::result::Result::Err(#invalid_parameter {
                    parameter: #wire,
                    problem: "is empty",
                });
            }
        }
    });
    quote! {
        fn check(&self) -> ::std::result::Result<(), #invalid_parameter> {
            #(#checks)*
            ::std::result::Result::Ok(())
        }
    }
}
