//! The wire forms: for every structure read from replies, a private struct that takes whatever
//! Tencent sends (each member may be missing or `null`, integers may be strings of digits) and a
//! generated `correct` that builds the typed structure from it, recording each correction with
//! its path — aws-sdk-rust's `*_correct_errors`, as data and code instead of a thread-local.

use super::structs::is_plain;
use super::{Model, Role};
use crate::ident::{field_name, ident, type_name};
use crate::reply::{Reply, classify};
use crate::spec::{Element, FieldType, Object};
use proc_macro2::TokenStream;
use quote::quote;

/// `mod wire { ... }`, with one wire struct and its `Wire` impl per structure read from replies.
pub(super) fn module(model: &Model<'_>) -> TokenStream {
    let structs: Vec<TokenStream> = model
        .spec
        .objects
        .iter()
        .filter(|(name, _)| model.is_read_from_replies(name))
        .map(|(name, object)| wire_struct(model, name, object))
        .collect();
    if structs.is_empty() {
        return quote! {};
    }
    quote! {
        /// The replies' wire forms (see `correct`): what was sent, before correction.
        mod wire {
            #(#structs)*
        }
    }
}

fn wire_struct(model: &Model<'_>, name: &str, object: &Object) -> TokenStream {
    let correct = &model.runtime.correct;
    let role = model.role(name, object);
    let ty = ident(&type_name(name));
    let mut fields = Vec::new();
    let mut values = Vec::new();
    for member in &object.members {
        let field = ident(&field_name(&member.name));
        let wire_name = &member.name;
        let sent = sent_type(correct, &member.ty);
        if classify(member, object) == Reply::Strict {
            // The envelope's `RequestId`: without it the reply is not Tencent's.
            fields.push(quote! {
                #[serde(rename = #wire_name)]
                #field: #sent,
            });
            values.push(quote! { #field: #correct::Wire::correct(self.#field, corrector) });
            continue;
        }
        fields.push(quote! {
            #[serde(rename = #wire_name, default)]
            #field: #correct::Field<#sent>,
        });
        values.push(if is_plain(member, object, role) {
            quote! { #field: corrector.required(#wire_name, self.#field) }
        } else {
            quote! { #field: corrector.optional(#wire_name, self.#field) }
        });
    }
    if role == Role::Response {
        values.push(quote! { corrections: ::std::default::Default::default() });
    }
    let corrector = if object.members.is_empty() {
        quote! { _ }
    } else {
        quote! { corrector }
    };
    quote! {
        #[derive(::serde::Deserialize)]
        pub(super) struct #ty {
            #(#fields)*
        }

        impl #correct::Wire for #ty {
            type Target = super::#ty;

            fn correct(self, #corrector: &mut #correct::Corrector) -> super::#ty {
                super::#ty {
                    #(#values,)*
                }
            }
        }
    }
}

/// A member's type as it may be sent.
fn sent_type(correct: &TokenStream, ty: &FieldType) -> TokenStream {
    let element = match ty.element() {
        Element::String => quote! { ::std::string::String },
        Element::Int64 => quote! { #correct::Int<i64> },
        Element::Uint64 => quote! { #correct::Int<u64> },
        Element::Float => quote! { f64 },
        Element::Bool => quote! { bool },
        Element::Object(name) => {
            let name = ident(&type_name(name));
            quote! { #correct::Object<#name> }
        }
    };
    match ty {
        FieldType::One(_) => element,
        FieldType::List(_) => quote! { ::std::vec::Vec<#element> },
    }
}
