-- Did the utility fee increase (1 July 2026) change what residents talk about? Monthly mentions per day
-- and share of the fees and billing theme for utility billing, by channel.
select
    period_start as month_start,
    channel,
    mentions,
    mentions / day(last_day(period_start)) as mentions_per_day,
    mention_share,
    mention_share_change
from marts.service_theme_trend
where
    grain = 'month'
    and service_id = 'utility_billing'
    and theme_id = 'fees_billing'
order by channel, month_start
