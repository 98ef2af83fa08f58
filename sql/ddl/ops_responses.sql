-- Replies to residents recorded by CX staff (`civicpulse respond`); a response takes the feedback
-- out of marts.close_the_loop at the next build.
create table if not exists ops.responses (
    feedback_id varchar not null,
    responded_at timestamptz not null,
    responded_by varchar,
    response_channel varchar,
    note varchar not null
);
