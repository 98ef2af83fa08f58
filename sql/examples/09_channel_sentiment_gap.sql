-- Do residents sound different on social media than on the phone? Monthly mean sentiment per channel
-- and the gap between social and call notes, per service.
select
    service_id,
    month_start,
    social_mean_compound,
    phone_mean_compound,
    survey_mean_compound,
    social_mean_compound - phone_mean_compound as social_minus_phone
from marts.cx_scorecard
where social_volume >= 30 and phone_notes_volume >= 30
order by abs(social_mean_compound - phone_mean_compound) desc
