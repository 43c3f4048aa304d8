{#- Which sales channels are online, for online_share. -#}

{% macro online_channel_values() %}
    {#- The channel texts that mean a purchase was made online, as stg_orders holds them (trimmed,
        lower case, so any case in the input): shop systems and ERPs write web, webshop,
        e-commerce, app or mobile as often as online; a marketplace's name is online too (Amazon's
        orders report writes its `sales-channel` as the site, `Amazon.com`, `Amazon.de`; eBay,
        Etsy), and Shopify's `Source` an app's (`iphone`, `android`). -#}
    {%- set amazon_sites = ['com', 'co.uk', 'de', 'fr', 'it', 'es', 'ca', 'com.mx', 'co.jp', 'in', 'com.au', 'nl',
                            'se', 'pl', 'com.br', 'ae', 'sa', 'sg', 'com.tr', 'com.be', 'eg', 'ie'] -%}
    {%- set marketplaces = ['amazon', 'ebay', 'etsy', 'marketplace', 'online marketplace'] -%}
    {%- for site in amazon_sites -%}{%- do marketplaces.append('amazon.' ~ site) -%}{%- endfor -%}
    {{ return(['online', 'on-line', 'on line', 'online shop', 'online store', 'onlineshop', 'online-shop',
               'web', 'website', 'web site', 'webshop', 'web shop', 'web-shop', 'webstore', 'web store',
               'e-commerce', 'ecommerce', 'e commerce', 'e-shop', 'eshop', 'internet',
               'app', 'mobile', 'mobile app', 'in-app', 'iphone', 'android', 'ios', 'en ligne', 'en línea', 'en linea']
              + marketplaces) }}
{% endmacro %}

{% macro is_online_channel(channel) -%}
    {#- One IN over constants, no join: as cheap as channel = 'online' at 10M order lines. -#}
    {{ channel }} in ({{ quote_literals(online_channel_values()) }})
{%- endmacro %}

{% macro order_channels_known() %}
    {#- Whether the kept order lines name their channel: 'all', 'some' (others `unknown`: a blank or
        no channel column), or 'none' (no channel column: online_share would be 0, "buys in store",
        for everyone, and a customer with part of the lines unknown would count them as in store).
        Two scans that stop at the first line found (each a full scan only when there is none). -#}
    {%- if not execute -%}{{ return('all') }}{%- endif -%}
    {%- set row = run_query(
        "select (select count(*) from (select 1 from " ~ ref('stg_orders') ~ " where channel <> 'unknown' limit 1)),"
        ~ " (select count(*) from (select 1 from " ~ ref('stg_orders') ~ " where channel = 'unknown' limit 1))").rows[0] -%}
    {{ return('none' if row[0] == 0 else ('some' if row[1] > 0 else 'all')) }}
{% endmacro %}
