//! Dispatch on the annotated item: struct → `Layer` impl; impl block or forward method → call
//! instrumentation.
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Fields, Item, ItemStruct};

use crate::args::{Args, FieldArgs};
use crate::instrument;

pub fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        // A method inside an impl block (`fn forward(&self, ..)`) is not an `Item`.
        Err(_) => return instrument::method(args, item),
    };
    match item {
        Item::Struct(s) => expand_struct(syn::parse2(args)?, s),
        Item::Impl(i) => {
            no_args(args)?;
            instrument::impl_block(i)
        }
        Item::Fn(f) => instrument::method(args, f.into_token_stream()),
        Item::Enum(e) => Err(syn::Error::new_spanned(
            e.enum_token,
            "`#[syops::count]` cannot be used on an enum; expected a struct, an impl block or a forward method",
        )),
        other => Err(syn::Error::new_spanned(
            other,
            "`#[syops::count]` expected a struct, an impl block or a forward method",
        )),
    }
}

pub fn no_args(args: TokenStream) -> syn::Result<()> {
    if let Some(tt) = args.into_iter().next() {
        return Err(syn::Error::new_spanned(
            tt,
            "`#[syops::count]` takes no options here; options (`name = \"...\"`) go on the struct",
        ));
    }
    Ok(())
}

fn expand_struct(args: Args, mut s: ItemStruct) -> syn::Result<TokenStream> {
    let ident = &s.ident;
    let name = args.name.map_or_else(|| ident.to_string(), |n| n.value());
    let mut visits = Vec::new();
    let mut renames = Vec::new();
    let mut error: Option<syn::Error> = None;
    let fields = match &mut s.fields {
        Fields::Named(f) => f.named.iter_mut().collect::<Vec<_>>(),
        Fields::Unnamed(f) => f.unnamed.iter_mut().collect(),
        Fields::Unit => Vec::new(),
    };
    for (i, field) in fields.into_iter().enumerate() {
        let opts = match FieldArgs::take(&mut field.attrs) {
            Ok(o) => o,
            Err(e) => {
                match &mut error {
                    Some(err) => err.combine(e),
                    None => error = Some(e),
                }
                continue;
            }
        };
        if opts.skip {
            continue;
        }
        let member: syn::Member = match &field.ident {
            Some(id) => id.clone().into(),
            None => syn::Index::from(i).into(),
        };
        if let (Some(r), Some(id)) = (&opts.rename, &field.ident) {
            let from = id.to_string();
            renames.push(quote!(#from => #r,));
        }
        let seg = opts.rename.map_or_else(
            || match &member {
                syn::Member::Named(id) => id.to_string().trim_start_matches("r#").to_string(),
                syn::Member::Unnamed(ix) => ix.index.to_string(),
            },
            |r| r.value(),
        );
        visits.push(quote! {
            if let ::core::option::Option::Some(__syops_child) =
                (&&::syops::__private::Probe(&self.#member)).__syops_layer().layer()
            {
                __syops_visit(::syops::__private::Segment::Field(#seg), __syops_child);
            }
        });
    }
    if let Some(err) = error {
        return Err(err);
    }
    let (impl_generics, ty_generics, where_clause) = s.generics.split_for_impl();
    Ok(quote! {
        #s

        impl #impl_generics ::syops::__private::Layer for #ident #ty_generics #where_clause {
            fn type_name(&self) -> &'static str {
                #name
            }

            #[allow(unused_imports)]
            fn children(&self, __syops_visit: &mut dyn ::core::ops::FnMut(::syops::__private::Segment, &dyn ::syops::__private::Layer)) {
                use ::syops::__private::{ProbeLayer as _, ProbeNotLayer as _};
                #(#visits)*
            }
        }

        impl #impl_generics ::syops::__private::FieldNames for #ident #ty_generics #where_clause {
            fn segment(field: &'static str) -> &'static str {
                match field {
                    #(#renames)*
                    other => other,
                }
            }
        }
    })
}
