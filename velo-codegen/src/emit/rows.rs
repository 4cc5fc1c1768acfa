//! The record structs: one per source schema (decoded from CSV fields or, with serde, from
//! JSON) and one per statement output (encoded to CSV fields or JSON).

use proc_macro2::{Ident, Literal as Lit, TokenStream};
use quote::quote;

use super::ident;
use crate::ir::plan::{SourcePlan, StatementPlan};
use crate::ir::types::SqlType;

fn column_list(names: &[String]) -> TokenStream {
    quote!(&[#(#names),*])
}

pub(super) fn source_struct(s: &SourcePlan) -> TokenStream {
    let name = ident(&s.struct_name);
    let doc = format!(" A row of source `{}` ({}).", s.name, s.schema.origin);
    let fields: Vec<Ident> = s.fields.iter().map(|f| ident(f)).collect();
    let tys = s.schema.columns.iter().map(|c| c.ty.rust());
    let renames = s.schema.columns.iter().map(|c| &c.name);
    let names: Vec<String> = s.schema.columns.iter().map(|c| c.name.clone()).collect();
    let columns = column_list(&names);
    let decodes = s.schema.columns.iter().zip(&fields).enumerate().map(|(i, (c, field))| {
        let read = if c.nullable { quote!(read) } else { quote!(read_not_null) };
        let i = Lit::usize_unsuffixed(i);
        quote!(f.#read(#i, &mut self.#field)?;)
    });
    let required: Vec<(&String, &crate::schema::Column)> =
        s.fields.iter().zip(&s.schema.columns).filter(|(_, c)| !c.nullable).collect();
    let validate = (!required.is_empty()).then(|| {
        let fields = required.iter().map(|(f, _)| ident(f));
        let names = required.iter().map(|(_, c)| &c.name);
        quote! {
            fn validate(&self) -> Result<(), rt::DecodeError> {
                #(if self.#fields.is_none() {
                    return Err(rt::DecodeError::column(#names, "NULL in a NOT NULL column"));
                })*
                Ok(())
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default, PartialEq, rt::serde::Deserialize)]
        #[serde(crate = "rt::serde")]
        pub struct #name {
            #(#[serde(default, rename = #renames)] pub #fields: Option<#tys>,)*
        }
        impl rt::SourceRow for #name {
            const COLUMNS: &'static [&'static str] = #columns;
            #validate
        }
        impl rt::FromCsv for #name {
            fn decode_csv(&mut self, f: &rt::CsvFields<'_>) -> Result<(), rt::DecodeError> {
                #(#decodes)*
                Ok(())
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
        if decimal_as_number && matches!(i.expr.ty(), SqlType::Decimal(..)) {
            quote!(#[serde(rename = #rename, serialize_with = "rt::decimal_as_number")])
        } else {
            quote!(#[serde(rename = #rename)])
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
