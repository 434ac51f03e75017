//! The error codes: one `CommonErrorCode` for the codes every action may return (the spec's
//! `common_error_codes`), emitted once at the crate root, and per action an `<Action>ErrorCode`
//! holding the action's own codes beside one variant that embeds the common ones.
//!
//! A code an action documents that is also a common code is the common variant: so that
//! `e.code == CommonErrorCode::InternalError` holds for every action that may return it, whether
//! its page lists the code or not. The action's enum documentation names such codes.

use super::{Model, doc_attrs};
use crate::ident::variant_name;
use crate::spec::{Action, ErrorCode};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

fn variant(code: &ErrorCode) -> Ident {
    format_ident!("{}", variant_name(&code.code))
}

/// `CommonErrorCode`: the common codes, at the crate root.
pub(super) fn common(model: &Model<'_>) -> TokenStream {
    let codes = &model.spec.common_error_codes;
    let variants: Vec<Ident> = codes.iter().map(variant).collect();
    let strs: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
    let descriptions: Vec<&str> = codes.iter().map(|c| c.description.as_str()).collect();
    let docs = codes
        .iter()
        .map(|c| doc_attrs(&format!("`{}`: {}", c.code, c.description)));
    quote! {
        /// The common error codes of the API (`AuthFailure.*`, `RequestLimitExceeded`, ...): any
        /// action may return them. Every `<Action>ErrorCode` holds them as its `Common` variant
        /// and compares equal to them, so one `match` or `==` serves every action:
        /// `e.code == CommonErrorCode::RequestLimitExceeded`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum CommonErrorCode {
            #( #docs #variants, )*
        }

        impl CommonErrorCode {
            /// The code as the server sends it.
            pub fn as_str(&self) -> &'static str {
                match self {
                    #( Self::#variants => #strs, )*
                }
            }

            /// The spec's description of the code.
            pub fn description(&self) -> &'static str {
                match self {
                    #( Self::#variants => #descriptions, )*
                }
            }

            /// The common code the server sent as `code`, if it is one.
            pub fn from_code(code: &str) -> ::std::option::Option<Self> {
                match code {
                    #( #strs => ::std::option::Option::Some(Self::#variants), )*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Display for CommonErrorCode {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// `<Action>ErrorCode`: the action's own codes, `Common(CommonErrorCode)` and `Other(String)`;
/// the data (variants, documentation, the `CODES` table) here, the mechanics in the runtime's
/// macro.
pub(super) fn of_action(model: &Model<'_>, name: &str, action: &Action) -> TokenStream {
    let common_enum = &model.runtime.common_error_code;
    let error_code_macro = &model.runtime.error_code_macro;
    let is_common = |c: &ErrorCode| {
        model
            .spec
            .common_error_codes
            .iter()
            .any(|k| k.code == c.code)
    };
    // The action's own codes, each once (its first description wins); documented common codes
    // are named in the enum's documentation instead.
    let mut own: Vec<&ErrorCode> = Vec::new();
    let mut documented_common: Vec<&str> = Vec::new();
    for c in &action.error_codes {
        if is_common(c) {
            if !documented_common.contains(&c.code.as_str()) {
                documented_common.push(&c.code);
            }
        } else if !own.iter().any(|d| d.code == c.code) {
            own.push(c);
        }
    }
    let enum_name = format_ident!("{}ErrorCode", name);
    let variants: Vec<Ident> = own.iter().map(|c| variant(c)).collect();
    let strs: Vec<&str> = own.iter().map(|c| c.code.as_str()).collect();
    let descriptions: Vec<&str> = own.iter().map(|c| c.description.as_str()).collect();
    let variant_docs = own
        .iter()
        .map(|c| doc_attrs(&format!("`{}`: {}", c.code, c.description)));
    let enum_doc = format!(
        " The error codes `{name}` can return: its own documented codes, the common codes of the \
         API (`Common`) and any other code (`Other`)."
    );
    let also = if documented_common.is_empty() {
        quote! {}
    } else {
        let listed: Vec<String> = documented_common.iter().map(|c| format!("`{c}`")).collect();
        let line = format!(
            " Its documentation also lists these common codes, read as `Common`: {}.",
            listed.join(", ")
        );
        quote! { #[doc = ""] #[doc = #line] }
    };
    quote! {
        #[doc = #enum_doc]
        #also
        #[doc = ""]
        #[doc = " Match on the code, not on the message: Tencent changes message wording and language."]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #enum_name {
            #( #variant_docs #variants, )*
            /// A common code of the API; `==` compares it with a common code directly.
            Common(#common_enum),
            /// A code this crate's spec does not list for this action, kept verbatim.
            ///
            /// Parsing never puts a listed code here, so build codes with `from_str` (or
            /// compare `as_str()`): `Other("AuthFailure".into())` is not `AuthFailure`.
            Other(::std::string::String),
        }

        impl #enum_name {
            /// The action's own codes: each variant, its code as the server sends it, and the
            /// spec's description.
            pub const CODES: &'static [(Self, &'static str, &'static str)] = &[
                #( (Self::#variants, #strs, #descriptions), )*
            ];
        }

        #error_code_macro!(#enum_name);
    }
}
