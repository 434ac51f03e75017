//! Emission: a validated [`Spec`] to Rust tokens, one file per kind of item: the error codes
//! (`error_codes`), each action's `Action` impl and `Client` method (`actions`), the request,
//! response and data structures (`structs`), and the wire forms replies are read into and
//! corrected from (`wire`).
//!
//! The generated code uses absolute paths (`::serde::`, `::std::`) and names the runtime it plugs
//! into through one value, [`Runtime`], so that where the runtime lives is a setting, not a
//! search through the emitter.

mod actions;
mod error_codes;
mod structs;
mod wire;

use crate::Target;
use crate::docs::sanitize;
use crate::spec::{Element, FieldType, Object, Spec, Usage};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The runtime items the generated code names, by path: the one place that knows where the
/// runtime is (today, the root of the crate the code is `include!`d in).
pub(crate) struct Runtime {
    /// The trait every request implements (`crate::Action`).
    pub(crate) action: TokenStream,
    /// The common codes' enum, generated at the crate root (`crate::CommonErrorCode`).
    pub(crate) common_error_code: TokenStream,
    /// The client the per-action methods are added to (`crate::Client`).
    pub(crate) client: TokenStream,
    /// The error type of a call (`crate::Error`).
    pub(crate) error: TokenStream,
    /// A request parameter that cannot be valid (`crate::InvalidParameter`).
    pub(crate) invalid_parameter: TokenStream,
    /// The reply-correction module (`crate::correct`).
    pub(crate) correct: TokenStream,
    /// The macro that implements an error-code enum's methods and traits from its `CODES`.
    pub(crate) error_code_macro: TokenStream,
    /// The macro that implements `Deserialize` through a structure's wire form.
    pub(crate) read_from_wire_macro: TokenStream,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime {
            action: quote! { crate::Action },
            common_error_code: quote! { crate::CommonErrorCode },
            client: quote! { crate::Client },
            error: quote! { crate::Error },
            invalid_parameter: quote! { crate::InvalidParameter },
            correct: quote! { crate::correct },
            error_code_macro: quote! { crate::__error_code },
            read_from_wire_macro: quote! { crate::__read_from_wire },
        }
    }
}

/// How a struct is used, which decides optionality and the helpers it gets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Request,
    Response,
    Data(Usage),
}

/// The spec with what every emitter needs to know about it.
pub(crate) struct Model<'a> {
    pub(crate) spec: &'a Spec,
    pub(crate) runtime: &'a Runtime,
    pub(crate) target: Target,
    /// Objects read from replies: the responses and every structure they reach. Each has a wire
    /// form and is corrected as it is read.
    pub(crate) read_from_replies: BTreeSet<&'a str>,
}

impl<'a> Model<'a> {
    fn new(spec: &'a Spec, target: Target, runtime: &'a Runtime) -> Model<'a> {
        let mut read_from_replies = BTreeSet::new();
        let mut todo: Vec<&str> = spec.actions.values().map(|a| a.output.as_str()).collect();
        while let Some(name) = todo.pop() {
            if !read_from_replies.insert(name) {
                continue;
            }
            for member in &spec.objects[name].members {
                if let Element::Object(target) = member.ty.element() {
                    todo.push(target);
                }
            }
        }
        Model {
            spec,
            runtime,
            target,
            read_from_replies,
        }
    }

    pub(crate) fn role(&self, name: &str, object: &Object) -> Role {
        match object.usage {
            Some(usage) => Role::Data(usage),
            None if self.spec.actions.values().any(|a| a.input == name) => Role::Request,
            None => Role::Response,
        }
    }

    pub(crate) fn is_read_from_replies(&self, name: &str) -> bool {
        self.read_from_replies.contains(name)
    }
}

/// The whole generated file.
pub(crate) fn emit(spec: &Spec, target: Target, runtime: &Runtime) -> TokenStream {
    let model = Model::new(spec, target, runtime);
    let mut items = Vec::new();
    if target == Target::CrateRoot {
        items.push(error_codes::common(&model));
    }
    for (name, action) in &spec.actions {
        items.push(error_codes::of_action(&model, name, action));
        items.push(actions::emit(&model, name, action));
    }
    for (name, object) in &spec.objects {
        items.push(structs::emit(&model, name, object));
    }
    items.push(wire::module(&model));
    quote! { #(#items)* }
}

/// `#[doc]` attributes for spec text (sanitised: the spec is untrusted input).
pub(crate) fn doc_attrs(text: &str) -> TokenStream {
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

/// The Rust type of a member's value (without the `Option` of an optional member).
pub(crate) fn rust_type(ty: &FieldType) -> TokenStream {
    let element = match ty.element() {
        Element::String => quote! { ::std::string::String },
        Element::Int64 => quote! { i64 },
        Element::Uint64 => quote! { u64 },
        Element::Float => quote! { f64 },
        Element::Bool => quote! { bool },
        Element::Object(name) => {
            let name = crate::ident::ident(&crate::ident::type_name(name));
            quote! { #name }
        }
    };
    match ty {
        FieldType::One(_) => element,
        FieldType::List(_) => quote! { ::std::vec::Vec<#element> },
    }
}
