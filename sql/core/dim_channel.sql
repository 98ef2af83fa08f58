-- The channels a resident uses to reach the city.
select
    channels.channel,
    channels.channel_name,
    channels.has_free_text
from (
    values
    ('web', 'Website', false),
    ('social', 'Social media', true),
    ('phone', 'Contact centre', true),
    ('survey', 'Surveys', true),
    ('311', '311 service requests', true)
) as channels (channel, channel_name, has_free_text)
