{#- Map whatever header an input has onto the standard column names of DESIGN.md.
    Headers are normalised (camelCase split, lower case, runs of non-alphanumerics -> '_'), then
    matched against known synonyms; the customer_columns / order_columns vars override any match.
    Header text never becomes SQL here: it is only compared, and quote_identifier() quotes it
    wherever a model selects it. -#}

{% macro normalize_column_name(name) %}
    {#- 'MntWines' -> mnt_wines, 'NumWebPurchases' -> num_web_purchases, 'CustomerID' -> customer_id,
        'Annual Income (k$)' -> annual_income_k, 'Year_Birth' -> year_birth. Accented Latin letters
        lose their accent first ('Âge' -> age, 'Währung' -> wahrung, 'Score de dépenses' ->
        score_de_depenses): dropped, `Âge` was `ge` and went unmapped. -#}
    {%- set re = modules.re -%}
    {%- set folded = namespace(text=name | string) -%}
    {%- for letters, plain in accent_folds() if re.search('[' ~ letters ~ ']', folded.text) -%}
        {%- set folded.text = re.sub('[' ~ letters ~ ']', plain, folded.text) -%}
    {%- endfor -%}
    {%- set split = re.sub('([a-z0-9])([A-Z])', '\\1_\\2', folded.text) -%}
    {%- set split = re.sub('([A-Z]+)([A-Z][a-z])', '\\1_\\2', split) -%}
    {{ return(re.sub('[^a-z0-9]+', '_', split | lower).strip('_')) }}
{% endmacro %}

{% macro accent_folds() %}
    {#- (accented letters, the plain letter): the Latin letters of the languages the synonyms cover. -#}
    {{ return([('àáâãäåā', 'a'), ('ÀÁÂÃÄÅĀ', 'A'), ('çćč', 'c'), ('ÇĆČ', 'C'), ('èéêëēę', 'e'), ('ÈÉÊËĒĘ', 'E'),
               ('ìíîïī', 'i'), ('ÌÍÎÏĪ', 'I'), ('ñń', 'n'), ('ÑŃ', 'N'), ('òóôõöøō', 'o'), ('ÒÓÔÕÖØŌ', 'O'),
               ('ùúûüū', 'u'), ('ÙÚÛÜŪ', 'U'), ('ýÿ', 'y'), ('Ý', 'Y'), ('ß', 'ss'), ('æ', 'ae'), ('Æ', 'Ae'),
               ('œ', 'oe'), ('Œ', 'Oe'), ('łľ', 'l'), ('ŁĽ', 'L'), ('śš', 's'), ('ŚŠ', 'S'), ('źżž', 'z'), ('ŹŻŽ', 'Z')]) }}
{% endmacro %}

{% macro customer_column_synonyms() %}
    {#- Only headers that say thousands map to annual_income_k; a plain income keeps its own units.
        A birth date (birth_date: `Date of Birth`, `DOB`, `Geburtsdatum`) gives the age where the
        input has no age (base_customers); not `Birthday`, which a mailing list often writes as month
        and day only (`03/15`). A birth year is no date: it stays an extra column (see
        derived_features).
        Consent is read from an opt-in column, or from an opt-out column (`Unsubscribed from all
        email`, `Email Opt Out`, `Do Not Email`: yes means no consent), a key of its own
        (marketing_opt_out) that base_customers inverts. SMS consent has keys of its own
        (sms_opt_in, sms_opt_out: `Accepts SMS Marketing`, `Do Not Text`): an SMS campaign reads
        it, never the email consent (base_customers, sms_opt_in). -#}
    {{ return({
        'customer_id': ['customer_id', 'customerid', 'cust_id', 'client_id', 'user_id', 'customer_number']
                       + other_customer_id_headers() + european_customer_id_headers() + crm_record_id_headers()
                       + ['id'] + bare_id_headers(),
        'gender': ['gender', 'genre', 'sex', 'geschlecht', 'sexe', 'sexo', 'genero', 'sesso', 'geslacht',
                   'anrede', 'salutation', 'civilite', 'aanhef'],
        'age': ['age', 'age_years', 'alter', 'edad', 'leeftijd'],
        'annual_income_k': ['annual_income_k', 'annual_income_k_usd', 'annual_income_k_eur', 'annual_income_k_gbp',
                            'income_k', 'income_k_usd', 'income_k_eur', 'income_k_gbp', 'annual_income_000s', 'income_000s',
                            'annual_income_usd_000s', 'annual_income_eur_000s', 'annual_income_thousands', 'income_thousands',
                            'income_in_thousands'],
        'income': ['income', 'annual_income', 'yearly_income', 'household_income', 'annual_income_usd', 'annual_income_eur',
                   'annual_income_gbp', 'income_usd', 'income_eur', 'income_gbp', 'yearly_income_usd', 'yearly_income_eur',
                   'annual_income_dollars', 'income_dollars', 'einkommen', 'jahreseinkommen',
                   'revenu', 'revenu_annuel', 'ingresos', 'ingreso_anual', 'reddito', 'inkomen'],
        'spending_score': ['spending_score', 'spending_score_1_100', 'score', 'score_de_depenses', 'ausgaben_score',
                           'puntuacion_de_gasto', 'punteggio_di_spesa'],
        'signup_date': ['signup_date', 'signup', 'created_at', 'first_seen', 'customer_since', 'dt_customer'],
        'birth_date': ['birth_date', 'birthdate', 'date_of_birth', 'dob', 'geburtsdatum',
                       'date_de_naissance', 'fecha_de_nacimiento', 'fecha_nacimiento', 'data_di_nascita',
                       'data_nascita', 'geboortedatum'],
        'email': ['email', 'email_address', 'e_mail', 'e_mail_adresse', 'courriel', 'correo', 'correo_electronico'],
        'marketing_opt_in': ['marketing_opt_in', 'opt_in', 'accepts_marketing', 'marketing_consent',
                             'accepts_email_marketing', 'email_marketing_consent', 'email_opt_in', 'opted_in',
                             'newsletter', 'newsletter_opt_in', 'subscribed', 'email_subscribed',
                             'email_marketing_status', 'email_marketing', 'marketing_status', 'subscription_status',
                             'email_subscription_status', 'newsletter_status', 'subscriber_status', 'email_consent',
                             'marketing_email_consent'],
        'marketing_opt_out': ['marketing_opt_out', 'opt_out', 'opted_out', 'email_opt_out', 'has_opted_out_of_email',
                              'unsubscribed', 'email_unsubscribed', 'unsubscribed_from_all_email', 'do_not_email',
                              'donotemail'],
        'sms_opt_in': ['sms_opt_in', 'accepts_sms_marketing', 'sms_marketing_consent', 'sms_consent', 'sms_marketing',
                       'sms_subscribed', 'sms_marketing_status', 'sms_subscription_status', 'text_opt_in',
                       'accepts_text_marketing', 'sms_opt_in_status'],
        'sms_opt_out': ['sms_opt_out', 'sms_unsubscribed', 'has_opted_out_of_sms', 'do_not_text', 'do_not_sms',
                        'text_opt_out'],
    }) }}
{% endmacro %}

{% macro consent_keys() %}
    {#- The consent keys of customer_column_synonyms: opt-in and opt-out, marketing and SMS. -#}
    {{ return(['marketing_opt_in', 'marketing_opt_out', 'sms_opt_in', 'sms_opt_out']) }}
{% endmacro %}

{% macro consent_column_keys(mapping, key) %}
    {#- The mapping keys a consent (`key`, one of consent_keys) is read from, in order: `key`, then
        `key`_2, `key`_3, ... where the input has more than one header that reads as it
        (map_input_columns). Empty when it is unmapped. -#}
    {%- set keys = [] -%}
    {%- if key in mapping -%}
        {%- do keys.append(key) -%}
        {%- for number in range(2, mapping | length + 2) if (key ~ '_' ~ number) in mapping -%}
            {%- do keys.append(key ~ '_' ~ number) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(keys) }}
{% endmacro %}

{% macro bare_id_headers() %}
    {#- Bare words that are a customer id in some exports and the customer's name in others
        (`Customer`, and as German, French / English, Spanish / Italian / Portuguese and Dutch
        exports head it): a synonym of customer_id only when no other header is one (`id` and the
        named ones come first) and the first 1,000 non-empty values look like ids (id_like_values). -#}
    {{ return(['customer', 'client', 'kunde', 'cliente', 'klant']) }}
{% endmacro %}

{% macro id_like_values(relation_sql, column, ignoring=[]) %}
    {#- {looks_like_ids, examples}: whether at least 95% of the first 1,000 non-empty values of
        `column` are one word with a digit or an `@` in it (`C0001`, `17850`, `CUST-42`,
        `ann@example.com`), as ids are and names ('Paul Young', 'Madonna') are not; examples are up
        to three values that are not. Values in `ignoring` (lower case) count neither way. -#}
    {%- set value = "trim(cast(" ~ quote_identifier(column) ~ " as varchar))" -%}
    {%- set id_like = "regexp_matches(v, '^[^[:space:]]+$') and regexp_matches(v, '[0-9@]')" -%}
    {%- set skipped = (" and lower(" ~ value ~ ") not in (" ~ quote_literals(ignoring) ~ ")") if ignoring else "" -%}
    {%- set row = run_query(
        "select count(*), count(*) filter (where " ~ id_like ~ "),"
        ~ " to_json((list(v) filter (where not (" ~ id_like ~ ")))[1:3])"
        ~ " from (select " ~ value ~ " as v from " ~ relation_sql ~ " where " ~ value ~ " <> ''" ~ skipped ~ " limit 1000)").rows[0] -%}
    {{ return({'looks_like_ids': row[0] > 0 and row[1] >= 0.95 * row[0], 'examples': fromjson(row[2]) if row[2] else []}) }}
{% endmacro %}

{% macro other_customer_id_headers() %}
    {#- A customer number as ERP and loyalty exports head it (`Customer No.`, `Client Number`,
        `Member ID`): unmapped, an orders file of them stopped asking for a customer_id. -#}
    {{ return(['customer_no', 'customer_nr', 'cust_no', 'cust_number', 'client_no', 'client_number',
               'member_id', 'member_number', 'member_no']) }}
{% endmacro %}

{% macro crm_record_id_headers() %}
    {#- The key of a contacts export that has no `Customer ID`: HubSpot's `Record ID`, Salesforce's
        `Contact ID`, Zoho's `Record Id`, a survey tool's `Respondent ID`, an email tool's
        `Subscriber ID` / `Profile ID`, Square's `Square Customer ID` (the id its transactions
        export writes as `Customer ID`) (customers input only). -#}
    {{ return(['record_id', 'contact_id', 'respondent_id', 'subscriber_id', 'profile_id', 'person_id',
               'lead_id', 'account_id', 'square_customer_id']) }}
{% endmacro %}

{% macro european_customer_id_headers() %}
    {#- A customer number as German, French, Spanish, Italian and Dutch exports head it (normalised:
        an accent is dropped and any other sign is a `_`, so `N° client` is n_client). A bare `Client` / `Kunde` /
        `Cliente` is as often the customer's name: bare_id_headers decides it by its values. -#}
    {{ return(['kundennr', 'kunden_nr', 'kundennummer', 'numero_client', 'num_client', 'n_client', 'id_client',
               'id_cliente', 'numero_cliente', 'codice_cliente', 'klantnummer', 'klant_id']) }}
{% endmacro %}

{% macro order_email_headers() %}
    {#- The headers of an email that keys an orders file with no customer id column, first found wins:
        the buyer's before a bare `Email`, which an event's attendee report (Eventbrite) writes for
        each attendee, who paid nothing. -#}
    {{ return(['customer_email', 'billing_email', 'purchase_email', 'buyer_email', 'purchaser_email', 'contact_email',
               'email', 'email_address', 'e_mail']) }}
{% endmacro %}

{% macro order_column_synonyms() %}
    {#- A sale's refunded flag (Gumroad's `Fully Refunded?`, Lemon Squeezy's `Refunded`: true / 1 /
        yes): its lines are returns, as a refunded status makes them (not a partial refund's flag).
        GA4's BigQuery export keys its events by `user_pseudo_id` (every event; `user_id` only for
        signed-in users, blank on most: those events were rejected) and dates them by `event_date`
        (yyyymmdd) and `event_timestamp` (microseconds).
        English first, then the headers of German, French, Spanish, Italian and Dutch exports (not
        Portuguese / Italian `data`, which in English means anything). An order number as exports
        head it (`Order Number`, `Invoice No.`, `Receipt #`, `Order #` -> order): without one each
        line counts as an order (base_orders says so). A total with or without tax (BigCommerce's
        `Order Total (inc tax)` and `(ex tax)`, a German `Betrag (brutto)`): with tax first, what
        the customer paid, as Magento's `Grand Total`. Payment dates (`Paid at`, `Payment Date`)
        come after `Created at`: Shopify writes `Paid at` on an order's first line only. -#}
    {{ return({
        'order_id': ['order_id', 'orderid', 'order_number', 'order_no', 'order_nr', 'order_num', 'order_ref',
                     'order_reference', 'invoice_no', 'invoiceno', 'invoice_number', 'invoice_nr', 'invoice_num', 'invoice',
                     'invoice_id', 'transaction_id', 'transaction_number', 'transaction_no', 'receipt_id', 'receipt_number',
                     'receipt_no', 'receipt_nr', 'receipt', 'bill_no', 'bill_number', 'document_no', 'document_number',
                     'sales_order', 'sales_order_number', 'sales_order_no', 'so_number', 'ticket_id', 'basket_id', 'order', 'id',
                     'bestellnummer', 'bestellnr', 'bestell_nr', 'belegnr', 'belegnummer', 'rechnungsnr', 'rechnungsnummer',
                     'numero_commande', 'n_commande', 'commande', 'numero_facture', 'pedido', 'numero_pedido', 'id_pedido',
                     'ordine', 'numero_ordine', 'bestelnummer', 'factuurnummer', 'amazon_order_id', 'billing_document', 'num'],
        'customer_id': ['customer_id', 'customerid', 'cust_id', 'client_id', 'user_pseudo_id', 'user_id', 'customer_number', 'customer_code',
                        'buyer_id', 'buyer_user_id', 'sold_to_party', 'sell_to_customer_no', 'bill_to_customer_no']
                       + other_customer_id_headers() + european_customer_id_headers() + bare_id_headers(),
        'order_date': ['order_date', 'orderdate', 'invoice_date', 'invoicedate', 'transaction_date', 'purchase_date',
                       'order_purchase_timestamp', 'order_datetime', 'order_timestamp', 'sale_date', 'sales_date',
                       'posting_date', 'document_date', 'date', 'created_at',
                       'created_utc', 'created', 'created_date', 'billing_date', 'paid_at', 'payment_date',
                       'event_date', 'event_timestamp', 'date_created', 'order_created', 'order_created_at', 'purchased_on',
                       'datum', 'bestelldatum', 'belegdatum', 'rechnungsdatum', 'date_commande', 'date_de_commande',
                       'date_facture', 'fecha', 'fecha_pedido', 'fecha_factura', 'data_ordine', 'besteldatum', 'factuurdatum'],
        'amount': ['amount', 'line_total', 'line_amount', 'order_total', 'total', 'revenue', 'sales', 'value', 'order_value',
                   'grand_total', 'base_grand_total', 'grand_total_base', 'grand_total_purchased',
                   'order_total_inc_tax', 'order_total_incl_tax', 'total_inc_tax', 'total_incl_tax',
                   'order_total_ex_tax', 'order_total_excl_tax', 'total_ex_tax', 'total_excl_tax',
                   'gesamtbetrag_brutto', 'betrag_brutto', 'gesamtbetrag_netto', 'betrag_netto',
                   'order_total_amount', 'total_amount', 'net_sales', 'gross_sales', 'net_amount', 'gross_amount',
                   'sales_amount', 'sale_amount', 'purchase_amount', 'transaction_amount', 'total_price',
                   'purchase_revenue', 'gross', 'net_value',
                   'betrag', 'gesamtbetrag', 'gesamt', 'gesamtpreis', 'gesamtsumme', 'umsatz', 'montant', 'montant_total', 'importe', 'importe_total', 'importo',
                   'totale', 'bedrag', 'kwota', 'wartosc', 'wartosc_brutto', 'castka', 'belopp', 'belob', 'belop',
                   'summa', 'tutar', 'toplam', 'summa_zakaza'],
        'quantity': ['quantity', 'qty', 'units', 'menge', 'anzahl', 'quantite', 'cantidad', 'aantal'],
        'unit_price': ['unit_price', 'unitprice', 'price', 'einzelpreis', 'preis', 'prix_unitaire', 'prix', 'precio_unitario',
                       'precio', 'prezzo_unitario', 'prezzo', 'prijs', 'stukprijs'],
        'status': ['status', 'order_status', 'financial_status', 'payment_status', 'order_state', 'bestellstatus',
                   'statut', 'estado', 'stato', 'orderstatus', 'status_zamowienia', 'stan_zamowienia', 'stav_objednavky',
                   'siparis_durumu', 'tila', 'state_machine_state_technical_name', 'state_machine_state_name',
                   'order_state_technical_name', 'attendee_status', 'deal_stage', 'dealstage', 'opportunity_stage',
                   'stage_name', 'stage', 'pipeline_stage', 'transaction_type', 'document_type', 'order_type'],
        'document_type': document_type_headers(),
        'refunded_amount': refunded_amount_headers(),
        'discount_amount': discount_amount_headers(),
        'category': ['category', 'product_category'],
        'channel': ['channel', 'sales_channel'],
        'currency': ['currency', 'currency_code', 'order_currency', 'transaction_currency', 'wahrung', 'waehrung',
                     'devise', 'moneda', 'divisa', 'valuta'],
        'refunded_flag': ['fully_refunded', 'is_refunded', 'was_refunded', 'refunded_flag', 'refunded'],
        'description': line_description_headers(),
    }) }}
{% endmacro %}

{% macro line_description_headers() %}
    {#- The headers of what a line sold (its product's name or the line's text): Odoo's `Order
        Lines/Product`, Shopify's `Lineitem name`, the UCI Online Retail `Description`, WooCommerce's
        `Item Name`, German, French, Spanish, Italian and Dutch names. Read for one thing only: a
        negative (or cancelled) line that names a discount (discount_words) is a discount, not a return. Last in
        the synonyms, so it takes no header another standard column matched. -#}
    {{ return(['description', 'line_description', 'item_description', 'product_description', 'lineitem_name',
               'line_item_name', 'item_name', 'product_name', 'product_title', 'item_title', 'order_lines_product',
               'order_lines_description', 'product', 'item', 'article', 'artikel', 'artikelbezeichnung',
               'bezeichnung', 'beschreibung', 'produkt', 'libelle', 'designation', 'produit', 'descripcion',
               'producto', 'articulo', 'descrizione', 'prodotto', 'articolo', 'omschrijving']) }}
{% endmacro %}

{% macro discount_words() %}
    {#- The words that make a negative line a discount (a price reduction of its order) rather than a
        return, matched in its description (lower case, accents dropped): English as whole words at
        their start (`Discount`, `10% Loyalty Discount`, `Coupon SAVE10`, `Promo code`,
        `Voucher`), German and Dutch also inside a compound (`Treuerabatt`, `Klantkorting`). -#}
    {{ return({'words': ['discount', 'coupon', 'promo', 'voucher', 'rebate', 'markdown', 'price reduction', 'remise',
                         'bon de reduction', 'code de reduction', 'descuento', 'cupon', 'sconto'],
               'compounds': ['rabatt', 'nachlass', 'skonto', 'gutschein', 'korting']}) }}
{% endmacro %}

{% macro names_a_discount(text_sql) -%}
    {#- SQL boolean: the line's description (text_sql, null when blank) names a discount (discount_words). -#}
    {%- set words = discount_words() -%}
    {%- set pattern = '\\b(' ~ words.words | join('|') ~ ')|' ~ words.compounds | join('|') -%}
    coalesce(regexp_matches(strip_accents(lower({{ text_sql }})), {{ quote_literal(pattern) }}), false)
{%- endmacro %}

{% macro refunded_amount_headers() %}
    {#- The headers of an order's refunded amount beside its full value (Shopify's `Refunded Amount`,
        Stripe's `Amount Refunded`, Magento's `Total Refunded`, WooCommerce's `Order Refund Amount`):
        a partial refund of a kept order, which no status says; Square's `Partial Refunds`, written
        negative (`-$5.00`) on the payment's line (its magnitude counts). Not a bare `Refunded`,
        which a payments export writes as true / false. -#}
    {{ return(['refunded_amount', 'amount_refunded', 'refund_amount', 'total_refunded', 'total_refunded_base',
               'order_refund_amount', 'refunds_amount', 'refunded_total', 'partial_refunds', 'partial_refund',
               'erstattungsbetrag', 'erstatteter_betrag',
               'montant_rembourse', 'importe_reembolsado']) }}
{% endmacro %}

{% macro discount_amount_headers() %}
    {#- The headers of an order's discount beside item prices before it (Shopify's `Discount Amount`,
        on the order's first line; WooCommerce's `Cart Discount Amount`): read only when the line
        value is quantity x unit price (no amount column), as the item prices are then before the
        discount; an amount column is taken as what was paid. Not a bare `Discount`, which an
        invoice line often writes as a percentage. -#}
    {{ return(['discount_amount', 'discounts_amount', 'order_discount', 'order_discount_amount', 'total_discount',
               'total_discounts', 'cart_discount', 'cart_discount_amount', 'discount_total', 'rabattbetrag',
               'montant_remise', 'montant_de_la_remise', 'importe_descuento', 'importo_sconto', 'kortingsbedrag']) }}
{% endmacro %}

{% macro adjusted_total_column(columns, mapping) %}
    {#- The input column of an order's total after a partial refund (Etsy's `Adjusted Order Total`,
        filled only for such orders), when the order's value (amount) is mapped and no refunded
        amount column is: the refund is then the amount less it. Else none. -#}
    {%- if 'amount' not in mapping or 'refunded_amount' in mapping -%}{{ return(none) }}{%- endif -%}
    {%- for column in columns if normalize_column_name(column) in ['adjusted_order_total', 'adjusted_total', 'adjusted_grand_total'] -%}
        {{ return(column) }}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{% macro document_type_headers() %}
    {#- The headers of a column that says which kind of document a line belongs to (an invoice or a
        credit note), beside or instead of a status: Xero's `Type`, SAP's `Billing Type` (its field
        FKART), Sage's and Dynamics' `Document Type`, German `Belegart` / `Belegtyp`, French, Spanish,
        Italian and Dutch names. `document_type` and `transaction_type` are status synonyms too:
        such a column is the status when the input has no other. -#}
    {{ return(['document_type', 'doc_type', 'billing_type', 'billing_document_type', 'fkart', 'invoice_type',
               'sales_document_type', 'transaction_type', 'type', 'belegart', 'belegtyp', 'dokumentart',
               'type_de_document', 'type_de_piece', 'tipo_documento', 'tipo_de_documento', 'tipo_di_documento',
               'documenttype', 'documentsoort']) }}
{% endmacro %}

{% macro document_type_words(column) %}
    {#- {sale: [...], credit: [...]} (lower case): the values a document type column writes for a
        sale (an invoice, a debit memo, the cancellation of a credit memo) and for a credit (a credit
        note or memo, a return, a refund, the cancellation of an invoice), in the languages of
        cancellation_values. SAP's billing type codes (F1 / F2 invoices, L2 debit memo, S2
        cancelled credit memo; G2 credit memo, RE returns, S1 cancelled invoice) count only under
        SAP's own headers (`Billing Type`, `FKART`): two letters mean anything elsewhere. -#}
    {%- set sale = ['invoice', 'sales invoice', 'tax invoice', 'customer invoice', 'sale', 'sales', 'sales receipt',
                    'receipt', 'cash sale', 'order', 'sales order', 'debit memo', 'debit note', 'accrec',
                    'rechnung', 'ausgangsrechnung', 'barverkauf', 'lastschrift', 'facture', 'vente', 'factura',
                    'venta', 'fattura', 'vendita', 'factuur', 'verkoopfactuur', 'verkoop'] -%}
    {%- set credit = ['credit note', 'credit memo', 'sales credit note', 'sales credit memo', 'credit', 'credit invoice',
                      'accreccredit', 'return', 'returns', 'return credit', 'sales return', 'refund', 'cancellation',
                      'cancellation invoice', 'cancelled invoice', 'gutschrift', 'storno', 'stornorechnung',
                      'rechnungskorrektur', 'retoure', 'avoir', 'facture d''avoir', 'nota de credito', 'nota de crédito',
                      'abono', 'factura rectificativa', 'nota di credito', 'nota credito', 'creditnota', 'creditfactuur'] -%}
    {%- if normalize_column_name(column) in ['billing_type', 'billing_document_type', 'fkart'] -%}
        {%- set sale = sale + ['f1', 'f2', 'l2', 's2'] -%}
        {%- set credit = credit + ['g2', 're', 's1'] -%}
    {%- endif -%}
    {{ return({'sale': sale, 'credit': credit}) }}
{% endmacro %}

{% macro document_type_reading(relation, column) %}
    {#- How a document type column's values read (first 100,000 rows): {column, taken, credit_words,
        values: [{value, lines, reads_as: 'sale' | 'credit' | none}] (the most frequent, and every
        credit)}. Taken when at least 95% of its non-empty lines are document words
        (document_type_words): else it is some other type (a product's) and stays an extra column. -#}
    {%- set words = document_type_words(column) -%}
    {%- if not execute -%}{{ return({'column': column, 'taken': false, 'credit_words': words.credit, 'values': []}) }}{%- endif -%}
    {%- set value = text_value(quote_identifier(column)) -%}
    {%- set rows = run_query("select " ~ value ~ " as v, count(*) from " ~ first_rows(relation) ~ " where " ~ value
        ~ " is not null group by 1 order by 2 desc, 1 limit 1000").rows -%}
    {%- set counts = namespace(lines=0, known=0) -%}
    {%- set values = [] -%}
    {%- for row in rows -%}
        {%- set lowered = row[0] | lower -%}
        {%- set reads_as = 'credit' if lowered in words.credit else ('sale' if lowered in words.sale else none) -%}
        {%- set counts.lines = counts.lines + row[1] -%}
        {%- if reads_as is not none -%}{%- set counts.known = counts.known + row[1] -%}{%- endif -%}
        {%- if loop.index <= 6 or reads_as == 'credit' -%}
            {%- do values.append({'value': row[0], 'lines': row[1], 'reads_as': reads_as}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'column': column, 'taken': counts.lines > 0 and counts.known >= 0.95 * counts.lines,
               'credit_words': words.credit, 'values': values}) }}
{% endmacro %}

{% macro input_column_names(relation_sql) %}
    {#- The column names of an input, in order (empty at parse time). Prefer input_columns(kind). -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if (relation_sql | string) in ['customers', 'orders'] -%}{{ return(input_columns(relation_sql)) }}{%- endif -%}
    {%- set described = run_query("describe select * from " ~ relation_sql) -%}
    {{ return(described.columns[0].values() | list) }}
{% endmacro %}

{% macro shopify_orders_preset(kind, by_normalized) %}
    {#- Shopify's "Export orders" CSV (one line per line item: Name, Email, Created at, Lineitem
        quantity, Lineitem price on every line; Id, Total, Financial Status, Accepts Marketing on
        an order's first line only). Synonyms alone map order_id <- Id and amount <- Total, both
        blank on an order's other lines (about half the lines rejected, or the build stopped), so
        this export is recognised by those headers and mapped: order_id <- Name, customer_id <-
        Email, quantity <- Lineitem quantity, unit_price <- Lineitem price (the line's value),
        amount unmapped, channel <- Source. {} for any other input. -#}
    {%- set preset = {} -%}
    {%- if (kind | string) == 'orders' and 'name' in by_normalized and 'lineitem_quantity' in by_normalized
          and 'lineitem_price' in by_normalized -%}
        {%- do preset.update({'order_id': by_normalized['name'], 'quantity': by_normalized['lineitem_quantity'],
                              'unit_price': by_normalized['lineitem_price'], 'amount': none}) -%}
        {%- if 'email' in by_normalized -%}{%- do preset.update({'customer_id': by_normalized['email']}) -%}{%- endif -%}
        {%- if 'source' in by_normalized -%}{%- do preset.update({'channel': by_normalized['source']}) -%}{%- endif -%}
        {%- do log(kind ~ ": a Shopify orders export (Name, Lineitem quantity, Lineitem price): order_id <- Name, customer_id <- Email, the line value is Lineitem quantity x Lineitem price (Total is the order's, on its first line only); var order_columns overrides any of these", info=true) -%}
    {%- endif -%}
    {{ return(preset) }}
{% endmacro %}

{% macro known_header_names(kind, cells) %}
    {#- How many of `cells` (a line's fields, as text) are headers input `kind` maps: a synonym of a
        standard column (normalised, as map_input_columns compares them) or a column the
        customer_columns / order_columns var names. Only compared: header text never becomes SQL. -#}
    {%- set known = [] -%}
    {%- for names in (customer_column_synonyms() if kind == 'customers' else order_column_synonyms()).values() -%}
        {%- do known.extend(names) -%}
    {%- endfor -%}
    {%- for names in staging_extra_synonyms(kind).values() -%}{%- do known.extend(names) -%}{%- endfor -%}
    {%- set overrides = var(input_kinds()[kind].columns_var, {}) or {} -%}
    {%- if overrides is mapping -%}
        {%- for column in overrides.values() if column is string -%}{%- do known.append(normalize_column_name(column)) -%}{%- endfor -%}
    {%- endif -%}
    {%- set found = [] -%}
    {%- for cell in cells if (cell | trim) != '' and normalize_column_name(cell) in known -%}{%- do found.append(cell) -%}{%- endfor -%}
    {{ return(found | length) }}
{% endmacro %}

{% macro map_input_columns(kind, synonyms, overrides_var, required) %}
    {#- {standard_name: source column name} for the standard columns found in input `kind`
        ('customers' / 'orders'; a relation SQL string still works). A null in the overrides var
        leaves that standard column unmapped. Stops the build when the overrides var has an
        unknown key or names a missing column, or a required column is absent. -#}
    {%- set overrides = var(overrides_var, {}) or {} -%}
    {%- if overrides is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ overrides_var ~ " must be a mapping {standard_name: \"Source Column\"}, got " ~ quote_literal(overrides)
            ~ ". Fix: e.g. --vars '{" ~ overrides_var ~ ": {customer_id: \"Client Ref\"}}'.") }}
    {%- endif -%}
    {%- for key in overrides -%}
        {%- if key not in synonyms -%}
            {{ exceptions.raise_compiler_error(
                "var " ~ overrides_var ~ " has the key " ~ quote_literal(key) ~ ", which is not a standard column. "
                ~ "Accepted keys: " ~ synonyms.keys() | list | join(', ')
                ~ ". Other columns need no mapping: they are carried through under their normalised names.") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not execute -%}
        {%- set parse_map = {} -%}
        {%- for name in synonyms -%}{%- do parse_map.update({name: name}) -%}{%- endfor -%}
        {{ return(parse_map) }}
    {%- endif -%}
    {%- set columns = input_columns(kind) if (kind | string) in ['customers', 'orders'] else input_column_names(kind) -%}
    {%- set by_normalized = {} -%}
    {%- set same_name = {} -%}
    {%- for column in columns -%}
        {%- do by_normalized.setdefault(normalize_column_name(column), column) -%}
        {%- do same_name.setdefault(normalize_column_name(column), []).append(column) -%}
    {%- endfor -%}
    {#- A CSV header written twice (`Age` and `age`) is read as `Age` and `age_2`: both read as age. -#}
    {%- if (kind | string) in ['customers', 'orders'] and not input_var_is_set(input_kinds()[kind].relation_var)
            and input_var_is_set(input_kinds()[kind].path_var) -%}
        {%- for given, written in (input_file_plan(kind).get('repeated') or {}).items() if given in columns -%}
            {%- do same_name.setdefault(normalize_column_name(written), []).append(given) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set preset = shopify_orders_preset('orders' if overrides_var == 'order_columns' else kind, by_normalized)
        or amazon_orders_preset('orders' if overrides_var == 'order_columns' else kind, by_normalized)
        or paypal_activity_preset('orders' if overrides_var == 'order_columns' else kind, by_normalized) -%}
    {%- if preset -%}
        {#- The var's own keys win over the preset's. -#}
        {%- do preset.update(overrides) -%}
        {%- set overrides = preset -%}
    {%- endif -%}
    {%- set mapping = {} -%}
    {%- set unmapped = [] -%}
    {%- set chosen_by_var = [] -%}
    {%- for standard, wanted in overrides.items() -%}
        {%- set wanted = none if wanted is none else wanted | string -%}
        {%- if wanted is none -%}
            {#- null: no column is this standard one, whatever the synonyms match. -#}
            {%- do unmapped.append(standard) -%}
        {%- elif wanted in columns -%}
            {%- do mapping.update({standard: wanted}) -%}
            {%- do chosen_by_var.append(standard) -%}
        {%- elif normalize_column_name(wanted) in by_normalized -%}
            {%- do mapping.update({standard: by_normalized[normalize_column_name(wanted)]}) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "var " ~ overrides_var ~ " maps " ~ standard ~ " to " ~ quote_literal(wanted)
                ~ ", but the input has no such column. Columns found: " ~ columns | join(', ') ~ ".") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set matched_by = {} -%}
    {%- set bare = {} -%}
    {%- for standard, candidates in synonyms.items() -%}
        {%- for candidate in candidates -%}
            {%- if standard not in unmapped and standard not in chosen_by_var and candidate in by_normalized and by_normalized[candidate] not in mapping.values() -%}
                {%- if candidate in bare_id_headers() -%}
                    {%- do bare.setdefault(standard, by_normalized[candidate]) -%}
                {%- elif standard not in mapping -%}
                    {%- do mapping.update({standard: by_normalized[candidate]}) -%}
                    {%- do matched_by.update({standard: candidate}) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {#- A bare `Customer` is the id only when no other header is and its values look like ids; beside
        a bare `ID`, it stops the build when its values look like ids too (which one do the orders
        use?), and is an extra column when they are names. -#}
    {%- set input_label = ('The ' ~ kind ~ ' input') if (kind | string) in ['customers', 'orders'] else 'The input' -%}
    {#- An orders file keyed by email alone (Magento's `Customer Email`, a shop's `Billing Email`):
        the email is the customer where no id column is (an id column wins, as the customers input
        is keyed by it; so does a bare `Customer` of ids, while a `Customer` of names gives way to
        the email). Before, such a file stopped asking for a customer_id. -#}
    {%- set email_key = [] -%}
    {%- if overrides_var == 'order_columns' and 'customer_id' not in unmapped -%}
        {%- for candidate in order_email_headers() if candidate in by_normalized and by_normalized[candidate] not in mapping.values() -%}
            {%- do email_key.append(by_normalized[candidate]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for standard, column in bare.items() if column not in mapping.values() and (standard not in mapping or matched_by.get(standard) == 'id') -%}
        {%- set values = id_like_values(input_relation(kind) if (kind | string) in ['customers', 'orders'] else kind, column) -%}
        {%- if standard not in mapping and values.looks_like_ids -%}
            {%- do mapping.update({standard: column}) -%}
        {%- elif standard not in mapping and standard == 'customer_id' and email_key -%}
            {#- a `Customer` of names beside an email: the email keys the orders (below) -#}
        {%- elif standard not in mapping -%}
            {{ exceptions.raise_compiler_error(
                input_label ~ "'s column " ~ column | tojson ~ " holds names, not ids ("
                ~ values.examples | map('tojson') | join(', ') ~ "), and no other column reads as " ~ standard
                ~ ". Columns found: " ~ columns | join(', ') ~ ". Fix: name the id column, e.g. --vars '{"
                ~ overrides_var ~ ": {" ~ standard ~ ": \"<your id column>\"}}' (or {" ~ standard ~ ": "
                ~ column | tojson ~ "} if these are the ids).") }}
        {%- elif values.looks_like_ids -%}
            {{ exceptions.raise_compiler_error(
                input_label ~ " has two columns that could be " ~ standard ~ ": "
                ~ mapping[standard] | tojson ~ " and " ~ column | tojson ~ ", both with id-like values, and"
                ~ " staging will not guess which one the orders and campaign lists use. Fix: name it, --vars '{"
                ~ overrides_var ~ ": {" ~ standard ~ ": " ~ mapping[standard] | tojson ~ "}}' or '{" ~ overrides_var
                ~ ": {" ~ standard ~ ": " ~ column | tojson ~ "}}'; the other is carried as an extra column.") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if 'customer_id' not in mapping and email_key and email_key[0] not in mapping.values() -%}
        {%- do mapping.update({'customer_id': email_key[0]}) -%}
    {%- endif -%}
    {#- A customers file keyed by email (a Mailchimp or Klaviyo audience: `Email Address` and no
        id): the email is the id too, and an id column that is an email is the email too. Before,
        the first stopped asking for a customer_id, and with the var the campaign files had no
        email (the column was taken by the id). -#}
    {%- if overrides_var == 'customer_columns' and 'customer_id' in synonyms and 'email' in synonyms -%}
        {%- if 'customer_id' not in mapping and 'customer_id' not in unmapped and 'email' in mapping -%}
            {%- do mapping.update({'customer_id': mapping['email']}) -%}
        {%- elif 'email' not in mapping and 'email' not in unmapped and 'customer_id' in mapping
                and normalize_column_name(mapping['customer_id']) in synonyms['email'] -%}
            {%- do mapping.update({'email': mapping['customer_id']}) -%}
        {%- endif -%}
    {%- endif -%}
    {#- Two headers that read as an order id (Stripe's `Invoice ID` and `id`, PayPal's `Invoice
        Number` and `Transaction ID`): the first synonym won even when it is blank on most lines (a
        one-off charge has no invoice), and those lines were rejected as "missing order_id". Where
        the invoice column has blanks in the first 100,000 rows and another has none, the other
        is the order id, and the console says so. (Only an invoice column gives way: an order
        number written on an order's first line only must not give way to a line id.) -#}
    {%- if overrides_var == 'order_columns' and 'order_id' in mapping and 'order_id' not in chosen_by_var and 'order_id' in synonyms
          and normalize_column_name(mapping['order_id']).startswith('invoice') -%}
        {%- set rivals = [] -%}
        {%- for candidate in synonyms['order_id'] if candidate in by_normalized and by_normalized[candidate] != mapping['order_id']
                and by_normalized[candidate] not in mapping.values() and by_normalized[candidate] not in rivals -%}
            {%- do rivals.append(by_normalized[candidate]) -%}
        {%- endfor -%}
        {%- if rivals -%}
            {%- set blanks = [] -%}
            {%- for column in [mapping['order_id']] + rivals -%}
                {%- do blanks.append("count(*) filter (where " ~ text_value(quote_identifier(column)) ~ " is null)") -%}
            {%- endfor -%}
            {%- set counts = run_query("select " ~ blanks | join(', ') ~ " from " ~ first_rows(input_relation(kind))).rows[0] -%}
            {%- set complete = [] -%}
            {%- for index in range(rivals | length) -%}
                {%- if counts[index + 1] == 0 -%}{%- do complete.append(rivals[index]) -%}{%- endif -%}
            {%- endfor -%}
            {%- if counts[0] > 0 and complete -%}
                {%- if flags.WHICH in ['build', 'run', 'retry'] -%}
                    {%- do log(kind ~ ": order_id <- " ~ complete[0] ~ ", not " ~ mapping['order_id'] ~ ", which is blank on "
                        ~ counts[0] ~ " of the first lines; var order_columns overrides", info=true) -%}
                {%- endif -%}
                {%- do mapping.update({'order_id': complete[0]}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {#- A bare `Score` is a spending score only when its values fit one (1-100 in the first
        100,000 rows): a CRM's lead score (0-100, zeros for new leads) or a credit score (300-850)
        named segments "High Spenders" or rejected every customer as "spending_score outside
        1-100". Otherwise it is carried as an extra column, and the console says why. -#}
    {%- if 'spending_score' in mapping and 'spending_score' not in chosen_by_var and matched_by.get('spending_score') == 'score'
          and (kind | string) in ['customers', 'orders'] -%}
        {%- set number = "try_cast(replace(trim(cast(" ~ quote_identifier(mapping['spending_score']) ~ " as varchar)), ',', '.') as double)" -%}
        {%- set fits = run_query("select coalesce(min(" ~ number ~ ") >= 1 and max(" ~ number ~ ") <= 100, true), min(" ~ number ~ "), max(" ~ number ~ ") from "
            ~ first_rows(input_relation(kind))).rows[0] -%}
        {%- if not fits[0] -%}
            {%- if flags.WHICH in ['build', 'run', 'retry'] -%}
                {%- do log(kind ~ ": column " ~ mapping['spending_score'] ~ " is not read as spending_score: its values run from "
                    ~ fits[1] ~ " to " ~ fits[2] ~ ", not within 1-100 (a lead or credit score?); carried as an extra column. If it is the spending score, name it: --vars '{"
                    ~ overrides_var ~ ": {spending_score: " ~ mapping['spending_score'] | tojson ~ "}}'", info=true) -%}
            {%- endif -%}
            {%- do mapping.pop('spending_score') -%}
        {%- endif -%}
    {%- endif -%}
    {#- A document type beside the status (Xero's `Type`, SAP's `Billing Type`, Sage's `Document
        Type`, a German `Belegart`) is one only when its values are document words (first 100,000
        rows: document_type_reading): a `Type` of product types stays an extra column. -#}
    {%- if 'document_type' in mapping and 'document_type' not in chosen_by_var and overrides_var == 'order_columns' -%}
        {%- if not document_type_reading(input_relation(kind) if (kind | string) in ['customers', 'orders'] else kind, mapping['document_type']).taken -%}
            {%- do mapping.pop('document_type') -%}
        {%- endif -%}
    {%- endif -%}
    {#- More than one header that reads as the same consent (a Klaviyo profiles export's own
        `Email Marketing Consent` beside an `Accepts Marketing` property synced from Shopify,
        which may be stale; `SMS Marketing Consent` beside `Accepts SMS Marketing`): every one is
        read, under keys marketing_opt_in_2, ... (consent_column_keys), and consent_value
        combines them on the safe side. Before, the first synonym won alone: people unsubscribed
        in Klaviyo stayed in the campaign lists. A column the var names is read alone. -#}
    {%- if overrides_var == 'customer_columns' -%}
        {%- for standard in consent_keys() if standard in mapping and standard not in chosen_by_var and standard in synonyms -%}
            {%- set more = [] -%}
            {%- for candidate in synonyms[standard] if candidate in by_normalized and by_normalized[candidate] not in mapping.values()
                    and by_normalized[candidate] not in more -%}
                {%- do more.append(by_normalized[candidate]) -%}
            {%- endfor -%}
            {%- for column in more -%}{%- do mapping.update({standard ~ '_' ~ (loop.index + 1): column}) -%}{%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {#- Two headers that read as one name ('Age' and 'age', 'Annual Income (k$)' and
        'annual_income_k'): taking the first would be a silent guess between two columns that may
        hold different things, so the build stops until the var names the exact header. -#}
    {%- for standard, column in mapping.items() -%}
        {%- set rivals = same_name[normalize_column_name(column)] -%}
        {%- if standard not in chosen_by_var and rivals | length > 1 -%}
            {{ exceptions.raise_compiler_error(
                "The " ~ (kind if (kind | string) in ['customers', 'orders'] else 'input') ~ " input has "
                ~ rivals | length ~ " columns that read as " ~ standard ~ ": "
                ~ rivals | map('tojson') | join(', ') ~ ", and staging will not guess which one is " ~ standard
                ~ ". Fix: name it by its exact header, e.g. --vars '{" ~ overrides_var ~ ": {" ~ standard ~ ": "
                ~ rivals[0] | tojson ~ "}}'; the other is then carried as an extra column.") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for standard in required -%}
        {%- if standard not in mapping -%}
            {{ exceptions.raise_compiler_error(
                "The input has no column for " ~ standard ~ ". Columns found: " ~ columns | join(', ')
                ~ ". Fix: name it with --vars '{" ~ overrides_var ~ ": {" ~ standard ~ ": \"<your column>\"}}'.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(mapping) }}
{% endmacro %}

{% macro unmapped_columns(kind, mapping) %}
    {#- Input columns that are not standard ones: carried through as extra features. -#}
    {%- set extras = [] -%}
    {%- for column in input_column_names(kind) -%}
        {%- if column not in mapping.values() -%}{%- do extras.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(extras) }}
{% endmacro %}
