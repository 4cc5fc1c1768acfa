//! The record structs: one per source schema (decoded from CSV fields or, with serde, from
//! JSON) and one per statement output (encoded to CSV fields or JSON).

use proc_macro2::{Ident, Literal as Lit, TokenStream};
use quote::quote;

use super::ident;
use crate::ir::plan::{SourcePlan, StatementPlan};
use crate::ir::types::{MAX_PRECISION, SqlType};

fn column_list(names: &[String]) -> TokenStream {
    quote!(&[#(#names),*])
}

pub(super) fn source_struct(s: &SourcePlan) -> TokenStream {
    let name = ident(&s.struct_name);
    let doc = format!(" A row of source `{}` ({}).", s.name, s.schema.origin);
    let fields: Vec<Ident> = s.fields.iter().map(|f| ident(f)).collect();
    let tys = s.schema.columns.iter().map(|c| c.ty.rust());
    let attrs = s.schema.columns.iter().map(|c| {
        let rename = &c.name;
        match c.ty {
            SqlType::Double => {
                quote!(#[serde(default, rename = #rename, deserialize_with = "rt::json_double::deserialize")])
            }
            _ => quote!(#[serde(default, rename = #rename)]),
        }
    });
    let names: Vec<String> = s.schema.columns.iter().map(|c| c.name.clone()).collect();
    let columns = column_list(&names);
    let decodes = (0..fields.len()).map(Lit::usize_unsuffixed);
    let required = s.fields.iter().zip(&s.schema.columns).filter(|(_, c)| !c.nullable);
    let not_null = required.map(|(f, c)| {
        let (field, name) = (ident(f), &c.name);
        quote!(if self.#field.is_none() {
            return Err(rt::DecodeError::column(#name, "NULL in a NOT NULL column"));
        })
    });
    let digits = s.fields.iter().zip(&s.schema.columns).filter_map(|(f, c)| match c.ty {
        SqlType::Decimal(p, scale) if p < MAX_PRECISION => {
            let (field, name) = (ident(f), &c.name);
            let (p, scale) = (Lit::u32_unsuffixed(p), Lit::u32_unsuffixed(scale));
            Some(quote!(rt::check_digits::<#scale, #p>(&self.#field, #name)?;))
        }
        _ => None,
    });
    let checks: Vec<TokenStream> = not_null.chain(digits).collect();
    let validate = (!checks.is_empty()).then(|| {
        quote! {
            fn validate(&self) -> Result<(), rt::DecodeError> {
                #(#checks)*
                Ok(())
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default, PartialEq, rt::serde::Deserialize)]
        #[serde(crate = "rt::serde")]
        pub struct #name {
            #(#attrs pub #fields: Option<#tys>,)*
        }
        impl rt::SourceRow for #name {
            const COLUMNS: &'static [&'static str] = #columns;
            #validate
        }
        impl rt::FromCsv for #name {
            fn decode_csv(&mut self, f: &rt::CsvFields<'_>) -> Result<(), rt::DecodeError> {
                #(f.read(#decodes, &mut self.#fields)?;)*
                rt::SourceRow::validate(self)
            }
        }
    }
}

pub(super) fn output_struct(s: &StatementPlan) -> TokenStream {
    let name = ident(&s.struct_name);
    let doc = format!(" A row of `{}`.", s.name);
    let fields: Vec<Ident> = s.items.iter().map(|i| ident(&i.field)).collect();
    let tys = s.items.iter().map(|i| i.expr.ty().rust());
    let decimal_as_number = s.sink.as_ref().is_some_and(|k| k.decimal_as_number);
    let attrs = s.items.iter().map(|i| {
        let rename = &i.name;
        match i.expr.ty() {
            SqlType::Decimal(..) if decimal_as_number => {
                quote!(#[serde(rename = #rename, serialize_with = "rt::decimal_as_number")])
            }
            SqlType::Double => quote!(#[serde(rename = #rename, serialize_with = "rt::json_double::serialize")]),
            _ => quote!(#[serde(rename = #rename)]),
        }
    });
    let names: Vec<String> = s.items.iter().map(|i| i.name.clone()).collect();
    let columns = column_list(&names);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, rt::serde::Serialize)]
        #[serde(crate = "rt::serde")]
        pub struct #name {
            #(#attrs pub #fields: Option<#tys>,)*
        }
        impl rt::ToCsv for #name {
            const COLUMNS: &'static [&'static str] = #columns;
            fn encode_csv(&self, out: &mut rt::CsvOut<'_>) {
                #(out.field(&self.#fields);)*
            }
        }
    }
}
